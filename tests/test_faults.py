"""Faults on real servers: a killed app process, dropped database connections."""

import signal
import threading
import time

import requests
import sqlalchemy as sa

from contest import ratings
from contest.extensions import db
from contest.models import Entry, Rating


def test_kill_9_during_a_rating_stream_loses_no_acknowledged_rating(
    app, start_server, make_user, make_round, make_entry
):
    author = make_user("author")
    voters = [make_user(f"voter{i}") for i in range(8)]
    round_ = make_round("voting")
    entries = [make_entry(round_.id, author.id, title=f"e{i}") for i in range(4)]
    server = start_server()
    sessions = [server.session(v.username) for v in voters]
    acknowledged = {}  # (user_id, entry_id) -> stars of the last rating answered 200
    lock = threading.Lock()
    stop = threading.Event()

    def stream(voter, session):
        n = 0
        while not stop.is_set():
            entry = entries[n % len(entries)]
            stars = 1 + (n + voter.id) % 5
            n += 1
            try:
                r = session.put(
                    f"{server.url}/api/v1/entries/{entry.id}/rating",
                    json={"stars": stars},
                    timeout=5,
                )
            except requests.RequestException:
                return  # the server is gone
            if r.status_code == 200:
                with lock:
                    acknowledged[(voter.id, entry.id)] = stars

    threads = [
        threading.Thread(target=stream, args=(v, s)) for v, s in zip(voters, sessions, strict=True)
    ]
    for t in threads:
        t.start()
    time.sleep(1.5)
    server.process.send_signal(signal.SIGKILL)
    server.process.wait(10)
    stop.set()
    for t in threads:
        t.join(10)
    assert len(acknowledged) >= 8, "too few ratings got through before the kill"
    with app.app_context():
        stored = {
            (r.user_id, r.entry_id): r.stars
            for r in db.session.scalars(sa.select(Rating).where(Rating.stage == "main"))
        }
        assert set(acknowledged) <= set(stored)  # every acknowledged rating is stored
        differing = [key for key, stars in acknowledged.items() if stored[key] != stars]
        # only a request in flight at the kill (one per voter) may have committed unanswered
        assert len(differing) <= len(voters)
        assert len({user_id for user_id, _ in differing}) == len(differing)
        for entry in entries:
            row = db.session.get(Entry, entry.id)
            assert (row.rating_count, row.rating_sum) == ratings.recount(entry.id)


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
