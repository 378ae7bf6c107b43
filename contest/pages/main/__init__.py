"""Home, rounds, judge mode, results, the hall of fame and next month's themes."""

from contest.pages.main import routes, shell, themes  # noqa: F401  (their views register on bp)
from contest.pages.main.blueprint import bp

__all__ = ["bp"]
