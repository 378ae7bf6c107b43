"""What a load balancer and Prometheus ask: /healthz, /readyz and /metrics.

/healthz says the process answers (no database). /readyz says whether it can serve: the
database, Redis (when configured) and video storage each answer, and the process is not
shutting down; otherwise 503 naming what failed. /metrics is not public: it answers with
`Authorization: Bearer <METRICS_TOKEN>`, or without a token on requests that arrived on
METRICS_BIND (a second address gunicorn listens on, reachable only by the monitoring network).
"""

import hmac
import logging
import time

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext
from redis import Redis

from contest import metrics, request_log
from contest.entries.storage import get_storage
from contest.errors import error_body
from contest.extensions import csrf, db, limiter

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


def _no_cookie(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _no_cookie(jsonify(status="ok"))


def _database():
    try:
        db.session.execute(sa.text("SELECT 1"))
    finally:
        db.session.remove()


def _redis():
    client = current_app.extensions.get("ready_redis")
    if client is None:
        client = Redis.from_url(
            current_app.config["REDIS_URL"], socket_timeout=1, socket_connect_timeout=1
        )
        current_app.extensions["ready_redis"] = client
    client.ping()


def _storage():
    get_storage().ping()


def checks(app):
    """(part, check) pairs this deployment depends on."""
    parts = [("database", _database)]
    if app.config.get("REDIS_URL"):
        parts.append(("redis", _redis))
    parts.append(("storage", _storage))
    return parts


@bp.get("/readyz")
def readyz():
    results, failing = {}, []
    if current_app.extensions.get("draining"):
        results["process"], failing = "shutting down", ["process"]
    for part, check in checks(current_app):
        started = time.perf_counter()
        try:
            check()
            results[part] = f"ok ({(time.perf_counter() - started) * 1000:.1f} ms)"
        except Exception as error:  # any failure of a part means "not ready", never a 500
            log.warning("readiness: %s failed: %s", part, error)
            results[part] = f"failed: {type(error).__name__}"
            failing.append(part)
    if not failing:
        return _no_cookie(jsonify(status="ok", checks=results))
    body = error_body(
        "not_ready",
        gettext("Not ready: %(parts)s not answering.", parts=", ".join(failing)),
        failing=failing,
    )
    body.update(status="unavailable", checks=results)
    return _no_cookie(jsonify(body)), 503


def _on_metrics_address():
    bind = current_app.config.get("METRICS_BIND")
    if not bind:
        return False
    return request.environ.get("SERVER_PORT") == bind.rsplit(":", 1)[-1]


@bp.get("/metrics")
def metrics_page():
    token = current_app.config.get("METRICS_TOKEN")
    if not token and not current_app.config.get("METRICS_BIND"):
        return jsonify(error_body("not_found", gettext("That page does not exist."))), 404
    given = request.headers.get("Authorization", "")
    allowed = _on_metrics_address() or (
        token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    )
    if not allowed:
        body = error_body("metrics_token_required", gettext("Metrics need the metrics token."))
        return jsonify(body), 401, {"WWW-Authenticate": 'Bearer realm="metrics"'}
    request_log.flush()  # the log writer counts requests: what this process answered so far
    data, content_type = metrics.exposition()
    return _no_cookie(current_app.response_class(data, content_type=content_type))


def init_app(app):
    app.register_blueprint(bp)
    for view in (healthz, readyz, metrics_page):
        limiter.exempt(view)
        csrf.exempt(view)
