"""Profiles, follows, the feed and notifications."""

from contest.pages.community import routes  # noqa: F401  (their views register on bp)
from contest.pages.community.blueprint import bp

__all__ = ["bp"]
