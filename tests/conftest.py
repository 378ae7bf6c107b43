"""Fixtures: a real app on SQLite (or PostgreSQL with DATABASE_URL), clients, factories."""

import logging
import os
import shutil
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from private_servers import PostgresCluster, RedisServer
from seaweed import ACCESS_KEY, SECRET_KEY, SeaweedFS
from servers import Server
from smtp_server import MailServer

from contest import create_app
from contest.accounts import users as accounts
from contest.config import database_url
from contest.database import apply_migrations
from contest.extensions import db, socketio
from contest.models import Entry, Round, utcnow

PASSWORD = "correct horse"
PART_SIZE = 8 * 1024


def pytest_report_header(config):
    url = os.environ.get("DATABASE_URL")
    return [
        f"database: {'PostgreSQL ' + url if url else 'SQLite (set DATABASE_URL for PostgreSQL)'}",
        f"redis: {os.environ.get('REDIS_URL') or 'unset: Redis tests skip'}",
    ]


@pytest.fixture(scope="session")
def db_url(tmp_path_factory):
    if os.environ.get("DATABASE_URL"):
        return database_url(os.environ["DATABASE_URL"])
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


def make_config(db_url, upload_dir, **extra):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SITE_URL": "http://localhost",  # the test client's host: mailed links open in it
        "SQLALCHEMY_DATABASE_URI": db_url,
        "AUTO_MIGRATE": False,
        "UPLOAD_DIR": str(upload_dir),
        # keys a demo seed makes stay with the test, not in the checkout's instance/
        "INSTANCE_PATH": str(Path(upload_dir).parent / "instance"),
        "UPLOAD_PART_SIZE": PART_SIZE,
        "MAX_CONTENT_LENGTH": PART_SIZE + 1024,
        "SCHEDULER_INTERVAL": 0,
        "RATELIMIT_ENABLED": False,
        # tests open many sockets from 127.0.0.1 and one session; test_connection_limits
        # sets the production caps
        "SOCKETS_PER_ADDRESS": 0,
        "SOCKETS_PER_SESSION": 0,
        "REDIS_URL": None,
        "JOB_WORKERS": 2,
        "LIVE_INTERVAL": 0.25,
        "MIN_ACCOUNT_AGE_HOURS": 0,
        "MOST_FOLLOWED_SECONDS": 0,  # suggestions count follows afresh (a test follows, then asks)
        "PRIOR_SECONDS": 0,  # every request counts the prior (test_ratings checks the shared)
        "INSIGHTS_MAX_AGE": 0,  # insights counted on every read (test_insights checks stored)
        # real argon2id, cheaper than production's 64 MiB: hundreds of test accounts
        "PASSWORD_HASH_MEMORY_KIB": 8 * 1024,
        "PASSWORD_HASH_TIME_COST": 1,
    }
    config.update(extra)
    return config


@pytest.fixture(scope="session")
def schema(db_url, tmp_path_factory):
    """Build the schema once, from the migrations, on a fresh database."""
    app = create_app(make_config(db_url, tmp_path_factory.mktemp("uploads")))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        db.session.remove()
    apply_migrations(app)
    return db_url


def _empty_tables(app):
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture
def config_overrides():
    """Tests override settings by parametrising this fixture."""
    return {}


@pytest.fixture
def app(schema, tmp_path, config_overrides):
    app = create_app(make_config(schema, tmp_path / "uploads", **config_overrides))
    _empty_tables(app)
    yield app
    app.extensions["live"].stop()
    app.extensions["socket_sessions"].stop()
    app.extensions["theme_votes"].stop()
    app.extensions["jobs"].shutdown()
    _empty_tables(app)
    with app.app_context():
        db.engine.dispose()


class Api:
    """A Flask test client that speaks JSON and sends the CSRF header, as the site's JS does."""

    def __init__(self, client):
        self.client = client
        self._token = None

    def token(self):
        if self._token is None:
            self._token = self.client.get("/api/v1/csrf").get_json()["csrf_token"]
        return self._token

    def request(self, method, path, json=None, csrf=True, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if csrf and method != "GET":
            headers["X-CSRFToken"] = self.token()
        return self.client.open(path, method=method, json=json, headers=headers, **kwargs)

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json, **kw)

    def put(self, path, json=None, **kw):
        return self.request("PUT", path, json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def login(self, username, password=PASSWORD):
        response = self.post("/api/v1/auth/login", {"login": username, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def new_api(app):
    """Make more signed-in API clients: new_api('bob') is Bob's own browser."""

    def make(username=None):
        other = Api(app.test_client())
        if username:
            other.login(username)
        return other

    return make


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def socket_client(app):
    """Socket.IO test clients sharing a Flask test client's session (signed in or not)."""
    made = []

    def make(flask_client=None):
        sio = socketio.test_client(app, flask_test_client=flask_client)
        assert sio.is_connected()
        made.append(sio)
        return sio

    yield make
    for sio in made:
        if sio.is_connected():
            sio.disconnect()


@pytest.fixture
def make_user(app):
    def make(username, role="fan", password=PASSWORD, verified=True):
        with app.app_context():
            user = accounts.register_user(
                username, f"{username}@example.com", password, role=role, verified=verified
            )
            return SimpleNamespace(id=user.id, username=user.username, role=user.role)

    return make


PHASE_WINDOWS = {
    # (submissions open, submissions close, voting open, voting close) in hours from now
    "upcoming": (24, 48, 24, 72),
    "submissions": (-24, 24, 24, 72),
    "open": (-24, 24, -24, 72),
    "voting": (-48, -24, -48, 24),
    "closed": (-72, -48, -72, -24),
}


@pytest.fixture
def make_round(app):
    def make(phase="open", title=None, **fields):
        so, sc, vo, vc = (utcnow() + timedelta(hours=h) for h in PHASE_WINDOWS[phase])
        with app.app_context():
            round_ = Round(
                slug=fields.pop("slug", None) or f"r-{time.monotonic_ns()}",
                title=title or f"{phase} round",
                submissions_open_at=so,
                submissions_close_at=sc,
                voting_open_at=vo,
                voting_close_at=vc,
                **fields,
            )
            db.session.add(round_)
            db.session.commit()
            return SimpleNamespace(id=round_.id, slug=round_.slug)

    return make


@pytest.fixture
def make_entry(app):
    """A live entry row without a real file, for rating and ranking tests."""

    def make(round_id, author_id, title="A skill", status="live", **fields):
        with app.app_context():
            entry = Entry(
                round_id=round_id,
                author_id=author_id,
                title=title,
                status=status,
                video_key=f"rounds/{round_id}/fake/{time.monotonic_ns()}.mp4",
                **fields,
            )
            db.session.add(entry)
            db.session.commit()
            return SimpleNamespace(id=entry.id, round_id=round_id)

    return make


@pytest.fixture
def start_server(schema, tmp_path, app):
    """Start real server processes on 127.0.0.1 sharing the test database; stopped after."""
    started = []

    def start(request_log=None, env=None, server_class=Server, **extra):
        config = make_config(schema, app.config["UPLOAD_DIR"], **extra)
        log = tmp_path / f"server{len(started)}.log"
        server = server_class(config, log, request_log, env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def mails(caplog):
    """The mails written to the log for an address (no MAIL_SERVER: mail goes to the log)."""
    caplog.set_level(logging.INFO, logger="contest.mail")

    def read(address):
        return [r.getMessage() for r in caplog.records if f"mail to {address}:" in r.getMessage()]

    return read


@pytest.fixture
def smtp():
    """A real SMTP server (aiosmtpd) on 127.0.0.1 keeping what it receives; stopped after."""
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory):
    """One SeaweedFS for the whole run (signatures checked); each test uses its own bucket."""
    server = SeaweedFS(tmp_path_factory.mktemp("seaweed"))
    try:
        server.start()
    except RuntimeError as error:
        pytest.skip(f"SeaweedFS cannot start here: {error}")
    yield server
    server.stop()


# Private servers that a test may stop, kill and restart (free 127.0.0.1 ports, never the
# machine's shared PostgreSQL and Redis).


@pytest.fixture
def private_redis(tmp_path):
    server = RedisServer(tmp_path)
    try:
        server.start()
    except RuntimeError as error:
        pytest.skip(f"no private Redis here: {error}")
    yield server
    server.stop()


@pytest.fixture
def private_s3(tmp_path, monkeypatch):
    server = SeaweedFS(tmp_path / "weed")
    try:
        server.start()
    except RuntimeError as error:
        pytest.skip(f"SeaweedFS cannot start here: {error}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    yield server
    server.stop()


@pytest.fixture
def private_postgres():
    reason = PostgresCluster.unavailable_reason()
    if reason:
        pytest.skip(reason)
    # not under pytest's tmp_path: its parents are private to root, and postgres must enter
    workdir = tempfile.mkdtemp(prefix="ginga-pg-")
    cluster = PostgresCluster(workdir).init().start()
    yield cluster
    cluster.stop("immediate")
    shutil.rmtree(workdir, ignore_errors=True)
