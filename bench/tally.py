"""Closing a big round on PostgreSQL: the tally of every rating row into frozen results.

python bench/tally.py            # 2,000 entries, 200,000 ratings (quick, a 2-core machine)
python bench/tally.py --full     # 10,000 entries, 1,000,000 ratings (the issue's size)

Uses BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/ginga_bench (created if
missing, then WIPED). Rows are generated with COPY (psycopg), so loading is not what is timed.
"""

import argparse
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from contest import create_app  # noqa: E402
from contest.config import database_url  # noqa: E402
from contest.database import apply_migrations  # noqa: E402
from contest.extensions import db  # noqa: E402
from contest.models import Entry, Result, Round  # noqa: E402
from contest.moderation.integrity import check_round  # noqa: E402
from contest.rounds import ratings, results  # noqa: E402

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/ginga_bench"


def ensure_database(url):
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


RING = 40  # fresh accounts that each rate one entry within 20 minutes: a vote ring


def load(url, n_entries, n_ratings, n_fans):
    """Users, one closed-voting round, its entries, and ratings spread over the voting month,
    plus one vote ring (RING new accounts, one entry, minutes apart) for the check to find."""
    rng = random.Random(7)
    now = datetime.now(UTC).replace(tzinfo=None)
    joined = now - timedelta(days=400)
    start = now - timedelta(days=30)
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            with cur.copy(
                "COPY users (id, username, email, password_hash, role, created_at, trusted,"
                " email_verified_at, display_name, bio, country, favourite_position,"
                " favourite_club, ban_reason) FROM STDIN"
            ) as copy:
                for i in range(1, n_fans + 1):
                    copy.write_row(
                        (i, f"fan{i}", f"fan{i}@example.com", "x", "fan", joined, False, joined)
                        + ("",) * 6
                    )
                ring_at = start + timedelta(days=10)
                for i in range(n_fans + 1, n_fans + RING + 1):
                    copy.write_row(
                        (i, f"fan{i}", f"fan{i}@example.com", "x", "fan", ring_at, False, ring_at)
                        + ("",) * 6
                    )
            cur.execute(
                "INSERT INTO rounds (id, slug, title, brief, submissions_open_at,"
                " submissions_close_at, voting_open_at, voting_close_at, requires_approval,"
                " excluded_ratings, prize, blind_hours, created_at)"
                " VALUES (1, 'bench', 'Bench', '', %s, %s, %s, %s, false, 0, '', 0, %s)",
                (start, now - timedelta(days=5), start, now - timedelta(minutes=1), start),
            )
            with cur.copy(
                "COPY entries (id, round_id, author_id, title, description, status, status_reason,"
                " video_key, original_filename, content_type, size_bytes, staff_pick, finalist,"
                " rating_count, rating_sum, created_at, processing_attempts) FROM STDIN"
            ) as copy:
                for e in range(1, n_entries + 1):
                    copy.write_row(
                        (
                            e,
                            1,
                            1 + e % n_fans,
                            f"entry {e}",
                            "",
                            "live",
                            "",
                            f"k/{e}.mp4",
                            "",
                            "video/mp4",
                            0,
                            False,
                            False,
                            0,
                            0,
                            start,
                            0,
                        )
                    )
            sums, hours = {}, {}
            with cur.copy(
                "COPY ratings (user_id, entry_id, stars, stage, created_at, updated_at) FROM STDIN"
            ) as copy:
                seen = set()
                ring = [
                    ((n_fans + i, 1), 5, ring_at + timedelta(seconds=30 * i))
                    for i in range(1, RING + 1)
                ]
                while len(seen) < n_ratings:
                    pair = (rng.randint(1, n_fans), rng.randint(1, n_entries))
                    if pair in seen:
                        continue
                    seen.add(pair)
                    quality = 1 + (pair[1] * 7919) % 5  # each entry has a "true" level
                    stars = min(5, max(1, quality + rng.choice((-1, 0, 0, 1))))
                    at = start + timedelta(seconds=rng.randint(0, 29 * 86400))
                    if ring and len(seen) % 20_000 == 0:
                        pair, stars, at = ring.pop()
                    copy.write_row((pair[0], pair[1], stars, "main", at, at))
                    n, s = sums.get(pair[1], (0, 0))
                    sums[pair[1]] = (n + 1, s + stars)
                    hour = at.replace(minute=0, second=0, microsecond=0)
                    per_hour = hours.setdefault(pair[1], {})
                    per_hour[hour] = per_hour.get(hour, 0) + 1
            # the hour counters the rating writer keeps (contest.rounds.rating_hours)
            cur.execute(
                "CREATE TEMP TABLE agg (id int, n int, s int, h timestamp, hn int, busiest int)"
            )
            with cur.copy("COPY agg FROM STDIN") as copy:
                for entry_id, (n, s) in sums.items():
                    latest = max(hours[entry_id])
                    busiest = max(hours[entry_id].values())
                    copy.write_row((entry_id, n, s, latest, hours[entry_id][latest], busiest))
            cur.execute(
                "UPDATE entries SET rating_count = agg.n, rating_sum = agg.s, rating_hour = agg.h,"
                " rating_hour_count = agg.hn, busiest_hour_ratings = agg.busiest"
                " FROM agg WHERE entries.id = agg.id"
            )
            for table in ("users", "entries", "ratings", "rounds"):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                    f" (SELECT max(id) FROM {table}))"
                )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="10,000 entries, 1,000,000 ratings")
    parser.add_argument("--entries", type=int)
    parser.add_argument("--ratings", type=int)
    args = parser.parse_args()
    n_entries = args.entries or (10_000 if args.full else 2_000)
    n_ratings = args.ratings or (1_000_000 if args.full else 200_000)
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
            "MIN_ACCOUNT_AGE_HOURS": 24,
        }
    )
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.session.remove()
    apply_migrations(app)
    t0 = time.perf_counter()
    load(url, n_entries, n_ratings, n_fans)
    loaded = time.perf_counter() - t0
    print(f"loaded {n_fans:,} fans, {n_entries:,} entries, {n_ratings:,} ratings in {loaded:.1f} s")
    with app.test_request_context():
        t1 = time.perf_counter()
        standings = results.tally(1)
        t_tally = time.perf_counter() - t1
        t2 = time.perf_counter()
        round_ = db.session.get(Round, 1)
        round_.excluded_ratings = results.excluded_count(round_)
        results.freeze_results(round_)
        round_.closed_at = datetime.now(UTC)
        db.session.commit()
        t_freeze = time.perf_counter() - t2
        t3 = time.perf_counter()
        flags = check_round(1)
        t_check = time.perf_counter() - t3
        frozen = db.session.scalar(sa.select(sa.func.count()).select_from(Result))
        top = db.session.get(Entry, standings[0].entry.id)
        assert frozen == n_entries
        assert (top.rating_count, top.rating_sum) == ratings.recount(top.id)
    print(f"tally (read + rank every rating row): {t_tally:.2f} s")
    print(f"close = tally + write {frozen:,} results + commit: {t_freeze:.2f} s")
    print(f"anomaly check at close: {t_check:.2f} s ({len(flags)} flags)")
    print(f"total close incl. the check: {t_freeze + t_check:.2f} s (goal <= 5 s)")


if __name__ == "__main__":
    main()
