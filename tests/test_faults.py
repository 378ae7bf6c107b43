"""Faults on real servers: a killed app process, Redis, S3 and PostgreSQL going away and back.

Every server a test stops or kills here is private to it (free ports on 127.0.0.1); the
machine's shared PostgreSQL and Redis are never touched.
"""

import json
import signal
import threading
import time
import uuid

import pytest
import requests
import socketio as sio_client
import sqlalchemy as sa
from helpers import core, make_video, wait_for
from servers import Gunicorn

from contest.extensions import db
from contest.models import Entry, Rating
from contest.rounds import ratings


class RatingStream:
    """Fans rating in a loop, one thread each, until stopped or the server is gone.

    acknowledged: (user_id, entry_id) -> stars of the last rating answered 200; unanswered:
    keys whose last request never got an answer (it may or may not have been applied).
    """

    def __init__(self, server, voters, entries):
        self.acknowledged, self.unanswered, self.statuses, self.refused = {}, set(), [], []
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.threads = [
            threading.Thread(
                target=self._rate, args=(server, voter, server.session(voter.username), entries)
            )
            for voter in voters
        ]
        for t in self.threads:
            t.start()

    def _rate(self, server, voter, session, entries):
        n = 0
        while not self.stop_event.is_set():
            entry = entries[n % len(entries)]
            stars = 1 + (n + voter.id) % 5
            n += 1
            key = (voter.id, entry.id)
            try:
                r = session.put(
                    f"{server.url}/api/v1/entries/{entry.id}/rating",
                    json={"stars": stars},
                    timeout=10,
                )
            except requests.RequestException:
                with self.lock:  # never reached the app, or its answer was lost
                    self.unanswered.add(key)
                return
            with self.lock:
                self.statuses.append(r.status_code)
                if r.status_code == 200:
                    self.acknowledged[key] = stars
                else:
                    self.refused.append((r.status_code, r.text))

    def stop(self):
        self.stop_event.set()
        for t in self.threads:
            t.join(10)


def _stored_main_ratings():
    return {
        (r.user_id, r.entry_id): r.stars
        for r in db.session.scalars(sa.select(Rating).where(Rating.stage == "main"))
    }


def _aggregates_equal_a_recount(entries):
    for entry in entries:
        row = db.session.get(Entry, entry.id)
        assert (row.rating_count, row.rating_sum) == ratings.recount(entry.id)


def test_kill_9_during_a_rating_stream_loses_no_acknowledged_rating(
    app, start_server, make_user, make_round, make_entry
):
    author = make_user("author")
    voters = [make_user(f"voter{i}") for i in range(8)]
    round_ = make_round("voting")
    entries = [make_entry(round_.id, author.id, title=f"e{i}") for i in range(4)]
    server = start_server()
    stream = RatingStream(server, voters, entries)
    wait_for(lambda: len(stream.statuses) >= 40, timeout=30)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(10)
    stream.stop()
    acknowledged = stream.acknowledged
    assert len(acknowledged) >= 8, "too few ratings got through before the kill"
    with app.app_context():
        stored = _stored_main_ratings()
        assert set(acknowledged) <= set(stored)  # every acknowledged rating is stored
        differing = [key for key, stars in acknowledged.items() if stored[key] != stars]
        # only a request in flight at the kill (one per voter) may have committed unanswered
        assert len(differing) <= len(voters)
        assert len({user_id for user_id, _ in differing}) == len(differing)
        _aggregates_equal_a_recount(entries)


@pytest.mark.parametrize("worker", ["gthread", "gevent"])
def test_sigterm_during_a_rating_stream_loses_no_acknowledged_rating(
    app, start_server, make_user, make_round, make_entry, worker
):
    """gunicorn gets SIGTERM while eight fans rate: every rating answered 200 is stored with
    its stars, every other answer is a 503 (never applied), websockets get a close, and the
    process exits well before its graceful timeout."""
    author = make_user("author")
    voters = [make_user(f"voter{i}") for i in range(8)]
    round_ = make_round("voting")
    entries = [make_entry(round_.id, author.id, title=f"e{i}") for i in range(4)]
    server = start_server(
        server_class=Gunicorn,
        env={"WORKER_CLASS": worker},
        TESTING=False,
        LOG_FORMAT="json",
        JOB_QUEUE="threads",  # gevent refuses in-process video jobs unless told (no Redis here)
    )
    viewer = sio_client.Client(reconnection=False)
    closed = threading.Event()
    viewer.on("disconnect", lambda *reason: closed.set())
    viewer.connect(server.url, transports=["websocket"], wait_timeout=10)
    assert viewer.call("join", {"room": f"round:{round_.id}"}, timeout=5)["ok"]
    stream = RatingStream(server, voters, entries)
    wait_for(lambda: len(stream.statuses) >= 40, timeout=30)
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    assert closed.wait(15), "the websocket was not closed"
    server.process.wait(25)
    took = time.monotonic() - started
    stream.stop()
    assert server.process.returncode == 0
    assert all(
        status == 503 and json.loads(text)["error"]["code"] == "rating_unavailable"
        for status, text in stream.refused
    ), stream.refused[:3]
    assert took < 20, f"shutdown took {took:.1f} s"
    with app.app_context():
        stored = _stored_main_ratings()
        assert set(stream.acknowledged) <= set(stored)
        for key, stars in stream.acknowledged.items():
            if key not in stream.unanswered:  # a lost answer may have been applied
                assert stored[key] == stars, key
        _aggregates_equal_a_recount(entries)
    log = [json.loads(line) for line in server.log_path.read_text().splitlines() if line[:1] == "{"]
    answered = [line for line in log if line.get("logger") == "contest.requests"]
    assert len(answered) >= 40 and all(line["request_id"] != "-" for line in answered)
    assert any("shutting down" in line["message"] for line in log)


def test_dropped_database_connections_reconnect_without_errors(
    app, start_server, make_user, make_round, make_entry
):
    author = make_user("author")
    make_user("fan")
    round_ = make_round("voting")
    entry = make_entry(round_.id, author.id)
    server = start_server()
    fan = server.session("fan")
    assert fan.put(f"{server.url}/api/v1/entries/{entry.id}/rating", json={"stars": 3}).ok
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            # cut every other connection to the database, as a failover or restart would
            killed = db.session.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar()
            db.session.commit()
            assert killed >= 1
    statuses = []
    for stars in (4, 5, 2, 1, 5):
        statuses.append(
            fan.put(
                f"{server.url}/api/v1/entries/{entry.id}/rating", json={"stars": stars}, timeout=10
            ).status_code
        )
        statuses.append(fan.get(f"{server.url}/rounds/{round_.slug}", timeout=10).status_code)
    assert statuses == [200] * 10
    with app.app_context():
        row = db.session.get(Entry, entry.id)
        assert (row.rating_count, row.rating_sum) == (1, 5) == ratings.recount(entry.id)


def test_redis_stopped_and_restarted_pauses_live_updates_only(
    private_redis, start_server, make_user, make_round, make_entry
):
    settings = {
        "REDIS_URL": private_redis.url,
        "SOCKETIO_CHANNEL": f"ginga-fault-{uuid.uuid4().hex[:8]}",
        "RATELIMIT_ENABLED": True,  # limits live in Redis too: they must not fail requests
    }
    one, two = start_server(**settings), start_server(**settings)
    author = make_user("author")
    make_user("fan")
    round_ = make_round("voting")
    entry = make_entry(round_.id, author.id)
    viewer = sio_client.Client(reconnection=False)
    got = []
    viewer.on("rating", got.append)
    viewer.connect(two.url, transports=["websocket"], wait_timeout=10)
    fan = one.session("fan")

    def rate(stars):
        url = f"{one.url}/api/v1/entries/{entry.id}/rating"
        r = fan.put(url, json={"stars": stars}, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()["rating"]

    try:
        assert viewer.call("join", {"room": f"entry:{entry.id}"}, timeout=5)["ok"]
        last = rate(3)
        wait_for(lambda: got and core(got[-1]) == {"entry_id": entry.id, **last}, timeout=10)

        private_redis.stop()
        for stars in (4, 5, 1):  # the site goes on: ratings stored, pages served
            last = rate(stars)
            for server in (one, two):
                assert fan.get(f"{server.url}/rounds/{round_.slug}", timeout=10).status_code == 200
                assert fan.get(f"{server.url}/api/v1/entries/{entry.id}").status_code == 200
        assert last["count"] == 1 and last["average"] == 1.0

        private_redis.start()  # same port: both processes reconnect by themselves
        stars = iter([2, 3, 4, 5] * 10)

        def resumed():
            latest = rate(next(stars))
            time.sleep(0.5)
            return got and core(got[-1]) == {"entry_id": entry.id, **latest}

        assert wait_for(resumed, timeout=40, interval=0.5), "live updates did not resume"
        assert one.process.poll() is None and two.process.poll() is None
    finally:
        viewer.disconnect()


@pytest.fixture
def config_overrides(request):
    """S3 settings only for the test that asked for a private endpoint."""
    if "private_s3" not in request.fixturenames:
        return {}
    server = request.getfixturevalue("private_s3")
    return {
        "STORAGE": "s3",
        "S3_BUCKET": f"ginga-{uuid.uuid4().hex[:10]}",
        "S3_ENDPOINT_URL": server.url,
        "SITE_URL": "http://127.0.0.1:5000",
        "UPLOAD_PART_SIZE": 5 * 1024 * 1024,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }


def test_s3_stopped_during_an_upload_is_503_then_the_upload_resumes(
    private_s3, app, runner, make_user, new_api, make_round, tmp_path
):
    assert runner.invoke(args=["storage", "setup"]).exit_code == 0
    make_user("ana")
    fan = new_api("ana")
    video = make_video(tmp_path, name="big.mp4", seconds=3, width=640, height=360, noise=True)
    data = video.read_bytes()
    part_size = 5 * 1024 * 1024
    assert len(data) > part_size  # two parts at least
    started = fan.post(
        "/api/v1/uploads",
        {
            "round_id": make_round("open").id,
            "title": "Through the outage",
            "filename": video.name,
            "size": len(data),
            "content_type": "video/mp4",
        },
    ).get_json()
    upload = f"/api/v1/uploads/{started['upload_id']}"
    first = requests.put(started["parts"][0]["url"], data=data[:part_size], timeout=30)
    assert first.status_code == 200

    private_s3.stop()  # the endpoint goes away between two parts
    with pytest.raises(requests.ConnectionError):
        requests.put(started["parts"][1]["url"], data=data[part_size:], timeout=10)
    for answer in (fan.get(upload), fan.post(f"{upload}/complete")):
        assert answer.status_code == 503, answer.get_data(as_text=True)
        error = answer.get_json()["error"]
        assert error["code"] == "storage_unavailable" and "try again" in error["message"]
    assert fan.get(f"/api/v1/entries/{started['entry_id']}").get_json()["status"] == "uploading"

    private_s3.restart()  # back: ask what is stored, send what is missing, finish
    state = fan.get(upload).get_json()
    assert [p["number"] for p in state["parts"]] == [1] and state["missing"] == [2]
    rest = requests.put(state["targets"][0]["url"], data=data[part_size:], timeout=30)
    assert rest.status_code == 200
    done = fan.post(f"{upload}/complete")
    assert done.status_code == 202, done.get_data(as_text=True)

    def finished():
        body = fan.get(f"/api/v1/entries/{started['entry_id']}").get_json()
        return body if body["status"] in ("live", "rejected") else None

    entry = wait_for(finished, timeout=60)
    assert entry["status"] == "live", entry
    with app.app_context():  # the original, whole (grain over 5 Mbit/s plays from its 720p copy)
        from contest.entries.storage import get_storage

        stored = get_storage().read(db.session.get(Entry, entry["id"]).video_key)
    assert stored == data
    assert requests.get(entry["video_url"], timeout=10).status_code == 200


def test_postgresql_restarted_gives_503s_then_serves_again(private_postgres, tmp_path):
    from conftest import make_config
    from servers import Server

    from contest import create_app
    from contest.accounts import users as accounts
    from contest.database import apply_migrations

    config = make_config(private_postgres.url, tmp_path / "uploads")
    setup = create_app(config)
    apply_migrations(setup)
    with setup.app_context():
        accounts.register_user("fan", "fan@example.com", "correct horse", verified=True)
        db.engine.dispose()
    server = Server(config, tmp_path / "server.log")
    try:
        fan = server.session("fan")
        assert fan.get(f"{server.url}/api/v1/me", timeout=10).status_code == 200
        private_postgres.stop("immediate")  # a crash: every pooled connection is dead
        down = [fan.get(f"{server.url}/api/v1/me", timeout=10) for _ in range(3)]
        down.append(fan.get(f"{server.url}/", timeout=10))
        assert [r.status_code for r in down] == [503] * 4
        assert down[0].json()["error"]["code"] == "database_unavailable"
        assert "try again" in down[-1].text
        private_postgres.start()
        back = [fan.get(f"{server.url}/api/v1/me", timeout=10) for _ in range(5)]
        back.append(fan.get(f"{server.url}/", timeout=10))
        assert [r.status_code for r in back] == [200] * 6, [r.text[:200] for r in back]
        assert back[0].json()["username"] == "fan"
    finally:
        server.stop()
