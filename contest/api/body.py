"""Reading JSON request bodies strictly."""

from flask import request
from flask_babel import lazy_gettext as _l

from contest.errors import BadInput


def json_body():
    """The request's JSON object, or a 400 a person understands."""
    if not request.data:
        raise BadInput(_l("Send a JSON object in the request body."), code="invalid_json")
    data = request.get_json(silent=True, force=True)
    if not isinstance(data, dict):
        raise BadInput(_l("The request body is not a valid JSON object."), code="invalid_json")
    return data
