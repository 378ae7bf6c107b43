"""The main pages' blueprint."""

from flask import Blueprint

bp = Blueprint("main", __name__)
