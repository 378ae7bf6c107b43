"""The organiser's insights on PostgreSQL at the issue's size: every number is SQL aggregates.

python bench/insights.py            # 2,000 entries, 200,000 ratings (quick)
python bench/insights.py --full     # 10,000 entries, 1,000,000 ratings (issue 16's size)

Loads the same data as bench/tally.py (BENCH_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/ginga_bench, WIPED), plus countries and clubs on the
fans and 300 theme proposals, then times each insight query (median of 3) and the whole page.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.tally import DEFAULT_URL, ensure_database, load  # noqa: E402
from contest import create_app  # noqa: E402
from contest.accounts import users as accounts  # noqa: E402
from contest.config import database_url  # noqa: E402
from contest.database import apply_migrations  # noqa: E402
from contest.extensions import db  # noqa: E402
from contest.moderation import insights  # noqa: E402

COUNTRIES = ["Brazil", "Indonesia", "Thailand", "China", "Nigeria", "France", "Mexico", ""]
CLUBS = ["Santos", "Persib", "Buriram", "Shanghai Port", "Enyimba", "PSG", "América", ""]


def decorate(url, n_fans):
    with psycopg.connect(url) as conn:
        conn.execute(
            "UPDATE users SET country = (%s::text[])[1 + id %% 8],"
            " favourite_club = (%s::text[])[1 + (id * 7) %% 8]",
            (COUNTRIES, CLUBS),
        )
        conn.execute(
            "INSERT INTO themes (month, proposer_id, title, brief, status, votes, created_at)"
            " SELECT to_char(date '2026-01-01' + (g %% 12) * interval '1 month', 'YYYY-MM'),"
            " 1 + g %% %s, 'theme ' || g, '', 'proposed', g %% 50, now()"
            " FROM generate_series(1, 300) AS g",
            (n_fans,),
        )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def timed(call):
    samples = []
    for _ in range(3):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="10,000 entries, 1,000,000 ratings")
    args = parser.parse_args()
    n_entries = 10_000 if args.full else 2_000
    n_ratings = 1_000_000 if args.full else 200_000
    n_fans = max(n_ratings // 50, 1000)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url(url),
            "AUTO_MIGRATE": False,
            "SCHEDULER_INTERVAL": 0,
            "REDIS_URL": None,
            "JOB_QUEUE": "threads",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.remove()
    apply_migrations(app)
    t0 = time.perf_counter()
    load(url, n_entries, n_ratings, n_fans)
    decorate(url, n_fans)
    print(
        f"loaded {n_fans:,} fans, {n_entries:,} entries, {n_ratings:,} ratings "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    with app.app_context():
        numbers = insights.round_numbers(1)
        assert numbers["ratings"] == n_ratings
        for name, call in (
            ("one round's numbers", lambda: insights.round_numbers(1)),
            ("new and returning fans across rounds", insights.across_rounds),
            ("theme proposals per month", insights.theme_months),
            ("countries and clubs of a round", lambda: insights.places(1)),
        ):
            print(f"{name}: {timed(call) * 1000:.0f} ms")
            db.session.rollback()
        accounts.register_user("benchmod", "benchmod@example.com", "bench password", "moderator")
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    signed_in = client.post(
        "/api/v1/auth/login", json={"login": "benchmod", "password": "bench password"}
    )
    assert signed_in.status_code == 200, signed_in.get_json()
    assert client.get("/moderation/insights?round_id=1").status_code == 200
    page = timed(lambda: client.get("/moderation/insights?round_id=1"))
    print(f"the whole insights page (server time, Flask test client): {page * 1000:.0f} ms")
    app.extensions["live"].stop()
    app.extensions["jobs"].shutdown()


if __name__ == "__main__":
    main()
