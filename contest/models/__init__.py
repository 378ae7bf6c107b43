"""SQLAlchemy models only: no request code lives here."""

from .audit import ModerationAction
from .entries import Entry, Rating, Upload
from .flags import Flag
from .reports import Report
from .rounds import Result, Round
from .social import Comment, Follow, Notification, NotificationSetting
from .types import utcnow
from .users import User

__all__ = [
    "Comment",
    "Flag",
    "Follow",
    "Notification",
    "NotificationSetting",
    "Entry",
    "ModerationAction",
    "Rating",
    "Report",
    "Result",
    "Round",
    "Upload",
    "User",
    "utcnow",
]
