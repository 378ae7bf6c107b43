"""Ginga: a community video contest. `create_app` builds the Flask app."""

import os
import sys

from werkzeug.routing import IntegerConverter

from contest import (
    api,
    cli,
    dates,
    errors,
    health,
    i18n,
    jobs,
    labels,
    links,
    live,
    live_frames,
    login,
    push_delivery,
    request_log,
    safe_input,
    security,
)
from contest.accounts import sessions
from contest.application import Ginga
from contest.config import Config, load_secret_key, load_vapid_keys, trusted_hosts
from contest.connection_limits import ConnectionLimits
from contest.cookie_sessions import RememberingSessionInterface
from contest.database import MIGRATIONS_DIR, apply_migrations, configure_engine
from contest.entries import storage
from contest.extensions import csrf, db, limiter, login_manager, migrate, socketio
from contest.models.types import MAX_ID
from contest.oversized import OversizedRequests
from contest.pages.auth import bp as auth_bp
from contest.pages.community import bp as community_bp
from contest.pages.entries import bp as entries_bp
from contest.pages.main import bp as main_bp
from contest.pages.moderation import bp as moderation_bp
from contest.rounds import rating_writer


def create_app(config=None):
    """Build the app: settings, extensions, blueprints, socket handlers, CLI, jobs."""
    # INSTANCE_PATH: where the site keeps its secret key and push keys (default: instance/)
    app = Ginga(
        __name__, instance_relative_config=True, instance_path=(config or {}).get("INSTANCE_PATH")
    )
    _settle_config(app, config)
    app.session_interface = RememberingSessionInterface()
    # Ids in paths fit every database's integer column: a larger one is a 404, not a 500.
    app.url_map.converters["int"] = BoundedInt
    if not app.debug and not app.testing:
        request_log.configure_logging(app)
    request_log.init_app(app)  # first: every later hook and error answer has the request id
    configure_extensions(app)
    _wrap_wsgi(app)
    configure_blueprints(app)
    errors.init_app(app)
    health.init_app(app)
    security.init_app(app)
    safe_input.init_app(app)

    i18n.init_app(app)
    dates.init_app(app)
    labels.init_app(app)
    links.init_app(app)

    storage.init_app(app)
    jobs.init_app(app)
    push_delivery.init_app(app)
    live.init_app(app)
    rating_writer.init_app(app)
    cli.init_app(app)

    if app.config["AUTO_MIGRATE"]:
        apply_migrations(app)
    return app


def _settle_config(app, config):
    """Settings from Config, the mapping given, and what follows from them (trusted hosts,
    the instance's keys, the body limit, SQLite's pool)."""
    app.config.from_object(Config)
    if config:
        app.config.from_mapping(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(
            app.config["SITE_URL"], app.config.get("MORE_TRUSTED_HOSTS", "")
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.instance_path)
    if not app.config.get("VAPID_PUBLIC_KEY") and not app.config.get("VAPID_PRIVATE_KEY"):
        # the demo site's own pair (demo seed makes it), so push works out of the box
        public, private = load_vapid_keys(app.instance_path)
        app.config["VAPID_PUBLIC_KEY"], app.config["VAPID_PRIVATE_KEY"] = public, private
    # One request never carries more than one upload part (plus a little slack). Flask defines
    # the key as None, so setdefault would never set it: a body over it is a 413 before reading.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = app.config["UPLOAD_PART_SIZE"] + 1024 * 1024
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # a file on this machine: nothing to ping, and a ping per checkout costs ~10% of a rating
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
            "pool_pre_ping": False,
        }


def _wrap_wsgi(app):
    """Socket.IO's middleware (configure_extensions) answers /socket.io/ before Flask: the
    connection caps go around it, and ProxyFix around both, so each sees the fan's address."""
    app.wsgi_app = ConnectionLimits(
        app.wsgi_app,
        per_address=app.config["SOCKETS_PER_ADDRESS"],
        per_session=app.config["SOCKETS_PER_SESSION"],
        cookie_name=app.config["SESSION_COOKIE_NAME"],
    )
    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix  # only behind a proxy

        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.wsgi_app = OversizedRequests(app.wsgi_app)


class BoundedInt(IntegerConverter):
    """<int:...> in every route: 0 to 2^31 - 1 (PostgreSQL's integer), else no match (404)."""

    def __init__(self, url_map, fixed_digits=0, min=0, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _async_mode():
    """gevent when the server monkey-patched the process (gunicorn -k gevent), else threads."""
    if "gevent" in sys.modules:
        from gevent import monkey  # only once gevent is loaded: importing it must not patch

        if monkey.is_module_patched("socket"):
            return "gevent"
    return "threading"


def configure_extensions(app):
    db.init_app(app)
    configure_engine(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    security.check_csrf(app, csrf)
    login_manager.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    limiter.init_app(app)
    # The SocketIO singleton keeps the queue of an earlier app in its options even when this
    # one has none (init_app only adds a client_manager): each app starts from its own.
    socketio.server_options.pop("client_manager", None)
    async_mode = app.config["ASYNC_MODE"] or _async_mode()
    redis_url, channel = app.config.get("REDIS_URL"), app.config["SOCKETIO_CHANNEL"]
    if async_mode == "gevent":  # broadcasts framed once for all of a room's viewers
        manager = live_frames.client_manager(redis_url, channel)
        socketio.init_app(app, async_mode=async_mode, client_manager=manager)
        live_frames.install(socketio.server)
    else:
        socketio.init_app(app, async_mode=async_mode, message_queue=redis_url, channel=channel)

    login.init_login(login_manager)
    sessions.init_app(app)
    if socketio.async_mode == "gevent":
        app.teardown_request(_take_turns)


def _take_turns(_error=None):
    """Under gevent, let every other ready greenlet run before this one reads its next request.
    A keep-alive connection whose next request has already arrived is otherwise served again
    and again without a switch, while others wait for seconds (bench/pages.py saw a p99 of 3 s
    and timeouts at 16 connections, with 10 ms pages). `sleep(0)` runs the ready greenlets and
    gevent polls for I/O at least every switch interval (5 ms); `idle()` made and started a
    watcher per request (~10% of a signed-in GET's CPU under gevent, in py-spy)."""
    import gevent

    gevent.sleep(0)


def configure_blueprints(app):
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(entries_bp)
    app.register_blueprint(community_bp)
    app.register_blueprint(moderation_bp, url_prefix="/moderation")
    api.init_app(app)
