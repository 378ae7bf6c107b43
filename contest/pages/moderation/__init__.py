"""The moderators' pages: rounds, the queue, the audit log."""

from contest.pages.moderation import routes, themes  # noqa: F401  (their views register on bp)
from contest.pages.moderation.blueprint import bp

__all__ = ["bp"]
