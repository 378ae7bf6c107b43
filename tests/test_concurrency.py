"""Many fans rating at once: the live aggregates always equal a recount of the rating rows."""

import random
import threading
import time

import pytest
import sqlalchemy as sa

from contest.extensions import db
from contest.models import Entry
from contest.rounds import rating_writer, ratings


def test_50_threads_rating_the_same_entries(app, make_user, make_round, make_entry, new_api):
    round_ = make_round("open")
    author = make_user("author")
    entries = [make_entry(round_.id, author.id, title=f"e{i}").id for i in range(3)]
    voters = []
    for i in range(50):
        make_user(f"fan{i:02d}")
        voters.append(new_api(f"fan{i:02d}"))
    errors, barrier = [], threading.Barrier(50)

    def vote(api, seed):
        rng = random.Random(seed)
        barrier.wait()
        for _ in range(6):
            entry_id = rng.choice(entries)
            if rng.random() < 0.15:
                response = api.delete(f"/api/v1/entries/{entry_id}/rating")
            else:
                response = api.put(
                    f"/api/v1/entries/{entry_id}/rating", {"stars": rng.randint(1, 5)}
                )
            if response.status_code != 200:
                errors.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=vote, args=(api, i)) for i, api in enumerate(voters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with app.app_context():
        total = 0
        for entry_id in entries:
            db.session.remove()
            entry = db.session.get(Entry, entry_id)
            assert (entry.rating_count, entry.rating_sum) == ratings.recount(entry_id)
            total += entry.rating_count
        assert 0 < total <= 150
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 3


def four_fans_rate_at_once(make_user, make_round, make_entry, new_api, monkeypatch):
    """Four fans rate one entry at once (1 to 4 stars), each from a thread named for them:
    (entry id, their answers, the batches' sizes, the threads that applied them, the fans)."""
    round_ = make_round("open")
    entry_id = make_entry(round_.id, make_user("author").id).id
    voters = []
    for i in range(4):
        make_user(f"fan{i}")
        voters.append(new_api(f"fan{i}"))
    sizes, appliers = [], []
    apply_changes = rating_writer.apply_changes

    def recorded(changes):
        sizes.append(len(changes))
        appliers.append(threading.current_thread().name)
        return apply_changes(changes)

    monkeypatch.setattr(rating_writer, "apply_changes", recorded)
    answers = []

    def vote(api, stars):
        answers.append(api.put(f"/api/v1/entries/{entry_id}/rating", {"stars": stars}))

    threads = [
        threading.Thread(target=vote, args=(api, i + 1), name=f"fan{i}")
        for i, api in enumerate(voters)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return entry_id, answers, sizes, appliers, {t.name for t in threads}


# A gather window far longer than a fan waits: only a full batch waking the writer at once
# answers these fans (else each gets 503 rating_unavailable after RATING_TIMEOUT).
@pytest.mark.parametrize(
    "config_overrides", [{"RATING_GATHER_MS": 60_000, "RATING_BATCH": 4, "RATING_TIMEOUT": 10}]
)
def test_a_full_batch_is_committed_at_once_without_waiting_for_the_gather_window(
    app, make_user, make_round, make_entry, new_api, monkeypatch
):
    entry_id, answers, batches, _, _ = four_fans_rate_at_once(
        make_user, make_round, make_entry, new_api, monkeypatch
    )
    assert [a.status_code for a in answers] == [200] * 4, [a.get_json() for a in answers]
    assert batches == [4]  # one transaction for the four
    assert max(a.get_json()["rating"]["count"] for a in answers) == 4
    with app.app_context():
        entry = db.session.get(Entry, entry_id)
        assert (entry.rating_count, entry.rating_sum) == (4, 10) == ratings.recount(entry_id)


# Batches of two, gathered as long as it takes: the fans' own requests apply them, in turn.
@pytest.mark.parametrize(
    "config_overrides", [{"RATING_GATHER_MS": 60_000, "RATING_BATCH": 2, "RATING_TIMEOUT": 10}]
)
def test_the_fans_requests_take_turns_applying_the_batches(
    app, make_user, make_round, make_entry, new_api, monkeypatch
):
    entry_id, answers, sizes, appliers, fans = four_fans_rate_at_once(
        make_user, make_round, make_entry, new_api, monkeypatch
    )
    assert [a.status_code for a in answers] == [200] * 4, [a.get_json() for a in answers]
    assert sizes == [2, 2]
    # each batch ran on a fan's own request, two different fans: the lead was handed on
    assert len(set(appliers)) == 2
    assert set(appliers) <= fans
    assert app.extensions["rating_writer"].wait_idle(0)
    with app.app_context():
        assert ratings.recount(entry_id) == (4, 10)


@pytest.mark.parametrize(
    "config_overrides", [{"RATING_GATHER_MS": 60_000, "RATING_BATCH": 4, "RATING_TIMEOUT": 30}]
)
def test_shutting_down_while_a_batch_gathers_answers_it_503_and_stores_nothing(
    app, make_user, make_round, make_entry, new_api
):
    round_ = make_round("open")
    entry_id = make_entry(round_.id, make_user("author").id).id
    make_user("fan")
    api = new_api("fan")
    writer = app.extensions["rating_writer"]
    answers = []
    thread = threading.Thread(
        target=lambda: answers.append(api.put(f"/api/v1/entries/{entry_id}/rating", {"stars": 5}))
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not (writer._leading and writer._queue) and time.monotonic() < deadline:
        time.sleep(0.01)  # until the fan's request leads and gathers
    assert writer._leading and writer._queue
    assert writer.close() == 1
    thread.join(timeout=10)
    assert not thread.is_alive()  # answered at once, not after the 60 s gather
    assert answers[0].status_code == 503
    assert answers[0].get_json()["error"]["code"] == "rating_unavailable"
    assert writer.wait_idle(1)
    with app.app_context():
        assert ratings.recount(entry_id) == (0, 0)


def test_sqlite_reads_begin_deferred_and_everything_that_writes_immediate(app):
    from contest.database import sqlite_begin_statement

    with app.test_request_context("/rounds/x", method="GET"):
        assert sqlite_begin_statement() == "BEGIN"  # pages read side by side
    with app.test_request_context("/api/v1/me", method="PATCH"):
        assert sqlite_begin_statement() == "BEGIN IMMEDIATE"
    with app.test_request_context("/api/v1/entries/1/rating", method="PUT"):
        assert sqlite_begin_statement() == "BEGIN"  # the rating writer commits it
    with app.test_request_context("/verify/token", method="GET"):
        assert sqlite_begin_statement() == "BEGIN IMMEDIATE"  # a GET that writes
    with app.app_context():  # jobs and commands run here: they write
        assert sqlite_begin_statement() == "BEGIN IMMEDIATE"
