"""The scale-out shape: two app processes, an RQ worker process, Redis and a real S3 endpoint.

An upload goes through process A straight to the bucket, the worker process turns it live,
and the fan connected to process B sees it happen; a rating cast on A moves B's leaderboard.
Runs on PostgreSQL when DATABASE_URL is set (CI), on the shared SQLite file otherwise.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import socketio as sio_client
from helpers import make_video, wait_for
from seaweed import ACCESS_KEY, SECRET_KEY
from servers import stop_process

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL")
MiB = 1024 * 1024
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="REDIS_URL is not set: no Redis for the message queue and RQ"
)


@pytest.fixture
def config_overrides(seaweed, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    tag = uuid.uuid4().hex[:10]
    return {
        "STORAGE": "s3",
        "S3_BUCKET": f"ginga-{tag}",
        "S3_ENDPOINT_URL": seaweed.url,
        "SITE_URL": "http://127.0.0.1:5000",
        "UPLOAD_PART_SIZE": 5 * MiB,
        "MAX_CONTENT_LENGTH": 1 * MiB,
        "REDIS_URL": REDIS_URL,
        "JOB_QUEUE": "rq",
        "JOB_QUEUE_NAME": f"ginga-scale-{tag}",
        "SOCKETIO_CHANNEL": f"ginga-scale-{tag}",
    }


@pytest.fixture
def worker(app, runner, config_overrides, tmp_path):
    """`flask worker` as its own process, configured only through the environment."""
    assert runner.invoke(args=["storage", "setup"]).exit_code == 0
    env = {
        **os.environ,
        **{k: str(v) for k, v in config_overrides.items()},
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "AUTO_MIGRATE": "0",
        "SECRET_KEY": "test-secret",
        "SCHEDULER_INTERVAL": "0",
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    proc.log_path = log_path
    yield proc
    stop_process(proc)
    jobs = app.extensions["jobs"]
    jobs.queue.empty()
    jobs.redis.delete(f"{config_overrides['JOB_QUEUE_NAME']}:tick")


def connect(server, session, room=None):
    """A real Socket.IO client on this server carrying the fan's session cookie."""
    client = sio_client.Client(reconnection=False)
    got = []
    client.on("*", lambda event, data: got.append((event, data)))
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    client.connect(server.url, headers={"Cookie": cookie}, transports=["websocket"])
    if room:
        assert client.call("join", {"room": room}, timeout=5)["ok"]
    return client, got


def test_upload_on_a_goes_live_through_the_worker_and_shows_on_b(
    start_server, config_overrides, worker, make_user, make_round, tmp_path
):
    make_user("ana")
    make_user("bob")
    round_ = make_round("open")
    a, b = start_server(**config_overrides), start_server(**config_overrides)
    ana_a, ana_b, bob_a = a.session("ana"), b.session("ana"), a.session("bob")
    uploader, uploader_events = connect(b, ana_b)
    watcher, round_events = connect(b, b.session(), room=f"round:{round_.id}")
    try:
        video = make_video(tmp_path, seconds=2)
        data = video.read_bytes()
        started = ana_a.post(
            f"{a.url}/api/v1/uploads",
            json={
                "round_id": round_.id,
                "title": "Across processes",
                "filename": video.name,
                "size": len(data),
                "content_type": "video/mp4",
            },
            timeout=10,
        ).json()
        part = started["parts"][0]
        stored = requests.put(part["url"], data=data, timeout=30)
        assert stored.status_code == 200
        done = ana_a.post(
            f"{a.url}/api/v1/uploads/{started['upload_id']}/complete",
            json={"parts": [{"number": 1, "etag": stored.headers["ETag"]}]},
            timeout=30,
        )
        assert done.status_code == 202, done.text
        entry_id = started["entry_id"]

        def settled():
            for event, body in uploader_events:
                if event == "entry_status" and body["entry_id"] == entry_id:
                    if body["status"] in ("live", "rejected"):
                        return body
            return None

        status = wait_for(settled, timeout=60)
        assert status["status"] == "live", (status, worker.log_path.read_text()[-3000:])
        assert worker.poll() is None
        on_b = ana_b.get(f"{b.url}/api/v1/entries/{entry_id}", timeout=10).json()
        assert on_b["status"] == "live" and on_b["poster_url"]
        page = ana_b.get(f"{b.url}/rounds/{round_.slug}", timeout=10)
        assert "Across processes" in page.text

        # a rating cast on A moves the leaderboard of a viewer connected to B
        r = bob_a.put(f"{a.url}/api/v1/entries/{entry_id}/rating", json={"stars": 4}, timeout=10)
        assert r.status_code == 200, r.text

        def on_board():
            for event, body in round_events:
                if event == "leaderboard" and any(
                    row["entry_id"] == entry_id and row["count"] == 1 for row in body["top"]
                ):
                    return True
            return False

        assert wait_for(on_board, timeout=15), round_events
    finally:
        uploader.disconnect()
        watcher.disconnect()
        time.sleep(0.1)
