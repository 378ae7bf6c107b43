from flask import Blueprint

bp = Blueprint("entries", __name__)

from contest.pages.entries import routes  # noqa: E402,F401
