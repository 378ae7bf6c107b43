from flask import Blueprint

bp = Blueprint("community", __name__)

from contest.pages.community import routes  # noqa: E402,F401
