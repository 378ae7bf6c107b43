from flask import Blueprint

bp = Blueprint("main", __name__)

from contest.pages.main import routes, shell  # noqa: E402,F401
