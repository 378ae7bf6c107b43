"""The community pages' blueprint."""

from flask import Blueprint

bp = Blueprint("community", __name__)
