"""Page server time under load: home, round and entry pages of a seeded site.

python bench/pages.py [--full] [--seconds 10] [--connections 16] [--worker gthread|gevent]

A round of 50 entries (200 with --full) rated by 200 fans (1,000), served by gunicorn
(gunicorn.conf.py, one worker) pinned to core 0; `wrk` on core 1 asks for each page as an
anonymous visitor for --seconds and reports requests/s and latency p50/p99 (with
--connections in flight, so latency includes queueing at that load). SQLite in a temp folder
unless DATABASE_URL is set (then that database is WIPED).
"""

import argparse
import random
import shutil
import sys
from types import SimpleNamespace

import requests
from common import bench_config, prepare, server_env
from ingest import DONE, gunicorn, stop, wrk

from contest.extensions import db
from contest.models import Round, User
from contest.rounds.rating_batches import RatingChange, apply_changes


def rate_everything(app, entry_ids, rng):
    with app.app_context():
        fans = db.session.execute(
            db.select(User.id, User.created_at).where(User.username.like("fan%"))
        ).all()
        changes = [
            RatingChange(
                SimpleNamespace(id=fan, is_authenticated=True, is_moderator=False, created_at=at),
                entry_id,
                rng.randint(1, 5),
            )
            for fan, at in fans
            for entry_id in rng.sample(entry_ids, min(len(entry_ids), 10))
        ]
        for i in range(0, len(changes), 500):
            apply_changes(changes[i : i + 500])
        db.session.remove()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="200 entries, 1,000 fans, 20 s")
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--worker", choices=["gthread", "gevent"], action="append")
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("taskset"):
        sys.exit("needs wrk and taskset: apt-get install -y wrk util-linux")
    users, entries = (1000, 200) if args.full else (200, 50)
    seconds = args.seconds or (20 if args.full else 10)
    config, tmp = bench_config()
    app, entry_ids = prepare(config, users, entries)
    rate_everything(app, entry_ids, random.Random(7))
    with app.app_context():
        slug = db.session.scalars(db.select(Round.slug)).first()
    env = server_env(config, tmp)
    script = tmp / "page.lua"
    script.write_text(DONE)
    log = open(tmp / "gunicorn.log", "ab")
    rows = []
    for worker in args.worker or ["gthread"]:
        server, url = gunicorn("wsgi:app", env, worker, 16, log)
        try:
            entry_path = requests.get(f"{url}/api/v1/entries/{entry_ids[0]}", timeout=10).json()
            pages = {"home": "/", "round": f"/rounds/{slug}", "entry": entry_path["url"]}
            for name, path in pages.items():
                page = requests.get(url + path, timeout=10)
                assert page.status_code == 200, (path, page.status_code)
                wrk(url + path, script, 2, args.connections)  # warm up
                rows.append((worker, name, len(page.content), wrk(url + path, script, seconds,
                                                                   args.connections)))  # fmt: skip
        finally:
            stop(server)
    log.close()
    print(
        f"database: {config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}   round of {entries} "
        f"entries, {users} fans; gunicorn 1 worker on core 0, wrk {args.connections} "
        f"connections on core 1, {seconds} s per page"
    )
    for worker, name, size, r in rows:
        errors = r["non2xx"] + r["timeouts"] + r["connect"] + r["read"]
        print(
            f"{worker:<8} {name:<6} {size / 1024:6.1f} KB  {r['rate']:7.0f} req/s   "
            f"p50 {r['p50']:6.1f} ms   p99 {r['p99']:6.1f} ms   errors {errors}"
        )


if __name__ == "__main__":
    main()
