"""SQLAlchemy models only: no request code lives here."""

from contest.models.audit import InsightSnapshot, ModerationAction
from contest.models.crews import Crew, CrewMember, CrewResult
from contest.models.entries import Entry, Rating, Upload
from contest.models.flags import Flag
from contest.models.mail import OutgoingMail
from contest.models.push import PushSubscription
from contest.models.reports import Report
from contest.models.rounds import Result, Round
from contest.models.sessions import UserSession
from contest.models.social import (
    Comment,
    CommentLike,
    Follow,
    Notification,
    NotificationSetting,
)
from contest.models.themes import ProposalWindow, Theme, ThemeVote
from contest.models.types import utcnow
from contest.models.users import User

__all__ = [
    "OutgoingMail",
    "Comment",
    "CommentLike",
    "Crew",
    "CrewMember",
    "CrewResult",
    "Flag",
    "Follow",
    "InsightSnapshot",
    "Notification",
    "NotificationSetting",
    "Entry",
    "ModerationAction",
    "ProposalWindow",
    "PushSubscription",
    "Rating",
    "Report",
    "Result",
    "Round",
    "Theme",
    "ThemeVote",
    "Upload",
    "User",
    "UserSession",
    "utcnow",
]
