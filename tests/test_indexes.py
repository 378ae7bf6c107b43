"""The hot paths' real queries have indexes: EXPLAIN shows no scan of ratings (PostgreSQL; the
rating writer's lookup on SQLite too)."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from contest.community import follows
from contest.extensions import db
from contest.models import Entry, Follow, Rating, User, utcnow
from contest.rounds import rating_counts, ratings, standings
from contest.rounds.rating_batches import RatingChange, apply_changes


@pytest.fixture
def pg(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("DATABASE_URL is not PostgreSQL: EXPLAIN plans are checked there only")
    return app


def _fill(app, make_user, make_round, make_entry):
    """3 rounds x 40 entries, 60 fans, ~4,800 ratings: enough rows for real plans."""
    fans = [make_user(f"fan{i}") for i in range(60)]
    rounds_ = [make_round("voting") for _ in range(3)]
    entries = [make_entry(r.id, fans[i % 60].id, title=f"e{i}") for r in rounds_ for i in range(40)]
    with app.app_context():
        rows = [
            {"user_id": f.id, "entry_id": e.id, "stars": 1 + (f.id + e.id) % 5, "stage": "main"}
            for e in entries
            for f in fans[:40]
            if f.id != fans[0].id
        ]
        db.session.execute(sa.insert(Rating), rows)
        for f in fans[1:10]:
            db.session.add(Follow(follower_id=fans[0].id, followed_id=f.id))
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    return rounds_, entries, fans


def _captured(app, work):
    """The SQL statements (with parameters) that work() really sends."""
    seen = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    with app.test_request_context():
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            work()
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
    return seen


def _plans(app, statements):
    """(statement, plan text) of each: PostgreSQL's EXPLAIN, or SQLite's EXPLAIN QUERY PLAN."""
    with app.app_context():
        conn = db.session.connection()
        postgres = conn.dialect.name == "postgresql"
        if postgres:  # a seq scan now means: no usable index
            conn.exec_driver_sql("SET enable_seqscan = off")
        explain = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        plans = []
        for statement, parameters in statements:
            rows = conn.exec_driver_sql(explain + statement, parameters).all()
            plans.append((statement, "\n".join(r[0] if postgres else r[-1] for r in rows)))
        db.session.rollback()
        return plans


def test_hot_paths_read_ratings_through_indexes(pg, make_user, make_round, make_entry):
    rounds_, entries, fans = _fill(pg, make_user, make_round, make_entry)
    round_id, entry_id = rounds_[1].id, entries[45].id

    def hot_paths():
        standings.live_standings(round_id)  # round page leaderboard
        standings.top_standings(round_id)  # every live leaderboard update
        entry = db.session.get(Entry, entry_id)  # entry page
        rating_counts.histogram(entry)
        ratings.my_rating(db.session.get(User, fans[3].id), entry)
        ratings.recount(entry_id)
        ratings.round_prior(round_id)
        follows.feed(db.session.get(User, fans[0].id))  # feed
        standings.counted_ratings(round_id)  # the tally at close

    statements = _captured(pg, hot_paths)
    assert len(statements) >= 8
    plans = _plans(pg, statements)
    touching = [(s, p) for s, p in plans if "ratings" in s]
    assert len(touching) >= 4
    for statement, plan in plans:
        assert "Seq Scan on ratings" not in plan, f"{statement}\n{plan}"
        assert "Seq Scan on entries" not in plan, f"{statement}\n{plan}"
    histogram_plan = next(p for s, p in plans if "GROUP BY ratings.stars" in s)
    assert "ix_ratings_entry_stage_stars" in histogram_plan


def test_the_rating_writer_finds_stored_ratings_by_index(app, make_user, make_round, make_entry):
    """On both databases, for a batch of 16: SQLite scanned the whole ratings table for the
    row-value IN list this lookup used to be."""
    round_ = make_round("voting")
    author = make_user("author")
    entries = [make_entry(round_.id, author.id, title=f"e{i}").id for i in range(2)]
    fans = [make_user(f"fan{i}") for i in range(8)]
    joined = utcnow() - timedelta(days=30)
    changes = [
        RatingChange(
            SimpleNamespace(id=f.id, is_authenticated=True, is_moderator=False, created_at=joined),
            entry_id,
            3,
        )
        for f in fans
        for entry_id in entries
    ]
    seen = _captured(app, lambda: apply_changes(changes))
    assert [c.error for c in changes] == [None] * 16
    assert all(c.result["count"] == 8 for c in changes)
    stored = [(s, p) for s, p in seen if "ratings.stars, ratings.counted" in s]
    assert len(stored) == 1, seen
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    for statement, plan in _plans(app, stored):
        if postgres:
            assert "Seq Scan on ratings" not in plan, f"{statement}\n{plan}"
        else:
            assert "SCAN ratings" not in plan, f"{statement}\n{plan}"
            assert "SEARCH ratings USING INDEX" in plan, plan
