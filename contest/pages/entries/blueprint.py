"""The entries pages' blueprint."""

from flask import Blueprint

bp = Blueprint("entries", __name__)
