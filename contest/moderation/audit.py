"""The moderators' audit log: one line per action, written with the change it records."""

from contest.extensions import db
from contest.models import ModerationAction


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
