"""The public JSON API, /api/v1 (see shared/API.md)."""

from flask import Blueprint

bp = Blueprint("api", __name__)

from . import auth, community, entries, moderation, openapi, rounds, uploads  # noqa: E402,F401
