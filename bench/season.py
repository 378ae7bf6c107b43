"""A season's data at full speed: every fan-facing page and answer timed on a full database.

DATABASE_URL=postgresql://postgres@127.0.0.1:5432/season python bench/season.py [--small]

Fills PostgreSQL (that database is WIPED) through SQL, not the API: generate_series and
INSERT ... SELECT write 100,000 fans; 12 published rounds and a running one with 10,000 live
clips; 1,000,000 ratings in the running round and 2,000,000 across the past ones (closed and
published by the app's own close, timed); 200,000 comments, 300,000 follows, 1,000 crews with
20,000 members, 500 themes with 50,000 votes, and 300,000 notifications. --small fills a tenth
of it (quicker, to try the script).

It then times every page and API answer in the app (Flask's test client: server time,
without the network), warm, 50 requests each, as a signed-in fan and as a visitor, and prints
p50/p95/p99 in ms. Judge mode is timed for fans who judged 0, 500 and 5,000 clips. Last, the
running round's close (tally, crews, integrity) is timed. Goals: every fan-facing answer
p95 <= 50 ms; insights <= 1 s; the close <= 10 s.
"""

import argparse
import gc
import os
import statistics
import sys
import time
from datetime import timedelta

from common import bench_config

from contest import create_app
from contest.accounts.passwords import hash_password
from contest.database import apply_migrations
from contest.demo import PASSWORD
from contest.extensions import db
from contest.models import utcnow
from contest.rounds import results

FULL = {
    "fans": 100_000,
    "past_rounds": 12,
    "clips": 10_000,
    "past_clips": 1_000,  # per past round
    "ratings_per_fan": 10,  # in the running round: 1,000,000
    "past_ratings_per_fan": 20,  # across the past rounds: 2,000,000
    "comments": 200_000,
    "follows_per_fan": 3,
    "crews": 1_000,
    "crew_size": 20,
    "themes": 500,
    "theme_votes": 50_000,
    "notifications": 300_000,
}
REQUESTS = 50


def scaled(small):
    if not small:
        return dict(FULL)
    return {k: (v if k in ("past_rounds", "ratings_per_fan", "past_ratings_per_fan",
                            "follows_per_fan", "crew_size") else max(1, v // 10))
            for k, v in FULL.items()}  # fmt: skip


def run(sql, **params):
    db.session.execute(db.text(sql), params)


def fill(size):
    """The season, in SQL. Every fan's password is the demo's (one hash for all)."""
    now = utcnow()
    fans, clips, past = size["fans"], size["clips"], size["past_clips"]
    rounds = size["past_rounds"]
    t = time.perf_counter()
    run(
        """INSERT INTO users (id, username, email, password_hash, role, display_name, bio,
               country, created_at, email_verified_at, ban_reason, language)
           SELECT g, 'fan' || g, 'fan' || g || '@example.com', :hash,
               CASE WHEN g = 1 THEN 'moderator' ELSE 'fan' END, '', '', '',
               :made - (g % 300) * interval '1 hour', :made, '', 'en'
           FROM generate_series(1, :fans) g""",
        hash=hash_password(PASSWORD),
        made=now - timedelta(days=400),
        fans=fans,
    )
    # rounds 1..12 are past (a month each, published), round 13 runs: voting open
    run(
        """INSERT INTO rounds (id, slug, title, brief, submissions_open_at,
               submissions_close_at, voting_open_at, voting_close_at, requires_approval,
               created_at, prize)
           SELECT r, 'season-' || r, 'Round ' || r, 'Your best trick, month ' || r,
               :start + (r - 1) * interval '30 days', :start + (r - 1) * interval '30 days'
               + interval '20 days', :start + (r - 1) * interval '30 days',
               :start + (r - 1) * interval '30 days' + interval '25 days', false,
               :start, 'A signed ball'
           FROM generate_series(1, :rounds) r""",
        start=now - timedelta(days=30 * rounds + 10),
        rounds=rounds,
    )
    run(
        """INSERT INTO rounds (id, slug, title, brief, submissions_open_at,
               submissions_close_at, voting_open_at, voting_close_at, requires_approval,
               created_at, prize)
           VALUES (:r, 'season-now', 'This month', 'Your best trick', :open, :close, :open,
               :close, false, :open, 'A signed ball')""",
        r=rounds + 1,
        open=now - timedelta(days=10),
        close=now + timedelta(days=20),
    )
    # entries: the running round's 10,000, then 1,000 per past round; authors spread out
    run(
        """INSERT INTO entries (id, round_id, author_id, title, description, status,
               status_reason, video_key, poster_key, original_filename, content_type,
               size_bytes, duration, width, height, rating_count, rating_sum, created_at,
               live_at)
           SELECT g, :running, 2 + (g * 7) % (:fans - 1), 'Clip ' || g, '', 'live', '',
               'rounds/x/' || g || '.mp4', 'rounds/x/' || g || '.jpg', 'clip.mp4',
               'video/mp4', 4000000, 15, CASE WHEN g % 3 = 0 THEN 1920 ELSE 1080 END,
               CASE WHEN g % 3 = 0 THEN 1080 ELSE 1920 END, 0, 0,
               :open + (g % 1000) * interval '1 minute', :open
           FROM generate_series(1, :clips) g""",
        running=rounds + 1,
        fans=fans,
        clips=clips,
        open=now - timedelta(days=9),
    )
    run(
        """INSERT INTO entries (id, round_id, author_id, title, description, status,
               status_reason, video_key, poster_key, original_filename, content_type,
               size_bytes, duration, width, height, rating_count, rating_sum, created_at,
               live_at)
           SELECT :clips + g, 1 + (g - 1) / :past, 2 + (g * 13) % (:fans - 1),
               'Past clip ' || g, '', 'live', '', 'rounds/p/' || g || '.mp4',
               'rounds/p/' || g || '.jpg', 'clip.mp4', 'video/mp4', 4000000, 15, 1080, 1920,
               0, 0, r.submissions_open_at, r.submissions_open_at
           FROM generate_series(1, :past * :rounds) g
           JOIN rounds r ON r.id = 1 + (g - 1) / :past""",
        clips=clips,
        past=past,
        rounds=rounds,
        fans=fans,
    )
    # ratings: each fan rates ratings_per_fan distinct running clips, and past_ratings_per_fan
    # past clips (distinct: k steps of a stride prime to the count); a clip's stars lean on
    # its own quality (a third each weak, fair, strong), so scores spread as in a real round
    run(
        """INSERT INTO ratings (user_id, entry_id, stars, stage, counted, created_at,
               updated_at)
           SELECT f, e, LEAST(5, GREATEST(1, 2 + (e * 37) % 3 + (f * 31 + k * 17) % 3)),
               'main', true, :open + (f % 200) * interval '1 hour',
               :open + (f % 200) * interval '1 hour'
           FROM generate_series(2, :fans) f, generate_series(0, :per - 1) k,
               LATERAL (SELECT 1 + (f * 7 + k * 1543) % :clips AS e) picked""",
        clips=clips,
        fans=fans,
        per=size["ratings_per_fan"],
        open=now - timedelta(days=9),
    )
    past_total = past * rounds
    run(
        """INSERT INTO ratings (user_id, entry_id, stars, stage, counted, created_at,
               updated_at)
           SELECT f, e, LEAST(5, GREATEST(1, 2 + (e * 37) % 3 + (f * 13 + k * 7) % 3)),
               'main', true, :when, :when
           FROM generate_series(2, :fans) f, generate_series(0, :per - 1) k,
               LATERAL (SELECT :clips + 1 + (f * 11 + k * 997) % :total AS e) picked""",
        clips=clips,
        total=past_total,
        fans=fans,
        per=size["past_ratings_per_fan"],
        when=now - timedelta(days=60),
    )
    # the live aggregates, as the rating writer keeps them
    run(
        """UPDATE entries SET rating_count = s.n, rating_sum = s.total
           FROM (SELECT entry_id, count(*) n, sum(stars) total FROM ratings
                 GROUP BY entry_id) s
           WHERE entries.id = s.entry_id"""
    )
    run(
        """INSERT INTO comments (entry_id, author_id, body, created_at)
           SELECT 1 + (g * 3) % :clips, 2 + (g * 11) % (:fans - 1), 'Great skill ' || g,
               :when + (g % 5000) * interval '1 minute'
           FROM generate_series(1, :n) g""",
        clips=clips,
        fans=fans,
        n=size["comments"],
        when=now - timedelta(days=8),
    )
    run(
        """INSERT INTO follows (follower_id, followed_id, created_at)
           SELECT f, 2 + (f * 7 + k * 7919) % (:fans - 1), :when
           FROM generate_series(2, :fans) f, generate_series(0, :per - 1) k
           WHERE 2 + (f * 7 + k * 7919) % (:fans - 1) <> f""",
        fans=fans,
        per=size["follows_per_fan"],
        when=now - timedelta(days=20),
    )
    crews, crew_size = size["crews"], size["crew_size"]
    run(
        """INSERT INTO crews (id, slug, name, name_key, home, open, captain_id, hidden,
               created_at)
           SELECT c, 'crew-' || c, 'Crew ' || c, 'crew ' || c, '', true, 2 + c * :size,
               false, :when
           FROM generate_series(1, :crews) c""",
        crews=crews,
        size=crew_size,
        when=now - timedelta(days=100),
    )
    run(
        """INSERT INTO crew_members (crew_id, user_id, status, joined_at)
           SELECT c, 2 + c * :size + m, 'member', :when
           FROM generate_series(1, :crews) c, generate_series(0, :size - 1) m""",
        crews=crews,
        size=crew_size,
        when=now - timedelta(days=100),
    )
    month = f"{now.year + (now.month == 12)}-{now.month % 12 + 1:02d}"
    run(
        """INSERT INTO themes (id, month, proposer_id, title, brief, status, votes, created_at)
           SELECT g, :month, 2 + g * 3, 'Theme ' || g, '', 'proposed', 0, :when
           FROM generate_series(1, :n) g""",
        month=month,
        n=size["themes"],
        when=now - timedelta(days=2),
    )
    run(
        """INSERT INTO theme_votes (theme_id, user_id, created_at)
           SELECT 1 + g % :themes, 2 + g, :when FROM generate_series(1, :n) g""",
        themes=size["themes"],
        n=size["theme_votes"],
        when=now - timedelta(days=1),
    )
    run(
        """UPDATE themes SET votes = v.n FROM (SELECT theme_id, count(*) n FROM theme_votes
           GROUP BY theme_id) v WHERE themes.id = v.theme_id"""
    )
    run(
        """INSERT INTO notifications (user_id, kind, text, url, target, created_at)
           SELECT 2 + g % 1000, 'follow', 'fan' || g || ' follows you.', '',
               'user:fan' || g, :when + (g % 10000) * interval '1 minute'
           FROM generate_series(1, :n) g""",
        n=size["notifications"],
        when=now - timedelta(days=7),
    )
    for table in ("users", "rounds", "entries", "ratings", "comments", "follows", "crews",
                  "crew_members", "themes", "theme_votes", "notifications"):  # fmt: skip
        run(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )
    db.session.commit()
    run("ANALYZE")
    db.session.commit()
    filled = time.perf_counter() - t
    # the past rounds close and publish through the app (its tally, crews and integrity)
    t = time.perf_counter()
    for round_id in range(1, rounds + 1):
        results.close_round(round_id, None, force=True)
        results.publish_round(round_id, None)
    db.session.commit()
    return filled, (time.perf_counter() - t) / rounds


def percentiles(samples):
    ordered = sorted(samples)

    def at(q):
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return at(0.5), at(0.95), at(0.99)


def timed(client, path, count=REQUESTS):
    answer = client.get(path)  # warm
    if answer.status_code != 200:
        return None, answer.status_code
    samples = []
    for _ in range(count):
        t = time.perf_counter()
        answer = client.get(path)
        samples.append(time.perf_counter() - t)
    return percentiles(samples), answer.status_code


def signed_in(app, username):
    client = app.test_client()
    client.get("/login")
    from helpers import csrf_of

    page = client.get("/login")
    answer = client.post(
        "/login",
        data={"csrf_token": csrf_of(page), "login": username, "password": PASSWORD},
    )
    assert answer.status_code == 302, answer.status_code
    return client


def judged_by(app, username, count, running, clips):
    """Make this fan have judged `count` clips of the running round (in SQL)."""
    with app.app_context():
        fan = db.session.execute(
            db.text("SELECT id FROM users WHERE username = :u"), {"u": username}
        ).scalar()
        run("DELETE FROM ratings WHERE user_id = :f AND entry_id <= :clips", f=fan, clips=clips)
        run(
            """INSERT INTO ratings (user_id, entry_id, stars, stage, counted, created_at,
                   updated_at)
               SELECT :f, g, 3, 'main', true, now(), now() FROM generate_series(1, :n) g""",
            f=fan,
            n=count,
        )
        db.session.commit()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true", help="a tenth of the season")
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") or "").startswith("postgres"):
        sys.exit("needs DATABASE_URL=postgresql://... (that database is WIPED)")
    size = scaled(args.small)
    config, _tmp = bench_config(MIN_ACCOUNT_AGE_HOURS=0, PASSWORD_HASH_MEMORY_KIB=8 * 1024)
    app = create_app(config)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(db.text("DROP SCHEMA public CASCADE"))
            conn.execute(db.text("CREATE SCHEMA public"))
    apply_migrations(app)
    with app.test_request_context():
        filled, close_each = fill(size)
    running = size["past_rounds"] + 1
    print(f"filled in {filled:.0f} s; each past round closed and published in {close_each:.1f} s")
    fan = "fan77"
    fan_client, visitor, mod = signed_in(app, fan), app.test_client(), signed_in(app, "fan1")
    # as gunicorn's post_fork does (gunicorn.conf.py): what start-up made is frozen, so the
    # collector's full passes do not walk it (and the fill's garbage is gone first)
    gc.collect()
    gc.freeze()
    entry = size["clips"] // 2 + 42  # a clip of the running round
    cases = [
        ("home", "/"),
        ("round page", "/rounds/season-now"),
        ("round page, newest", "/rounds/season-now?sort=new"),
        ("round entries API, page 3", f"/api/v1/rounds/{running}/entries?sort=new&page=3"),
        ("round entries API, shuffled", f"/api/v1/rounds/{running}/entries"),
        ("judge page", "/rounds/season-now/judge"),
        ("judge queue API", f"/api/v1/rounds/{running}/judge?limit=10"),
        ("entry page", f"/entries/{entry}"),
        ("entry API", f"/api/v1/entries/{entry}"),
        ("comments API", f"/api/v1/entries/{entry}/comments"),
        ("profile", f"/u/{fan}"),
        ("feed", "/feed"),
        ("notifications", "/notifications"),
        ("hall of fame", "/hall-of-fame"),
        ("results", "/rounds/season-1/results"),
        ("crews leaderboard", "/rounds/season-now/crews"),
        ("crews", "/crews"),
        ("themes", "/themes"),
        ("round API", f"/api/v1/rounds/{running}"),
    ]
    signed_only = {"feed", "notifications"}
    rows = []
    for name, path in cases:
        rows.append((name, "fan", *timed(fan_client, path)))
        if name not in signed_only:
            rows.append((name, "visitor", *timed(visitor, path)))
    for judged in (0, 500, 5000):
        if judged > size["clips"] // 2:
            continue
        judged_by(app, fan, judged, running, size["clips"])
        rows.append((f"judge queue, judged {judged}", "fan",
                     *timed(fan_client, f"/api/v1/rounds/{running}/judge?limit=10")))  # fmt: skip
    rows.append(("moderation queue", "moderator", *timed(mod, "/moderation/", 10)))
    rows.append(
        ("insights", "moderator", *timed(mod, f"/moderation/insights?round_id={running}", 5))
    )
    print(f"\n{'answer':<32} {'as':<9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for name, who, figures, status in rows:
        if figures is None:
            print(f"{name:<32} {who:<9} answered {status}")
            continue
        p50, p95, p99 = figures
        print(f"{name:<32} {who:<9} {p50:>7.1f} {p95:>7.1f} {p99:>7.1f}")
    with app.test_request_context():
        t = time.perf_counter()
        results.close_round(running, None, force=True)
        db.session.commit()
        closed = time.perf_counter() - t
    ratings = size["fans"] * size["ratings_per_fan"]
    print(f"\nclosing the running round ({size['clips']:,} clips, ~{ratings:,} ratings): "
          f"{closed:.1f} s")  # fmt: skip
    fan_facing = [r[2][1] for r in rows if r[2] and r[1] != "moderator"]
    print(f"median p95 of fan-facing answers: {statistics.median(fan_facing):.1f} ms")


if __name__ == "__main__":
    main()
