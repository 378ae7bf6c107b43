"""Sign-in and session costs with production settings (argon2id: 3 passes over 64 MiB).

Run by hand: python bench/accounts.py. Flask's test client, one thread, a fresh SQLite file.
Prints medians: a sign-in with a wrong password for a known account and for an unknown one
(they should match: unknown accounts are checked against a dummy hash), a right sign-in,
and a signed-in GET /api/v1/me (the per-request session check: one primary-key join).
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from contest import create_app  # noqa: E402
from contest.accounts import users  # noqa: E402
from contest.extensions import db  # noqa: E402

ROUNDS = 15


def timed(call, n=ROUNDS):
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main():
    folder = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            "UPLOAD_DIR": str(folder / "uploads"),
            "SCHEDULER_INTERVAL": 0,
            "RATELIMIT_ENABLED": False,
            "REDIS_URL": None,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        users.register_user("ana", "ana@example.com", "correct horse", verified=True)
        db.session.remove()
    client = app.test_client()

    def login(name, password):
        return client.post("/api/v1/auth/login", json={"login": name, "password": password})

    assert login("ana", "wrong password").status_code == 401
    known = timed(lambda: login("ana", "wrong password"))
    unknown = timed(lambda: login("nobody", "wrong password"))
    right = timed(lambda: login("ana", "correct horse"))
    assert client.get("/api/v1/me").status_code == 200
    me = timed(lambda: client.get("/api/v1/me"), n=2000)
    print(f"sign-in, known account, wrong password: {known:7.1f} ms")
    print(f"sign-in, unknown account:               {unknown:7.1f} ms")
    print(f"sign-in, right password (new session):  {right:7.1f} ms")
    print(f"signed-in GET /api/v1/me:               {me:7.2f} ms")
    app.extensions["live"].stop()
    app.extensions["jobs"].shutdown()


if __name__ == "__main__":
    main()
