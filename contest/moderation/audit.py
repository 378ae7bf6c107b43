"""The moderators' audit log: one line per action, written with the change it records."""

from flask_babel import lazy_gettext as _l

from contest.errors import Invalid
from contest.extensions import db
from contest.models import ModerationAction

MAX_REASON = 500


def audit(moderator, action, target_type, target_id, reason=""):
    """Write one line of the moderators' audit log (committed with the caller's change)."""
    db.session.add(
        ModerationAction(
            moderator_id=moderator.id if moderator else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            reason=reason[:500],
        )
    )


def check_reason(reason, required):
    """The reason a moderator (or a reporter) gives: text, trimmed, at most MAX_REASON."""
    if reason is None:
        reason = ""
    if not isinstance(reason, str) or len(reason) > MAX_REASON:
        raise Invalid(_l("reason must be text of at most 500 characters."), code="invalid_reason")
    if required and not reason.strip():
        raise Invalid(
            _l("Give a reason: the person affected will read it."), code="reason_required"
        )
    return reason.strip()
