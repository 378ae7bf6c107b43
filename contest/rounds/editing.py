"""Creating and editing rounds: checked windows, slugs, monthly rounds, cover pictures."""

import re
import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from contest.entries.images import reencode_image
from contest.entries.storage import get_storage
from contest.errors import Conflict, Invalid
from contest.extensions import db
from contest.models import Round, Theme, utcnow
from contest.moderation.audit import audit
from contest.rounds.phases import FINALS_FIELDS, WINDOW_FIELDS, phase
from contest.rounds.sponsors import sponsor_changes
from contest.texts import Text

MAX_TITLE = 120
MAX_BRIEF = 5000
MAX_PRIZE = 500
MAX_BLIND_HOURS = 168


def _blind_hours(value):
    value = value or 0
    if not 0 <= value <= MAX_BLIND_HOURS:
        raise Invalid(
            _l("blind_hours must be a whole number from 0 to 168."),
            code="invalid_field",
            field="blind_hours",
        )
    return value


def utc(value, field):
    """A window time as UTC (a time without zone is taken as UTC); Invalid when missing."""
    if value is None:
        raise Invalid(
            Text("%(field)s is required.", field=field), code="missing_field", field=field
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def check_windows(so, sc, vo, vc):
    """Raise Invalid unless the four window times make a sensible round."""
    if not so < sc:
        raise Invalid(_l("Uploads must close after they open."), code="invalid_windows")
    if not so <= vo <= sc:
        raise Invalid(
            _l("Voting must open between the opening and the closing of uploads."),
            code="invalid_windows",
        )
    if not vc >= sc or not vc > vo:
        raise Invalid(
            _l("Voting must close after it opens and no earlier than uploads close."),
            code="invalid_windows",
        )


def check_finals(voting_close_at, finals_open_at, finals_close_at):
    """Finals are optional; when set, they follow the main vote."""
    if (finals_open_at is None) != (finals_close_at is None):
        raise Invalid(
            _l("Give both finals_open_at and finals_close_at, or neither."), code="invalid_windows"
        )
    if finals_open_at is None:
        return
    if not voting_close_at <= finals_open_at < finals_close_at:
        raise Invalid(
            _l("Finals must open after the main vote closes and close after they open."),
            code="invalid_windows",
        )


def _finals_times(data, current=(None, None)):
    """(finals_open_at, finals_close_at) from data; null (or "") removes the finals."""
    times = list(current)
    for i, field in enumerate(FINALS_FIELDS):
        if field in data:
            value = data[field]
            times[i] = None if value is None else utc(value, field)
    return tuple(times)


def slugify(text):
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:50] or "round"


def _unique_slug(base):
    slug, n = base, 2
    while db.session.scalar(sa.select(Round.id).where(Round.slug == slug)):
        slug, n = f"{base}-{n}", n + 1
    return slug


def _text(value, field, limit, required=False):
    """Trimmed text of at most limit characters; Invalid when required and empty."""
    value = (value or "").strip()
    if required and not value:
        raise Invalid(
            Text("%(field)s is required.", field=field), code="missing_field", field=field
        )
    if len(value) > limit:
        raise Invalid(
            Text("%(field)s is longer than %(limit)s characters.", field=field, limit=limit),
            code="too_long",
            field=field,
        )
    return value


def create_round(moderator, data, commit=True):
    """Create a round from API or form data; voting opens with uploads unless told otherwise."""
    title = _text(data.get("title"), "title", MAX_TITLE, required=True)
    brief = _text(data.get("brief"), "brief", MAX_BRIEF)
    so = utc(data.get("submissions_open_at"), "submissions_open_at")
    sc = utc(data.get("submissions_close_at"), "submissions_close_at")
    vo = utc(data.get("voting_open_at") or so, "voting_open_at")
    vc = utc(data.get("voting_close_at"), "voting_close_at")
    check_windows(so, sc, vo, vc)
    fo, fc = _finals_times(data)
    check_finals(vc, fo, fc)
    slug = data.get("slug")
    if slug is not None and slugify(slug) != slug:
        raise Invalid(
            _l("slug may hold lower-case letters, digits and dashes."), code="invalid_slug"
        )
    if slug and db.session.scalar(sa.select(Round.id).where(Round.slug == slug)):
        raise Conflict(_l("A round with that slug exists."), code="slug_taken")
    round_ = Round(
        slug=slug or _unique_slug(slugify(title)),
        title=title,
        brief=brief,
        submissions_open_at=so,
        submissions_close_at=sc,
        voting_open_at=vo,
        voting_close_at=vc,
        finals_open_at=fo,
        finals_close_at=fc,
        requires_approval=bool(data.get("requires_approval")),
        blind_hours=_blind_hours(data.get("blind_hours")),
        prize=_text(data.get("prize"), "prize", MAX_PRIZE),
        created_by_id=moderator.id if moderator else None,
        **sponsor_changes(data),
    )
    db.session.add(round_)
    db.session.flush()
    audit(moderator, "create_round", "round", round_.id)
    if commit:
        db.session.commit()
    return round_


def update_round(moderator, round_, data):
    """Edit a round; windows of a closed round are frozen, so voting can never reopen."""
    current = phase(round_)
    if current == "published":
        raise Conflict(_l("Published rounds cannot be edited."), code="round_published")
    changes = {}
    if "title" in data:
        changes["title"] = _text(data.get("title"), "title", MAX_TITLE, required=True)
    if "brief" in data:
        changes["brief"] = _text(data.get("brief"), "brief", MAX_BRIEF)
    if "requires_approval" in data:
        changes["requires_approval"] = bool(data.get("requires_approval"))
    if "prize" in data:
        changes["prize"] = _text(data.get("prize"), "prize", MAX_PRIZE)
    if "blind_hours" in data:
        changes["blind_hours"] = _blind_hours(data.get("blind_hours"))
    changes.update(sponsor_changes(data))
    times = {f: getattr(round_, f) for f in WINDOW_FIELDS}
    for field in WINDOW_FIELDS:
        if data.get(field) is not None:
            times[field] = utc(data[field], field)
    fo, fc = _finals_times(data, (round_.finals_open_at, round_.finals_close_at))
    times.update(finals_open_at=fo, finals_close_at=fc)
    if any(times[f] != getattr(round_, f) for f in WINDOW_FIELDS + FINALS_FIELDS):
        if current == "closed":
            raise Conflict(
                _l("This round is closed; its windows can no longer change."), code="round_closed"
            )
        if round_.finalists_at and (
            fo is None or times["voting_close_at"] != round_.voting_close_at
        ):
            raise Conflict(
                _l("Finalists are chosen: the main vote cannot reopen and the finals stay."),
                code="finals_started",
            )
        check_windows(*(times[f] for f in WINDOW_FIELDS))
        check_finals(times["voting_close_at"], fo, fc)
        changes.update(times)
    for field, value in changes.items():
        setattr(round_, field, value)
    audit(moderator, "edit_round", "round", round_.id, ", ".join(sorted(changes)))
    db.session.commit()
    return round_


def monthly_windows(year, month):
    """Default monthly windows: voting open all month, uploads until the 25th."""
    start = datetime(year, month, 1, tzinfo=UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=UTC)
    return {
        "submissions_open_at": start,
        "submissions_close_at": start + timedelta(days=24),
        "voting_open_at": start,
        "voting_close_at": end,
    }


def create_monthly_round(year=None, month=None, moderator=None):
    """Create a month's round (default: next month) unless it exists: (round, created)."""
    if year is None or month is None:
        today = utcnow()
        year, month = today.year + (today.month == 12), today.month % 12 + 1
    if not 1 <= month <= 12:
        raise Invalid(_l("month must be 1 to 12."), code="invalid_month")
    slug = f"{year:04d}-{month:02d}"
    existing = db.session.scalar(sa.select(Round).where(Round.slug == slug))
    if existing:
        return existing, False
    title = datetime(year, month, 1).strftime("%B %Y")
    data = {
        "title": f"{title} skills",
        "slug": slug,
        "brief": "Show us your best football skill: one clip, up to two minutes.",
    }
    theme = db.session.scalar(
        sa.select(Theme).where(Theme.month == slug, Theme.status == "selected")
    )
    if theme is not None:  # the fans' theme the organiser selected
        data.update(title=theme.title, brief=theme.brief)
    data.update(monthly_windows(year, month))
    try:
        round_ = create_round(moderator, data, commit=False)
        if theme is not None:
            db.session.flush()
            theme.round_id = round_.id
        db.session.commit()
        return round_, True
    except Conflict:  # another process made it a moment ago
        db.session.rollback()
        return db.session.scalar(sa.select(Round).where(Round.slug == slug)), False


def set_cover(moderator, round_, stream):
    """A round's cover: any picture, re-encoded to a 1280x720 JPEG."""
    key = f"rounds/{round_.id}/cover-{secrets.token_urlsafe(8)}.jpg"
    reencode_image(stream, key, (1280, 720))
    old, round_.cover_key = round_.cover_key, key
    audit(moderator, "set_cover", "round", round_.id)
    db.session.commit()
    if old:
        get_storage().delete(old)
    return round_
