"""The public JSON API, /api/v1 (see shared/API.md)."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from contest.api import (  # noqa: E402,F401  (the routes register on bp)
    auth,
    community,
    entries,
    moderation,
    openapi,
    rounds,
    uploads,
)
