"""Rating throughput and latency against a real server process, with a live watcher.

python bench/ratings.py [--users 40] [--threads 8] [--seconds 15]
Uses SQLite in a temp folder unless DATABASE_URL is set (then that database is WIPED).
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import socketio  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from servers import Server  # noqa: E402

from contest import accounts, create_app, ratings  # noqa: E402
from contest.config import database_url  # noqa: E402
from contest.database import apply_migrations  # noqa: E402
from contest.demo import PASSWORD  # noqa: E402
from contest.extensions import db  # noqa: E402
from contest.models import Entry, Round, utcnow  # noqa: E402


def prepare(config, users, entries):
    from datetime import timedelta

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
            accounts.register_user(f"fan{i:03d}", f"fan{i}@example.com", PASSWORD)
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--entries", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = database_url(os.environ.get("DATABASE_URL") or f"sqlite:///{tmp}/bench.db")
    config = {
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": url,
        "AUTO_MIGRATE": False,
        "UPLOAD_DIR": tmp,
        "RATELIMIT_ENABLED": False,
        "SCHEDULER_INTERVAL": 0,
        "REDIS_URL": None,
    }
    app, entry_ids = prepare(config, args.users, args.entries)
    server = Server(config, Path(tmp) / "server.log")
    try:
        sessions = [server.session(f"fan{i:03d}", PASSWORD) for i in range(args.users)]
        watcher = socketio.Client(reconnection=False)
        received = []
        watcher.on("rating", lambda d: received.append(time.monotonic()))
        watcher.connect(server.url, transports=["websocket"])
        watcher.call("join", {"room": f"entry:{entry_ids[0]}"})
        latencies, lock = [], threading.Lock()
        deadline = time.monotonic() + args.seconds

        def work(n):
            rng = random.Random(n)
            while time.monotonic() < deadline:
                s = rng.choice(sessions)
                t0 = time.perf_counter()
                r = s.put(
                    f"{server.url}/api/v1/entries/{rng.choice(entry_ids)}/rating",
                    json={"stars": rng.randint(1, 5)},
                    timeout=30,
                )
                dt = time.perf_counter() - t0
                assert r.status_code == 200, r.text
                with lock:
                    latencies.append(dt)

        start = time.monotonic()
        threads = [threading.Thread(target=work, args=(i,)) for i in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        time.sleep(0.6)
        watcher.disconnect()
        with app.app_context():
            ok = all(
                (db.session.get(Entry, e).rating_count, db.session.get(Entry, e).rating_sum)
                == ratings.recount(e)
                for e in entry_ids
            )
        q = statistics.quantiles(latencies, n=100)
        print(f"database: {url.split(':')[0]}  threads: {args.threads}  users: {args.users}")
        print(f"ratings: {len(latencies)} in {elapsed:.1f}s = {len(latencies) / elapsed:.0f}/s")
        print(
            f"latency ms: p50 {q[49] * 1000:.1f}  p95 {q[94] * 1000:.1f}  max "
            f"{max(latencies) * 1000:.1f}"
        )
        print(
            f"rating events seen by one watcher of a hot entry: {len(received)} "
            f"({len(received) / elapsed:.1f}/s; the cap is 4/s)"
        )
        print(f"aggregates equal recount: {ok}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
