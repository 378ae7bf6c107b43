"""Sponsored challenges: a round may carry a sponsor (a name, a logo, a link; the round's
prize text is the prize), and its staff picks may be labelled as the sponsor's pick."""

import secrets
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from contest.entries.images import reencode_image
from contest.entries.storage import get_storage
from contest.errors import Invalid
from contest.extensions import db
from contest.moderation.audit import audit
from contest.texts import Text

MAX_NAME = 80
MAX_URL = 300
LOGO_SIZE = (400, 400)


def _url(value):
    value = (value or "").strip() if isinstance(value, str | None) else None
    if value is None or len(value) > MAX_URL:
        raise Invalid(
            Text("sponsor_url is a link of at most %(num)s characters.", num=MAX_URL),
            code="invalid_sponsor_url",
            field="sponsor_url",
        )
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or not value.isprintable():
            raise Invalid(
                _l("sponsor_url must be an http or https link."),
                code="invalid_sponsor_url",
                field="sponsor_url",
            )
    return value


def sponsor_changes(data):
    """The sponsor fields present in a round's data, checked: {column: value}."""
    changes = {}
    if "sponsor_name" in data:
        name = data.get("sponsor_name") or ""
        if not isinstance(name, str) or len(name.strip()) > MAX_NAME:
            raise Invalid(
                Text("sponsor_name is at most %(num)s characters.", num=MAX_NAME),
                code="invalid_sponsor_name",
                field="sponsor_name",
            )
        changes["sponsor_name"] = " ".join(name.split())
    if "sponsor_url" in data:
        changes["sponsor_url"] = _url(data.get("sponsor_url"))
    if "sponsor_pick" in data:
        changes["sponsor_pick"] = bool(data.get("sponsor_pick"))
    return changes


def set_sponsor_logo(moderator, round_, stream):
    """A sponsor's logo: any picture, re-encoded to a 400x400 JPEG (like covers)."""
    key = f"rounds/{round_.id}/sponsor-{secrets.token_urlsafe(8)}.jpg"
    reencode_image(stream, key, LOGO_SIZE)
    old, round_.sponsor_logo_key = round_.sponsor_logo_key, key
    audit(moderator, "set_sponsor_logo", "round", round_.id)
    db.session.commit()
    if old:
        get_storage().delete(old)
    return round_
