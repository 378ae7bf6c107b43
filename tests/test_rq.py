"""RQ: with JOB_QUEUE=rq, a real `flask worker` process runs video processing and timed work."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from servers import stop_process

from contest.extensions import db
from contest.jobs import RQRunner
from contest.models import Round
from tests.helpers import make_video, upload_video, wait_for, wait_for_status

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="REDIS_URL is not set: no Redis for the RQ job queue"
)


@pytest.fixture
def queue_name():
    return f"ginga-test-{os.getpid()}-{time.monotonic_ns()}"


@pytest.fixture
def config_overrides(queue_name):
    return {"REDIS_URL": REDIS_URL, "JOB_QUEUE": "rq", "JOB_QUEUE_NAME": queue_name}


@pytest.fixture
def worker(app, queue_name, tmp_path):
    """A real `flask worker` process on the same database, uploads folder and queue."""
    env = {
        **os.environ,
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "UPLOAD_DIR": app.config["UPLOAD_DIR"],
        "STORAGE": "local",
        "REDIS_URL": REDIS_URL,
        "JOB_QUEUE": "rq",
        "JOB_QUEUE_NAME": queue_name,
        "AUTO_MIGRATE": "0",
        "SCHEDULER_INTERVAL": "1",
        "SECRET_KEY": "test-secret",
        "MIN_ACCOUNT_AGE_HOURS": "0",
    }
    log = open(tmp_path / "worker.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield proc
    stop_process(proc)
    log.close()
    runner = app.extensions["jobs"]
    runner.redis.delete(f"{queue_name}:tick")
    runner.queue.empty()


def test_uploads_are_processed_by_a_worker_process(
    app, api, make_user, make_round, worker, tmp_path
):
    assert isinstance(app.extensions["jobs"], RQRunner)
    make_user("fan")
    api.login("fan")
    round_ = make_round("open")
    entry_id = upload_video(api, round_.id, make_video(tmp_path))
    body = wait_for_status(api, entry_id)
    assert body["status"] == "live", (tmp_path / "worker.log").read_text()[-3000:]
    assert body["poster_url"] and body["duration"] >= 1.5
    assert worker.poll() is None  # still serving


def test_timed_work_runs_as_a_job_in_the_worker(app, make_round, worker, tmp_path):
    round_ = make_round("closed")  # voting ended, nobody closed it yet

    def closed():
        with app.app_context():
            found = db.session.get(Round, round_.id).closed_at
            db.session.remove()
            return found

    assert wait_for(closed, timeout=20), (tmp_path / "worker.log").read_text()[-3000:]


def test_without_redis_the_worker_command_explains_itself(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "JOB_QUEUE")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path}/w.db", AUTO_MIGRATE="0")
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "REDIS_URL" in result.stderr
