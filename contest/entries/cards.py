"""Share cards: the Open Graph picture (1200x630) of an entry or a round's results: the clip's
poster, its title, the fan and the rank or score. Made with Pillow once per content and kept in
storage (the key changes when what the card shows changes)."""

import hashlib
import io
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from contest.entries.storage import get_storage

SIZE = (1200, 630)
GREEN, YELLOW, WHITE = (11, 107, 58), (242, 183, 5), (255, 255, 255)
FONTS = (
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


def _font(size):
    for path in FONTS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _fit(draw, text, font, width):
    """The text, shortened with an ellipsis until it fits the width."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def render(poster, title, lines):
    """A 1200x630 JPEG: the poster on the left (or the brand colour), the words on the right."""
    card = Image.new("RGB", SIZE, GREEN)
    left = 0
    if poster:
        with Image.open(io.BytesIO(poster)) as picture:
            picture = ImageOps.exif_transpose(picture.convert("RGB"))
            height = SIZE[1]
            width = min(int(picture.width * height / picture.height), SIZE[0] // 2)
            card.paste(ImageOps.fit(picture, (width, height), Image.LANCZOS), (0, 0))
            left = width
    draw = ImageDraw.Draw(card)
    x, room = left + 48, SIZE[0] - left - 96
    draw.text((x, 56), "Ginga", font=_font(40), fill=YELLOW)
    draw.text((x, 150), _fit(draw, title, _font(64), room), font=_font(64), fill=WHITE)
    y = 260
    for line in lines:
        draw.text((x, y), _fit(draw, line, _font(40), room), font=_font(40), fill=WHITE)
        y += 64
    out = io.BytesIO()
    card.save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def card_key(kind, ident, poster_key, title, lines):
    """Where the card for this content lives (a new key when the content changes)."""
    digest = hashlib.sha256("\x1f".join([poster_key or "", title, *lines]).encode()).hexdigest()
    return f"share/{kind}-{ident}-{digest[:16]}.jpg"


def share_card(kind, ident, poster_key, title, lines):
    """The storage key of the card, made and stored the first time it is asked for."""
    storage = get_storage()
    key = card_key(kind, ident, poster_key, title, lines)
    if not storage.exists(key):
        data = render(storage.read(poster_key) if poster_key else None, title, lines)
        with tempfile.NamedTemporaryFile(suffix=".jpg") as tmp:
            tmp.write(data)
            tmp.flush()
            storage.put_file(key, tmp.name, "image/jpeg")
    return key
