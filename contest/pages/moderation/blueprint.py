"""The moderation pages' blueprint."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)
