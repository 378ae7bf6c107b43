"""The moderators' pages: rounds, the queue, the audit log."""

from contest.pages.moderation import insights, routes, themes  # noqa: F401  (views register on bp)
from contest.pages.moderation.blueprint import bp

__all__ = ["bp"]
