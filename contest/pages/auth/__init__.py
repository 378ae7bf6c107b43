"""Signing up, in and out; verifying an email."""

from contest.pages.auth import account, routes  # noqa: F401  (their views register on bp)
from contest.pages.auth.blueprint import bp

__all__ = ["bp"]
