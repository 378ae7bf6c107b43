"""Entry pages, uploading, and the video and poster files."""

from contest.pages.entries import routes  # noqa: F401  (their views register on bp)
from contest.pages.entries.blueprint import bp

__all__ = ["bp"]
