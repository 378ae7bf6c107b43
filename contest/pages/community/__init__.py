"""Profiles, follows, the feed and notifications."""

from contest.pages.community import crews, routes  # noqa: F401  (views register on bp)
from contest.pages.community.blueprint import bp

__all__ = ["bp"]
