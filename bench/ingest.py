"""Rating ingest under gunicorn pinned to one core, against hello-world on the same config.

python bench/ingest.py [--full] [--seconds 15] [--connections 64] [--worker gthread|gevent]
                       [--floor]

gunicorn (gunicorn.conf.py, 1 worker; gthread with --threads 16, then -k gevent) runs on core
0 with `taskset`; the load
comes from `wrk` (apt-get install wrk) on core 1: first GET /hello of bench/hello.py, then
PUT /api/v1/entries/<id>/rating from many signed-in fans (each request carries its own fan's
session cookie and CSRF token). A rating is acknowledged only after it is committed; at the end
every entry's aggregates are compared with a recount. SQLite in a temp folder unless
DATABASE_URL is set (then that database is WIPED).

--floor also runs bench/floor_app.py, the least the same two requests cost on Flask +
Flask-Login + SQLite without Ginga's rules, under the same gunicorn and wrk scripts.
"""

import argparse
import json
import random
import shutil
import subprocess
import sys

import floor_app
import requests
from common import PASSWORD, ROOT, bench_config, prepare, server_env, wait_until_up
from servers import free_port

from contest.extensions import db
from contest.models import Entry
from contest.rounds import ratings

LUA = """
local users = %(users)s
local entries = %(entries)s
local counter = 0
request = function()
  counter = counter + 1
  local u = users[(counter %% #users) + 1]
  local e = entries[(math.random(#entries))]
  local body = '{"stars": ' .. math.random(1, 5) .. '}'
  return wrk.format("PUT", "/api/v1/entries/" .. e .. "/rating", {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "%(agent)s",
    ["Cookie"] = u[1],
    ["X-CSRFToken"] = u[2],
  }, body)
end
"""

ME_LUA = """
local users = %(users)s
local counter = 0
request = function()
  counter = counter + 1
  local u = users[(counter %% #users) + 1]
  return wrk.format("GET", "/api/v1/me", {["Cookie"] = u[1], ["User-Agent"] = "%(agent)s"})
end
"""

DONE = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "p50": %f, "p90": %f, "p99": %f, "max": %f, ' ..
    '"non2xx": %d, "timeouts": %d, "connect": %d, "read": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3,
    errors.status, errors.timeout, errors.connect, errors.read))
end
"""


def gunicorn(app_path, env, worker, threads, log):
    port = free_port()
    command = [
        "taskset", "-c", "0",
        sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
        "--worker-class", worker, "--threads", str(threads), "--bind", f"127.0.0.1:{port}",
        app_path,
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_up(process, url + "/")
    return process, url


def stop(process):
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wrk(url, script, seconds, connections):
    command = [
        "taskset", "-c", "1", "wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s",
        "--timeout", "5s", "-s", str(script), url,
    ]  # fmt: skip
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["rate"] = result["requests"] / result["seconds"]
    return result


# the browser that signed in sends every later request: the same User-Agent (Flask-Login's
# session protection marks a session whose browser changed as not fresh, re-sending the cookie)
AGENT = "Mozilla/5.0 (Linux; Android 14) Ginga-bench"


def signed_in_fans(url, users):
    """(cookie header, CSRF token) of `users` fans signed in on this server."""
    fans = []
    for i in range(users):
        s = requests.Session()
        s.headers["User-Agent"] = AGENT
        token = s.get(url + "/api/v1/csrf", timeout=10).json()["csrf_token"]
        r = s.post(
            url + "/api/v1/auth/login",
            json={"login": f"fan{i:03d}", "password": PASSWORD},
            headers={"X-CSRFToken": token},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        fans.append(("; ".join(f"{c.name}={c.value}" for c in s.cookies), token))
    random.shuffle(fans)
    return "{" + ",".join(f"{{{json.dumps(c)},{json.dumps(t)}}}" for c, t in fans) + "}"


def rating_script(table, entry_ids):
    """A wrk script sending PUT rating requests, each as one of many signed-in fans."""
    entries = "{" + ",".join(map(str, entry_ids)) + "}"
    return LUA % {"users": table, "entries": entries, "agent": AGENT} + DONE


def me_script(table):
    """A wrk script asking GET /api/v1/me, each request as one of many signed-in fans."""
    return ME_LUA % {"users": table, "agent": AGENT} + DONE


def read_and_rate(url, me, script, seconds, connections):
    """Warm up, then measure the signed-in read and then the rating: (read, rated)."""
    results = []
    for lua in (me, script):
        wrk(url, lua, 2, connections)  # warm up
        results.append(wrk(url, lua, seconds, connections))
    return tuple(results)


def floor(env, tmp, worker, args, users, seconds, entry_ids, log):
    """The same signed-in read and rating against bench/floor_app.py: (read, rated)."""
    path = tmp / f"floor-{worker}.db"
    floor_app.setup(path, entry_ids)
    server, url = gunicorn("bench.floor_app:app", dict(env, FLOOR_DB=str(path)), worker,
                           args.threads, log)  # fmt: skip
    try:
        table = signed_in_fans(url, users)
        script, me = tmp / "floor.lua", tmp / "floor-me.lua"
        script.write_text(rating_script(table, entry_ids))
        me.write_text(me_script(table))
        return read_and_rate(url, me, script, seconds, args.connections)
    finally:
        stop(server)


def show(name, r):
    errors = r["non2xx"] + r["timeouts"] + r["connect"] + r["read"]
    print(
        f"{name:<12} {r['rate']:8.0f} req/s   p50 {r['p50']:6.1f} ms   p90 {r['p90']:6.1f} ms   "
        f"p99 {r['p99']:6.1f} ms   max {r['max']:7.1f} ms   errors {errors}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="1,000 fans, 200 entries, 30 s")
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=16, help="gunicorn gthread threads")
    parser.add_argument("--worker", choices=["gthread", "gevent"], action="append")
    parser.add_argument("--floor", action="store_true", help="also run bench/floor_app.py")
    args = parser.parse_args()
    if not shutil.which("wrk") or not shutil.which("taskset"):
        sys.exit("needs wrk and taskset: apt-get install -y wrk util-linux")
    users, entries = (1000, 200) if args.full else (200, 50)
    seconds = args.seconds or (30 if args.full else 10)
    config, tmp = bench_config()
    app, entry_ids = prepare(config, users, entries)
    env = server_env(config, tmp)
    log = open(tmp / "gunicorn.log", "ab")
    hello_script = tmp / "hello.lua"
    hello_script.write_text(DONE)
    results = []
    for worker in args.worker or ["gthread", "gevent"]:
        hello, url = gunicorn("bench.hello:app", env, worker, args.threads, log)
        try:
            wrk(url + "/hello", hello_script, 2, args.connections)  # warm up
            base = wrk(url + "/hello", hello_script, seconds, args.connections)
        finally:
            stop(hello)
        server, url = gunicorn("wsgi:app", env, worker, args.threads, log)
        try:
            script, me = tmp / "ingest.lua", tmp / "me.lua"
            if not script.exists():
                table = signed_in_fans(url, users)
                script.write_text(rating_script(table, entry_ids))
                me.write_text(me_script(table))
            read, rated = read_and_rate(url, me, script, seconds, args.connections)
        finally:
            stop(server)
        results.append((worker, base, read, rated))
        if args.floor:
            floor_read, floor_rated = floor(env, tmp, worker, args, users, seconds, entry_ids, log)
            results.append((f"{worker} floor", base, floor_read, floor_rated))
    log.close()
    with app.app_context():
        rows = db.session.query(Entry).filter(Entry.id.in_(entry_ids)).all()
        exact = all((e.rating_count, e.rating_sum) == ratings.recount(e.id) for e in rows)
        stored = sum(e.rating_count for e in rows)
    print(
        f"database: {config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}   fans: {users}   "
        f"entries: {entries}   gunicorn 1 worker on core 0 (gthread: {args.threads} threads), "
        f"wrk {args.connections} connections on core 1, {seconds} s each"
    )
    for worker, base, read, rated in results:
        if not worker.endswith(" floor"):
            show(f"{worker} hello", base)
        show(f"{worker} GET /me", read)
        show(f"{worker} rating", rated)
        print(
            f"{worker} ratios to hello-world: GET /api/v1/me {read['rate'] / base['rate']:.2f}x, "
            f"rating PUT {rated['rate'] / base['rate']:.2f}x"
        )
    print(f"distinct (fan, entry) ratings stored: {stored}; aggregates equal a recount: {exact}")


if __name__ == "__main__":
    main()
