"""Home, rounds, judge mode, results and the hall of fame."""

from contest.pages.main import routes, shell  # noqa: F401  (their views register on bp)
from contest.pages.main.blueprint import bp

__all__ = ["bp"]
