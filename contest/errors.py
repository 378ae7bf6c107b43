"""Domain errors raised by the business rules, and their mapping to API and page answers.

Messages are `_l("...")` or, with values, `Text("... %(name)s", name=...)`: both stay lazy and
are read in the language of whoever is answered.
"""

from flask import (
    g,
    has_request_context,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, SecurityError

from contest.extensions import db, login_manager
from contest.texts import as_text


class ContestError(Exception):
    """A rule said no; carries an HTTP status, a snake_case code and a sentence for people."""

    status = 400
    code = "bad_request"
    default_message = _l("The request could not be understood.")

    def __init__(self, message=None, code=None, status=None, **details):
        # kept lazy: read in the language of the request that answers (a rating refused in a
        # batch another fan's request applied is answered by the fan's own request)
        self._message = message or self.default_message
        super().__init__(str(self._message))
        self.code = code or self.code
        self.status = status or self.status
        self.details = details

    @property
    def message(self):
        return str(self._message)

    @property
    def text(self):
        """The message as a Text, to store and show later in each reader's language."""
        return as_text(self._message)


class BadInput(ContestError):
    status, code = 400, "bad_request"


class NotSignedIn(ContestError):
    status, code, default_message = 401, "not_signed_in", _l("Please sign in first.")


class Forbidden(ContestError):
    status, code, default_message = 403, "forbidden", _l("You are not allowed to do that.")


class NotFound(ContestError):
    status, code, default_message = 404, "not_found", _l("That does not exist.")


class Conflict(ContestError):
    status, code = 409, "conflict"


class TooLarge(ContestError):
    status, code = 413, "too_large"


class UnsupportedType(ContestError):
    status, code = 415, "unsupported_type"


class Invalid(ContestError):
    status, code = 422, "invalid"


class WrongPhase(Conflict):
    code = "wrong_phase"


class NotAVideo(ContestError):
    """Raised by media checks: the file is not a video we accept."""

    status, code = 422, "not_a_video"


HTTP_CODES = {
    400: "bad_request",
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_type",
    422: "invalid",
    429: "rate_limited",
}
# Werkzeug's own descriptions are English; where nobody wrote a better one, say these.
HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    401: NotSignedIn.default_message,
    403: Forbidden.default_message,
    404: _l("That page does not exist."),
    405: _l("That cannot be done at this address."),
    409: _l("That clashes with the current state; reload and try again."),
    413: _l("The request body is too large."),
    415: _l("That type of content is not accepted here."),
    422: _l("The request could not be processed."),
    429: _l("Too many requests. Please wait a moment and try again."),
}


def wants_json():
    """True for API paths and for clients that asked for JSON."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_body(code, message, **details):
    body = {"error": {"code": code, "message": message}}
    if details:
        body["error"].update(details)
    if has_request_context() and g.get("request_id"):
        body["error"]["request_id"] = g.request_id  # quote it to support: it finds the log line
    return body


def _answer(status, code, message, details=None, headers=None):
    if wants_json():
        response = jsonify(error_body(code, message, **(details or {})))
    else:
        response = make_response(render_template("error.html", status=status, message=message))
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def http_error(error):
    """werkzeug's errors (404, 405, 413, 429...) in the API's shape or as a page."""
    status = error.code or 500
    code = HTTP_CODES.get(status, "error")
    message = error.description
    if status in (413, 429) or not message or message == type(error).description:
        message = str(HTTP_MESSAGES.get(status, error.name))
    headers = {}
    if status == 429 and error.get_headers():
        headers = {k: v for k, v in error.get_headers() if k.lower() == "retry-after"}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    return _answer(status, code, message, headers=headers)


def init_app(app):
    """Register the handlers that turn every error into API.md's shape or a page."""

    @app.errorhandler(ContestError)
    def contest_error(error):
        if isinstance(error, NotSignedIn) and not wants_json():
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return _answer(error.status, error.code, error.message, error.details)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _answer(
            403,
            "csrf_failed",
            gettext("The security token is missing or expired. Reload the page and try again."),
        )

    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        """A Host header the site does not serve: no URL can be built for it, so no page is
        drawn (its links would need one); a short answer in the API's shape instead."""
        return jsonify(error_body("bad_host", error.description)), 400

    app.register_error_handler(HTTPException, http_error)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error):
        """The database is restarting or unreachable: a clear 503, not a 500 storm."""
        app.logger.warning("database unavailable on %s %s: %s", request.method, request.path, error)
        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the pool pre-pings the next one
            pass
        g._login_user = login_manager.anonymous_user()  # the page must not ask the database
        g.database_unavailable = True  # nor must the layout (the Judge tab)
        return _answer(
            503,
            "database_unavailable",
            gettext("The site is briefly unavailable. Please try again in a moment."),
            headers={"Retry-After": "5"},
        )

    @app.errorhandler(Exception)
    def unexpected(error):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _answer(
            500, "server_error", gettext("Something went wrong on our side. Please try again.")
        )
