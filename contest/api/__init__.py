"""The public JSON API, /api/v1 (see shared/API.md), declared with flask-smorest.

Each operation declares its input (`@bp.arguments`) and its answer (`@bp.response`); the
OpenAPI document at /api/v1/openapi.json is generated from those declarations.
"""

from apispec import BasePlugin
from flask_smorest import Api

from contest.api import (  # noqa: F401  (the views register themselves on bp)
    auth,
    community,
    crews,
    entries,
    moderation,
    push,
    rounds,
    themes,
    uploads,
)
from contest.api.blueprint import bp
from contest.api.outputs import Error

# The errors any operation may answer, in API.md's shape, and why. Declared status by status
# (no catch-all "default"), so an answer with any other status, a 500 above all, breaks the
# contract test's status-code check.
ERRORS = {
    400: "malformed input (JSON, form, query), an unknown Host, an expired link",
    401: "not signed in",
    403: "signed in but not allowed, or the CSRF token is missing",
    404: "no such thing, or not visible to this fan",
    409: "the state forbids it now (a closed window, a taken name, a feature turned off)",
    413: "the body is over its limit",
    414: "the address is over 4096 characters",
    415: "not a type this operation takes",
    422: "a field is wrong: `field` names it",
    429: "a rate limit or a connection cap: Retry-After says when to try again",
    431: "a header is over 8 KB",
    503: "the database or a store is briefly unavailable, or the process is stopping",
}


def camel(words):
    """judge_queue -> judgeQueue."""
    first, *rest = words.split("_")
    return first + "".join(w.capitalize() for w in rest)


class ErrorResponses(BasePlugin):
    """Every operation may answer these errors in API.md's shape: document them once, for all;
    every operation is named (operationId) and tagged with its area."""

    def __init__(self, app):
        self.app = app

    def operation_helper(self, path=None, operations=None, rule=None, **kwargs):
        for method, operation in (operations or {}).items():
            # operationId: the view's name in camelCase (led by its method where one view
            # answers several), so generated clients get names like judgeQueue; the tag is the
            # view's area (the module it is in: rounds, entries, themes...)
            if rule is not None:
                name = rule.endpoint.rsplit(".", 1)[-1]
                several = len(operations) > 1
                operation["operationId"] = camel(f"{method}_{name}" if several else name)
                view = self.app.view_functions.get(rule.endpoint)
                if view is not None:
                    operation["tags"] = [view.__module__.rsplit(".", 1)[-1]]
            responses = operation.setdefault("responses", {})
            for status, why in ERRORS.items():
                responses.setdefault(
                    str(status),
                    {
                        "description": why,
                        "content": {"application/json": {"schema": "Error"}},
                    },
                )


class ContestApi(Api):
    """flask-smorest's Api with API.md's error shape; contest.errors answers every error."""

    ERROR_SCHEMA = Error

    def _register_error_handlers(self):
        pass  # errors.init_app already answers every error as {"error": {code, message}}


def init_app(app):
    """Serve the API and its generated OpenAPI document at /api/v1/openapi.json."""
    app.config.setdefault("API_TITLE", "Ginga")
    app.config.setdefault("API_VERSION", "v1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/api/v1")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    api = ContestApi(app, spec_kwargs={"extra_plugins": [ErrorResponses(app)]})
    api.register_blueprint(bp)
    app.extensions["api"] = api
