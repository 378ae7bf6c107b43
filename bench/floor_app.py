"""The floor of the stack for bench/ingest.py --floor: the least a signed-in read and a rating
can cost on Flask + Flask-Login + SQLite, with none of Ginga's rules.

Same paths as the site, so the same wrk scripts drive it. A fan's user comes from a dict (no
database, no ban or session check), answers carry no request id, log line, metric or
security header, and a rating is one SQLite transaction per request (WAL, synchronous=NORMAL:
read the old stars, write the row, move the entry's count and sum, commit) with no CSRF
check, no voting window, no batching. Sign-in takes any password: it is not measured.
FLOOR_DB names the SQLite file (SQLite even when the site's run uses DATABASE_URL); `setup`
creates it.
"""

import os
import sqlite3
import threading

from flask import Flask, abort, jsonify, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user

app = Flask(__name__)
app.secret_key = "floor"
login_manager = LoginManager(app)


class Fan(UserMixin):
    def __init__(self, number):
        self.id, self.username = number, f"fan{number:03d}"
        self.email = f"fan{number}@example.com"


FANS = {str(n): Fan(n) for n in range(1000)}
login_manager.user_loader(FANS.get)


@app.get("/api/v1/csrf")
def csrf():
    return jsonify(csrf_token="floor")


@app.post("/api/v1/auth/login")
def login():
    login_user(FANS[str(int(request.get_json()["login"][3:]))])
    return jsonify(ok=True)


@app.get("/api/v1/me")
@login_required
def me():
    fan = current_user
    return jsonify(id=fan.id, username=fan.username, email=fan.email, role="fan", bio="")


_local = threading.local()


def _connection():
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = sqlite3.connect(os.environ["FLOOR_DB"], isolation_level=None)
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.execute("PRAGMA busy_timeout=5000")
        _local.connection = connection
    return connection


@app.put("/api/v1/entries/<int:entry_id>/rating")
@login_required
def rate(entry_id):
    data = request.get_json(silent=True)
    stars = data.get("stars") if isinstance(data, dict) else None
    if type(stars) is not int or not 1 <= stars <= 5:
        abort(422)
    db, fan = _connection(), current_user.id
    db.execute("BEGIN IMMEDIATE")
    try:
        old = db.execute(
            "SELECT stars FROM ratings WHERE user_id = ? AND entry_id = ?", (fan, entry_id)
        ).fetchone()
        db.execute(
            "INSERT INTO ratings (user_id, entry_id, stars) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id, entry_id) DO UPDATE SET stars = excluded.stars",
            (fan, entry_id, stars),
        )
        added, moved = (1, stars) if old is None else (0, stars - old[0])
        count, total = db.execute(
            "UPDATE entries SET n = n + ?, s = s + ? WHERE id = ? RETURNING n, s",
            (added, moved, entry_id),
        ).fetchone()
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return jsonify(rating={"count": count, "average": total / count}, my_rating=stars)


def setup(path, entry_ids):
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(
        "CREATE TABLE entries (id INTEGER PRIMARY KEY, n INT NOT NULL DEFAULT 0,"
        " s INT NOT NULL DEFAULT 0);"
        "CREATE TABLE ratings (user_id INT, entry_id INT, stars INT,"
        " PRIMARY KEY (user_id, entry_id));"
    )
    db.executemany("INSERT INTO entries (id) VALUES (?)", [(i,) for i in entry_ids])
    db.commit()
    db.close()
