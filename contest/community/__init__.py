from flask import Blueprint

bp = Blueprint("community", __name__)

from . import routes  # noqa: E402,F401
