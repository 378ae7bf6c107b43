"""Small server-rendered SVG charts (no script, no CDN): bars over time, stacked bars, and
horizontal bars. Every chart carries a title and a text description for screen readers."""

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD = 340, 170, 24
COLORS = ("#0b6b3a", "#f2b705")


def _frame(title, description, body, height=HEIGHT):
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>{body}</svg>"
    )


def bars(title, points, stacked_keys=None):
    """Vertical bars: points are (label, value) or, with stacked_keys, (label, {key: value})."""
    if not points:
        return _frame(title, "no data", f'<text x="{PAD}" y="{HEIGHT // 2}">–</text>')
    totals = [sum(v.values()) if stacked_keys else v for _, v in points]
    top = max(totals) or 1
    step = (WIDTH - 2 * PAD) / len(points)
    width = min(max(step * 0.7, 1), 36)  # one day of data is a bar, not a wall
    parts = [
        f'<line x1="{PAD}" y1="{HEIGHT - PAD}" x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}" '
        'stroke="#999"/>',
        f'<text x="{PAD}" y="12" font-size="10">{escape(str(top))}</text>',
    ]
    for i, (label, value) in enumerate(points):
        x = PAD + i * step + (step - width) / 2
        base = HEIGHT - PAD
        layers = [(k, value.get(k, 0)) for k in stacked_keys] if stacked_keys else [("", value)]
        for j, (key, amount) in enumerate(layers):
            h = (HEIGHT - 2 * PAD) * amount / top
            base -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{width:.1f}" height="{h:.1f}" '
                f'fill="{COLORS[j % len(COLORS)]}"><title>{escape(str(label))}'
                f"{' ' + escape(str(key)) if key else ''}: {amount}</title></rect>"
            )
    first, last = points[0][0], points[-1][0]
    parts.append(f'<text x="{PAD}" y="{HEIGHT - 6}" font-size="10">{escape(str(first))}</text>')
    if len(points) > 1:
        parts.append(
            f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" font-size="10" text-anchor="end">'
            f"{escape(str(last))}</text>"
        )
    description = "; ".join(
        f"{label}: {total}" for (label, _), total in zip(points, totals, strict=True)
    )
    return _frame(title, description, "".join(parts))


def hbars(title, pairs):
    """Horizontal bars: (name, value) pairs, largest first."""
    if not pairs:
        return _frame(title, "no data", f'<text x="{PAD}" y="30">–</text>', height=50)
    row, top = 22, max(v for _, v in pairs) or 1
    height = row * len(pairs) + 8
    parts = []
    for i, (name, value) in enumerate(pairs):
        y = 4 + i * row
        w = (WIDTH - 150) * value / top
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12">{escape(str(name)[:18])}</text>'
            f'<rect x="120" y="{y + 2}" width="{w:.1f}" height="16" fill="{COLORS[0]}"/>'
            f'<text x="{124 + w:.1f}" y="{y + 14}" font-size="11">{value}</text>'
        )
    description = "; ".join(f"{name}: {value}" for name, value in pairs)
    return _frame(title, description, "".join(parts), height=height)
