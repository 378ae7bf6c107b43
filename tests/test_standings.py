"""The live top ten, ranked in SQL, is exactly the top of the whole round's ranking."""

import random
from datetime import timedelta

from contest.extensions import db
from contest.models import Entry, Round, utcnow
from contest.rounds.standings import contender_count, live_standings, top_standings


def _ids(standings):
    return [(s.entry.id, s.rank, s.score, s.count) for s in standings]


def _set(app, entry_id, count, total, **fields):
    with app.app_context():
        row = db.session.get(Entry, entry_id)
        row.rating_count, row.rating_sum = count, total
        for key, value in fields.items():
            setattr(row, key, value)
        db.session.commit()


def test_the_top_ten_read_from_sql_equals_the_whole_rounds_ranking(
    app, make_user, make_round, make_entry
):
    rng = random.Random(18)
    author = make_user("author")
    round_ = make_round("voting")
    ids = []
    for size in (0, 4, 12, 45):  # fewer than ten, a few more, many more than read
        while len(ids) < size:
            entry = make_entry(round_.id, author.id, title=f"e{len(ids)}")
            ids.append(entry.id)
            if rng.random() < 0.8:
                n = rng.choice((1, 2, 3, 3, 5, 8, 40))
                total = rng.choice((n, 3 * n, 5 * n, sum(rng.randint(1, 5) for _ in range(n))))
                _set(app, entry.id, n, total)  # many exact ties: same (count, sum)
        with app.test_request_context():
            assert _ids(top_standings(round_.id)) == _ids(live_standings(round_.id)[:10])
            assert _ids(top_standings(round_.id, size=3)) == _ids(live_standings(round_.id)[:3])
            assert contender_count(round_.id) == len(live_standings(round_.id))


def test_unrated_clips_come_last_by_upload_time_as_on_the_round_page(
    app, make_user, make_round, make_entry
):
    author = make_user("author")
    round_ = make_round("voting")
    now = utcnow()
    entries = [make_entry(round_.id, author.id, title=f"e{i}") for i in range(40)]
    for i, entry in enumerate(entries):  # uploaded in the reverse order of their ids
        _set(app, entry.id, 0, 0, created_at=now - timedelta(minutes=i))
    _set(app, entries[5].id, 1, 1)  # one poor rating: still above every unrated clip
    with app.test_request_context():
        top = top_standings(round_.id)
        assert _ids(top) == _ids(live_standings(round_.id)[:10])
        assert top[0].entry.id == entries[5].id
        assert [s.entry.id for s in top[1:4]] == [entries[39].id, entries[38].id, entries[37].id]


def test_in_the_finals_only_finalists_are_on_the_board(app, make_user, make_round, make_entry):
    author = make_user("author")
    round_ = make_round("voting")
    entries = [make_entry(round_.id, author.id, title=f"e{i}") for i in range(30)]
    for i, entry in enumerate(entries):
        _set(app, entry.id, 2 + i % 3, 4 + i % 9, finalist=i % 2 == 0)
    with app.app_context():
        db.session.get(Round, round_.id).finalists_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    with app.test_request_context():
        top = top_standings(round_.id)
        assert _ids(top) == _ids(live_standings(round_.id)[:10])
        assert all(s.entry.finalist and s.stage == "finals" for s in top)
        assert contender_count(round_.id) == 15


def test_a_tie_across_the_clips_read_reads_the_tied_band(app, make_user, make_round, make_entry):
    """Forty clips with the same ratings: the order is by upload time, wherever they are."""
    author = make_user("author")
    round_ = make_round("voting")
    now = utcnow()
    entries = [make_entry(round_.id, author.id, title=f"e{i}") for i in range(40)]
    for i, entry in enumerate(entries):
        _set(app, entry.id, 3, 12, created_at=now - timedelta(minutes=i))
    with app.test_request_context():
        top = top_standings(round_.id)
        assert _ids(top) == _ids(live_standings(round_.id)[:10])
        assert top[0].entry.id == entries[39].id
