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


class ErrorResponses(BasePlugin):
    """Every operation may answer an error in API.md's shape: document it once, for all."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for operation in (operations or {}).values():
            operation.setdefault("responses", {}).setdefault("default", "DEFAULT_ERROR")


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
    api = ContestApi(app, spec_kwargs={"extra_plugins": [ErrorResponses()]})
    api.register_blueprint(bp)
    app.extensions["api"] = api
