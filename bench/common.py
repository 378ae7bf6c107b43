"""Shared set-up for the benchmarks: a fresh database with one voting round, fans and entries."""

import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import sqlalchemy as sa  # noqa: E402

from contest import create_app  # noqa: E402
from contest.accounts import users as accounts  # noqa: E402
from contest.config import database_url  # noqa: E402
from contest.database import apply_migrations  # noqa: E402
from contest.demo import PASSWORD  # noqa: E402
from contest.extensions import db  # noqa: E402
from contest.models import Entry, Round, utcnow  # noqa: E402


def bench_config(**extra):
    """SQLite in a temp folder unless DATABASE_URL is set (that database is WIPED)."""
    tmp = tempfile.mkdtemp(prefix="ginga-bench-")
    url = database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.db")
    config = {
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": url,
        "AUTO_MIGRATE": False,
        "UPLOAD_DIR": tmp,
        "RATELIMIT_ENABLED": False,
        "SCHEDULER_INTERVAL": 0,
        "REDIS_URL": None,
        "MIN_ACCOUNT_AGE_HOURS": 0,
        "SOCKETS_PER_ADDRESS": 0,  # every simulated viewer comes from 127.0.0.1
        "SOCKETS_PER_SESSION": 0,
    }
    config.update(extra)
    return config, Path(tmp)


def server_env(config, tmp, **extra):
    """Environment for a server process (gunicorn, Node's clients) on the benchmark's database.

    Rate limits, connection caps, the scheduler and the access log are off, jobs run in
    threads; Redis only when passed in `extra` (REDIS_URL=...).
    """
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(
        DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"],
        SECRET_KEY=config["SECRET_KEY"],
        UPLOAD_DIR=str(tmp),
        AUTO_MIGRATE="0",
        RATELIMIT_ENABLED="0",
        SCHEDULER_INTERVAL="0",
        MIN_ACCOUNT_AGE_HOURS="0",
        SOCKETS_PER_ADDRESS="0",  # every simulated viewer comes from 127.0.0.1
        SOCKETS_PER_SESSION="0",
        ACCESS_LOG="",  # nginx in front keeps the access log
        JOB_QUEUE="threads",  # no uploads here; allows -k gevent without Redis
    )
    env.update(extra)
    return env


def wait_until_up(process, url, seconds=60):
    """Poll url until it answers (any status). Any request error while starting (refused,
    reset, a read timeout while the app warms up) means "not ready yet"; a process that
    exited is an error at once."""
    import time

    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}")
        try:
            requests.get(url, timeout=5)
            return
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def prepare(config, users, entries):
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.remove()
    apply_migrations(app)
    with app.app_context():
        now = utcnow()
        round_ = Round(
            slug="bench",
            title="Bench",
            submissions_open_at=now - timedelta(days=1),
            submissions_close_at=now + timedelta(days=1),
            voting_open_at=now - timedelta(days=1),
            voting_close_at=now + timedelta(days=2),
        )
        db.session.add(round_)
        db.session.commit()
        author = accounts.register_user("author", "author@example.com", PASSWORD)
        for i in range(users):
            accounts.register_user(f"fan{i:03d}", f"fan{i}@example.com", PASSWORD, verified=True)
        ids = []
        for i in range(entries):
            e = Entry(
                round_id=round_.id,
                author_id=author.id,
                title=f"e{i}",
                status="live",
                video_key=f"x/{i}",
            )
            db.session.add(e)
            db.session.flush()
            ids.append(e.id)
        db.session.commit()
    return app, ids
