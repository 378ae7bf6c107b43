"""Live fan-out: viewers of a round's entries getting `rating` events while ratings flow.

python bench/fanout.py [--full] [--viewers 500] [--seconds 10] [--rate 500]

Needs REDIS_URL, node and taskset. Shape (the scale-out one): a rating source process commits
--rate ratings/s spread over 20 entries through the real code path (ratings.apply_changes,
the coalescing broadcaster, the Redis message queue); the server under test, pinned to core
0, relays those events to its viewers; the viewers are Socket.IO clients in one Node process
on core 1, each watching one entry, measuring the delay from the rating's commit
(`changed_at`) to receipt. Servers compared, each under the same stream:
  - Ginga under gunicorn gthread (threading mode, one thread per websocket),
  - Ginga under gunicorn -k gevent (one greenlet per websocket),
  - a minimal Node socket.io server relaying the same Redis channel (bench/fanout/server.js).
SQLite in a temp folder unless DATABASE_URL is set (then that database is WIPED).
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
import uuid
from types import SimpleNamespace

from common import ROOT, bench_config, prepare, server_env, wait_until_up
from servers import free_port

HERE = ROOT / "bench" / "fanout"
ENTRIES = 20
TICK = os.sysconf("SC_CLK_TCK")


def rating_source(config, rate):
    """Commit `rate` ratings per second in batches every 20 ms, until killed."""
    from contest import create_app
    from contest.extensions import db
    from contest.models import Entry, User
    from contest.rounds.rating_batches import RatingChange, apply_changes

    app = create_app(config)
    with app.app_context():
        fans = [
            SimpleNamespace(id=i, is_authenticated=True, is_moderator=False, created_at=at)
            for i, at in db.session.execute(
                db.select(User.id, User.created_at).where(User.username.like("fan%"))
            )
        ]
        entries = db.session.scalars(db.select(Entry.id)).all()
        db.session.remove()
    rng, per_tick, next_tick = random.Random(1), max(1, rate // 50), time.monotonic()
    while True:
        changes = [
            RatingChange(
                rng.choice(fans),
                rng.choice(entries),
                rng.randint(1, 5),
            )
            for _ in range(per_tick)
        ]
        with app.app_context():
            apply_changes(changes)
            db.session.remove()
        next_tick += 0.02
        time.sleep(max(0, next_tick - time.monotonic()))


def cpu_seconds(pid):
    """User + system CPU of a process and its children (gunicorn's master and worker)."""
    total = 0.0
    pids = [pid] + [
        int(p)
        for p in subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True
        ).stdout.split()
    ]
    for p in pids:
        try:
            fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICK
        except OSError:
            pass
    return total


def start(command, env, url, log):
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_until_up(process, url)
    return process


def stop(process):
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def measure(name, command, env, viewers, seconds, rooms, log):
    port = free_port()
    command = [c.replace("PORT", str(port)) for c in command]
    url = f"http://127.0.0.1:{port}"
    server = start(["taskset", "-c", "0", *command], env, url + "/", log)
    try:
        clients = subprocess.Popen(
            ["taskset", "-c", "1", "node", str(HERE / "clients.js"), url, str(viewers),
             str(seconds), ",".join(rooms)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        # the clients connect first (a second per 50-100 viewers), then measure `seconds`
        time.sleep(max(2.0, viewers / 150))
        cpu_before, t_before = cpu_seconds(server.pid), time.monotonic()
        out, _ = clients.communicate(timeout=seconds + viewers / 10 + 120)
        cpu = (cpu_seconds(server.pid) - cpu_before) / (time.monotonic() - t_before)
        result = json.loads(out.strip().splitlines()[-1])
        result["cpu"] = cpu
        result["name"] = name
        return result
    finally:
        stop(server)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="1,000 and 2,000 viewers, 20 s")
    parser.add_argument("--viewers", type=int, action="append")
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--rate", type=int, default=500, help="ratings per second")
    parser.add_argument("--only", choices=["gthread", "gevent", "node"], action="append")
    parser.add_argument("--source", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.source:
        return rating_source(json.loads(args.source), args.rate)
    if not os.environ.get("REDIS_URL"):
        sys.exit("needs REDIS_URL: the rating source and the servers talk through Redis")
    for tool in ("node", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"needs {tool}")
    if not (HERE / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    viewer_counts = args.viewers or ([1000, 2000] if args.full else [500])
    seconds = args.seconds or (20 if args.full else 10)
    channel = f"ginga-fanout-{uuid.uuid4().hex[:8]}"
    config, tmp = bench_config(
        REDIS_URL=os.environ["REDIS_URL"], SOCKETIO_CHANNEL=channel, JOB_QUEUE="threads"
    )
    app, entry_ids = prepare(config, 300, ENTRIES)
    rooms = [f"entry:{e}" for e in entry_ids]
    env = server_env(config, tmp, REDIS_URL=os.environ["REDIS_URL"], SOCKETIO_CHANNEL=channel)
    log = open(tmp / "servers.log", "ab")
    source = subprocess.Popen(
        ["taskset", "-c", "1", sys.executable, __file__, "--rate", str(args.rate),
         "--source", json.dumps(config)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "--bind",
                "127.0.0.1:PORT", "--graceful-timeout", "2", "wsgi:app"]  # fmt: skip
    results = []
    try:
        time.sleep(2)
        for viewers in viewer_counts:
            kinds = {
                "gthread": (gunicorn, {"WORKER_CLASS": "gthread", "THREADS": str(viewers + 64)}),
                "gevent": (gunicorn, {"WORKER_CLASS": "gevent", "CONNECTIONS": str(viewers + 64)}),
                "node": (
                    ["node", str(HERE / "server.js"), "PORT", os.environ["REDIS_URL"], channel],
                    {},
                ),
            }
            for name in args.only or list(kinds):
                command, extra = kinds[name]
                try:
                    r = measure(name, command, {**env, **extra}, viewers, seconds, rooms, log)
                except Exception as error:  # a collapse is a result too
                    r = {"name": name, "error": str(error)}
                r["viewers"] = viewers
                results.append(r)
                print(json.dumps(r), flush=True)
    finally:
        stop(source)
        log.close()
    print(
        f"\nrating source: {args.rate} ratings/s over {ENTRIES} entries; server on core 0, "
        f"{seconds} s measured per run"
    )
    print("delay = receipt - commit of the newest rating shown; relay = receipt - send (ms)")
    print(f"{'server':<8} {'viewers':>7} {'joined':>6} {'p50':>6} {'p99':>6} {'max':>6} "
          f"{'relay50':>7} {'relay99':>7} {'ev/viewer/s':>11} {'ev/entry/s':>10} "
          f"{'CPU':>5}")  # fmt: skip
    for r in results:
        if "error" in r:
            print(f"{r['name']:<8} {r['viewers']:>7}  failed: {r['error']}")
            continue
        print(
            f"{r['name']:<8} {r['viewers']:>7} {r['joined']:>6} {r['p50'] or 0:>6} "
            f"{r['p99'] or 0:>6} {r['max'] or 0:>6} {r['relay_p50'] or 0:>7} "
            f"{r['relay_p99'] or 0:>7} {r['events_per_viewer_per_s']:>11.2f} "
            f"{r['max_events_per_entry_per_s']:>10.2f} {r['cpu'] * 100:>4.0f}%"
        )


if __name__ == "__main__":
    main()
