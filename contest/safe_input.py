"""Text no database should store is refused at the door, with the field named.

A NUL byte (PostgreSQL refuses it in text) or a lone surrogate (no UTF-8 encoding exists for
it) in a JSON body, a query string or a form is a 422 `invalid_text` naming the field; JSON
nested deeper than MAX_JSON_DEPTH is a 400 `too_deep`, checked before any rule sees it.
"""

import re

from flask import request

from contest.errors import BadInput, Invalid
from contest.texts import Text

MAX_JSON_DEPTH = 32
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def storable(value):
    """True for text every database can store (no NUL, no lone surrogate)."""
    return isinstance(value, str) and not _UNSTORABLE.search(value)


def _refuse(field):
    raise Invalid(
        Text("%(field)s contains a character that cannot be stored.", field=field or "body"),
        code="invalid_text",
        field=field or "body",
    )


def too_deep():
    return BadInput(
        Text("JSON may be nested at most %(depth)s levels deep.", depth=MAX_JSON_DEPTH),
        code="too_deep",
    )


def check_json(value, field="", depth=0):
    """Raise for unstorable text or too deep nesting anywhere in a parsed JSON value."""
    if depth > MAX_JSON_DEPTH:
        raise too_deep()
    if isinstance(value, str):
        if _UNSTORABLE.search(value):
            _refuse(field)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{field}.{key}" if field else key
            if _UNSTORABLE.search(key):
                _refuse(field)
            check_json(item, name, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_json(item, f"{field}[{index}]", depth + 1)
    return value


def check_fields(pairs):
    """Raise for unstorable text in (name, value) pairs: query strings and forms."""
    for name, value in pairs:
        if _UNSTORABLE.search(name):
            _refuse("")
        if _UNSTORABLE.search(value):
            _refuse(name)


def refuse_unnamed_parts():
    """A form part without a name (multipart allows it, nothing here reads it) is refused
    before anything (the CSRF check included) iterates the form's names."""
    req = request._get_current_object()
    if req.method == "GET" or req.mimetype not in _FORMS:
        return
    for number, name in enumerate([*req.form.keys(), *req.files.keys()], start=1):
        if not name:
            raise Invalid(
                Text("Part %(number)s of the form has no name.", number=number),
                code="invalid_form",
                status=400,
            )


def init_app(app):
    # before Flask-WTF's CSRF check, which reads the names too (after the request log's hook,
    # so the answer carries the request id)
    hooks = app.before_request_funcs.setdefault(None, [])
    csrf = next((i for i, f in enumerate(hooks) if f.__name__ == "csrf_protect"), len(hooks))
    hooks.insert(csrf, refuse_unnamed_parts)

    @app.before_request
    def refuse_unstorable_text():
        req = request._get_current_object()
        if req.query_string:
            check_fields(req.args.items(multi=True))
        if req.method != "GET" and req.mimetype in _FORMS:
            check_fields(req.form.items(multi=True))
