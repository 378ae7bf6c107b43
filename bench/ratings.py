"""Rating throughput and latency against a real server process, with a live watcher.

python bench/ratings.py [--users 40] [--threads 8] [--seconds 15]
Uses SQLite in a temp folder unless DATABASE_URL is set (then that database is WIPED).
"""

import argparse
import random
import statistics
import threading
import time

import socketio  # noqa: E402
from common import PASSWORD, bench_config, prepare  # also puts the project on sys.path
from servers import Server  # noqa: E402

from contest.extensions import db  # noqa: E402
from contest.models import Entry  # noqa: E402
from contest.rounds import ratings  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--entries", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    config, tmp = bench_config()
    url = config["SQLALCHEMY_DATABASE_URI"]
    app, entry_ids = prepare(config, args.users, args.entries)
    server = Server(config, tmp / "server.log")
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
