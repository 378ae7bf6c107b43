"""Reading requests against the declared schemas, with API.md's error codes.

Each input field says which error it answers with (`error=(status, code, message)`); the
parser turns the first failing field, in declared order, into that error. A missing required
field answers 422 `missing_field` unless the field says otherwise. Bodies are JSON objects:
an empty or malformed body is a 400 `invalid_json`, unless the schema's `Meta.optional_body`.
"""

import numbers
import re
from datetime import datetime

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from webargs.flaskparser import FlaskParser

from contest.errors import BadInput, ContestError
from contest.safe_input import check_json, too_deep
from contest.texts import Text

LOCATIONS = ("json", "query", "querystring", "form", "headers", "cookies", "files")


class Input(Schema):
    """A request schema: unknown keys are ignored, as API.md's clients expect."""

    class Meta:
        unknown = EXCLUDE


class JsonParser(FlaskParser):
    """webargs' Flask parser, answering bad input in API.md's shape."""

    DEFAULT_UNKNOWN_BY_LOCATION = {}  # each schema's Meta.unknown decides (Input: EXCLUDE)

    def load_json(self, req, schema):
        # get_data, not req.data: `data` first builds a form parser to see the body is no form
        # (~20 us of a rating's ~60 us of reading and checking its JSON). A JSON body sent as a
        # form is now read as JSON, as it already was under text/plain (force=True below).
        if not req.get_data(cache=True):
            if getattr(getattr(schema, "Meta", None), "optional_body", False):
                return {}
            raise BadInput(_l("Send a JSON object in the request body."), code="invalid_json")
        try:
            data = req.get_json(silent=True, force=True)
        except RecursionError:  # nested past the parser's own limit
            raise too_deep() from None
        if not isinstance(data, dict):
            raise BadInput(_l("The request body is not a valid JSON object."), code="invalid_json")
        return check_json(data)

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        raise input_error(schema, error)


def input_error(schema, error):
    """The ContestError for the first failing field of a marshmallow ValidationError."""
    messages = error.messages if isinstance(error.messages, dict) else {}
    if len(messages) == 1 and next(iter(messages)) in LOCATIONS:
        messages = next(iter(messages.values()))  # webargs files them under their location
        messages = messages if isinstance(messages, dict) else {}
    for name, field in schema.fields.items():
        key = field.data_key or name
        if key not in messages:
            continue
        if messages[key] == [field.error_messages["required"]]:
            status, code, message = field.metadata.get("missing") or (
                422,
                "missing_field",
                Text("%(field)s is required.", field=key),
            )
        else:
            status, code, message = field.metadata.get("error") or (
                422,
                "invalid_field",
                Text("%(field)s is not valid.", field=key),
            )
        return ContestError(message, code=code, status=status, field=key)
    for key in messages:  # a key the schema does not know (Meta.unknown = RAISE)
        unknown = getattr(schema.Meta, "unknown_error", None)  # key -> (status, code, message)
        status, code, message = (
            unknown(key)
            if unknown
            else (
                422,
                "invalid_field",
                Text("%(field)s is not a field of this request.", field=key),
            )
        )
        return ContestError(message, code=code, status=status, field=key)
    return ContestError(_l("The request could not be processed."), code="invalid", status=422)


class WholeNumber(fields.Integer):
    """An integer given as a JSON number (never a string, a fraction or true/false)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValidationError("not a whole number")
        return super()._deserialize(value, attr, data, **kwargs)


class Flag(fields.Boolean):
    """true or false, as JSON booleans only."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("not a boolean")
        return value


class Time(fields.String):
    """An ISO 8601 time, "Z" or an offset (without a zone the rule takes it as UTC).

    An empty or null value is missing when the field is required and null when it may be.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        if value in ("", None):
            if self.allow_none:
                return None
            raise ValidationError(self.error_messages["required"])
        if not isinstance(value, str):
            raise ValidationError("not a time")
        try:
            return datetime.fromisoformat(
                value.strip().replace("Z", "+00:00").replace("z", "+00:00")
            )
        except ValueError:
            raise ValidationError("not a time") from None


class QueryNumber(fields.Integer):
    """A whole number in a query string: digits only, at most nine of them (declared)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validate", validate.Range(min=0, max=999_999_999))
        super().__init__(*args, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{1,9}", value):
            raise ValidationError("not digits")
        return int(value)


def error(code, message, status=422, missing=False):
    """The metadata an input field carries: the error it answers with (missing=True: also when
    it is left out, instead of 422 missing_field)."""
    answer = (status, code, message)
    return {"error": answer, "missing": answer} if missing else {"error": answer}


def text_field(name, limit=None, required=False, code="invalid_field", **kwargs):
    """A text field of at most limit characters (documented; the rule trims and checks it)."""
    metadata = error(code, Text("%(field)s must be text.", field=name))
    if limit:
        metadata["description"] = f"at most {limit} characters"
    return fields.String(required=required, metadata=metadata, **kwargs)


def picture_body(field):
    """The OpenAPI request body of a picture upload: a multipart field, or the raw image."""
    binary = {"type": "string", "format": "binary"}
    return {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {"type": "object", "properties": {field: binary}, "required": [field]}
            },
            "image/jpeg": {"schema": binary},
        },
    }
