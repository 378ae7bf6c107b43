"""Finals: moderators shortlist after the main vote; fans vote again among finalists only."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from contest.extensions import db
from contest.models import Entry, ModerationAction, Notification, Rating, Round, utcnow
from contest.rounds import finals, rating_counts, ratings
from tests.helpers import wait_for_event


@pytest.fixture
def mod(make_user, new_api):
    make_user("mod", role="moderator")
    return new_api("mod")


def move(app, round_id, **fields):
    """Shift a round's windows, as the passing of time would."""
    with app.app_context():
        round_ = db.session.get(Round, round_id)
        for name, value in fields.items():
            setattr(round_, name, value)
        db.session.commit()


def rate(api, entry_id, stars):
    return api.put(f"/api/v1/entries/{entry_id}/rating", {"stars": stars})


def error_code(response):
    return response.get_json()["error"]["code"]


@pytest.fixture
def finals_round(app, make_user, make_round, make_entry, new_api):
    """A round in main voting with a finals window, four entries and six voters."""
    now = utcnow()
    round_ = make_round(
        "voting", finals_open_at=now + timedelta(days=2), finals_close_at=now + timedelta(days=3)
    )
    author = make_user("author")
    entries = {name: make_entry(round_.id, author.id, title=name) for name in ("A", "B", "C", "D")}
    voters = [new_api(make_user(f"voter{i}").username) for i in range(6)]
    main_votes = {"A": [5, 5, 5], "B": [4, 4, 4], "C": [3, 3], "D": [1]}
    for name, stars_list in main_votes.items():
        for voter, stars in zip(voters, stars_list, strict=False):
            assert rate(voter, entries[name].id, stars).status_code == 200
    return {"round": round_, "entries": entries, "voters": voters, "author": author}


def test_round_windows_for_finals_are_checked(mod):
    base = {
        "title": "With finals",
        "submissions_open_at": "2027-01-01T00:00:00Z",
        "submissions_close_at": "2027-01-20T00:00:00Z",
        "voting_close_at": "2027-01-25T00:00:00Z",
    }
    before = mod.post(
        "/api/v1/rounds",
        {
            **base,
            "finals_open_at": "2027-01-24T00:00:00Z",
            "finals_close_at": "2027-01-30T00:00:00Z",
        },
    )
    assert before.status_code == 422 and error_code(before) == "invalid_windows"
    half = mod.post("/api/v1/rounds", {**base, "finals_open_at": "2027-01-26T00:00:00Z"})
    assert half.status_code == 422 and error_code(half) == "invalid_windows"
    made = mod.post(
        "/api/v1/rounds",
        {
            **base,
            "finals_open_at": "2027-01-26T00:00:00Z",
            "finals_close_at": "2027-01-31T00:00:00Z",
        },
    )
    assert made.status_code == 201
    body = made.get_json()
    assert body["has_finals"] is True and body["finalists_at"] is None
    assert body["finals_close_at"].startswith("2027-01-31T00:00:00")
    # finals can be removed again before anyone is shortlisted
    edited = mod.patch(
        f"/api/v1/rounds/{body['id']}", {"finals_open_at": None, "finals_close_at": None}
    )
    assert edited.status_code == 200 and edited.get_json()["has_finals"] is False


def test_finals_vote_among_finalists_only_and_results_use_finals_ratings(
    app, mod, finals_round, make_user, new_api, socket_client
):
    round_id = finals_round["round"].id
    e = {name: entry.id for name, entry in finals_round["entries"].items()}
    voters = finals_round["voters"]

    early = mod.post(f"/api/v1/rounds/{round_id}/finalists", {"entry_ids": [e["A"], e["B"]]})
    assert early.status_code == 409 and error_code(early) == "not_shortlisting"

    # the main vote ends: the round waits for its shortlist and nobody can rate
    move(app, round_id, voting_close_at=utcnow() - timedelta(minutes=1))
    assert mod.get(f"/api/v1/rounds/{round_id}").get_json()["phase"] == "shortlist"
    closed_vote = rate(voters[0], e["D"], 5)
    assert closed_vote.status_code == 409 and error_code(closed_vote) == "voting_closed"
    pending = mod.post(f"/api/v1/rounds/{round_id}/close", {})
    assert pending.status_code == 409 and error_code(pending) == "finals_pending"

    fan = new_api(make_user("fan").username)
    refused = fan.post(f"/api/v1/rounds/{round_id}/finalists", {"entry_ids": [e["A"], e["B"]]})
    assert refused.status_code == 403
    other_round_entry = 999_999
    bad = mod.post(
        f"/api/v1/rounds/{round_id}/finalists", {"entry_ids": [e["A"], other_round_entry]}
    )
    assert bad.status_code == 422 and error_code(bad) == "invalid_finalists"
    too_few = mod.post(f"/api/v1/rounds/{round_id}/finalists", {"entry_ids": [e["A"]]})
    assert too_few.status_code == 422
    not_a_list = mod.post(f"/api/v1/rounds/{round_id}/finalists", {"entry_ids": "1,2"})
    assert not_a_list.status_code == 422
    with app.app_context():
        assert db.session.get(Round, round_id).finalists_at is None
        assert not db.session.scalar(sa.select(sa.func.count()).where(Entry.finalist.is_(True)))

    viewer = socket_client()
    viewer.emit("join", {"room": f"round:{round_id}"}, callback=True)
    chosen = mod.post(
        f"/api/v1/rounds/{round_id}/finalists", {"entry_ids": [e["A"], e["B"], e["C"]]}
    )
    assert chosen.status_code == 200
    assert [f["entry_id"] for f in chosen.get_json()["finalists"]] == [e["A"], e["B"], e["C"]]
    board = wait_for_event(viewer, "leaderboard", lambda b: len(b["top"]) == 3)
    assert {row["entry_id"] for row in board["top"]} == {e["A"], e["B"], e["C"]}
    assert all(row["count"] == 0 and row["stage"] == "finals" for row in board["top"])
    with app.app_context():
        action = db.session.scalars(
            sa.select(ModerationAction).where(ModerationAction.action == "shortlist")
        ).one()
        assert action.target_type == "round" and action.target_id == round_id
        author_notes = db.session.scalars(
            sa.select(Notification.text).where(Notification.user_id == finals_round["author"].id)
        ).all()
        assert sum("is a finalist" in text for text in author_notes) == 3

    # fresh finals: the finalists start from nothing, the others keep their main-vote numbers
    a = mod.get(f"/api/v1/entries/{e['A']}").get_json()
    assert a["finalist"] is True and a["rating"]["count"] == 0
    d = mod.get(f"/api/v1/entries/{e['D']}").get_json()
    assert d["finalist"] is False and d["rating"]["count"] == 1

    # the finals open
    move(app, round_id, finals_open_at=utcnow() - timedelta(minutes=1))
    assert mod.get(f"/api/v1/rounds/{round_id}").get_json()["phase"] == "finals"
    outsider = rate(voters[1], e["D"], 5)
    assert outsider.status_code == 409 and error_code(outsider) == "not_finalist"
    again = mod.post(f"/api/v1/rounds/{round_id}/finalists", {"entry_ids": [e["A"], e["D"]]})
    assert again.status_code == 409 and error_code(again) == "not_shortlisting"
    reopen = mod.patch(
        f"/api/v1/rounds/{round_id}",
        {"voting_close_at": (utcnow() + timedelta(hours=5)).isoformat()},
    )
    assert reopen.status_code == 409 and error_code(reopen) == "finals_started"

    finals_votes = {"B": [5, 5, 5], "A": [2, 2, 2], "C": [3]}
    for name, stars_list in finals_votes.items():
        for voter, stars in zip(voters, stars_list, strict=False):
            answer = rate(voter, e[name], stars)
            assert answer.status_code == 200, answer.get_json()
    a = voters[0].get(f"/api/v1/entries/{e['A']}").get_json()
    # voter 0 rated A 5 in the main vote and 2 in the finals: the finals row is a new one
    assert a["rating"]["count"] == 3 and a["rating"]["average"] == 2.0 and a["my_rating"] == 2
    board = mod.get(f"/api/v1/rounds/{round_id}").get_json()["leaderboard"]
    assert [row["entry_id"] for row in board] == [e["B"], e["C"], e["A"]]
    with app.app_context():
        assert rating_counts.histogram(db.session.get(Entry, e["A"])) == [0, 3, 0, 0, 0]
        for entry_id in e.values():
            entry = db.session.get(Entry, entry_id)
            assert (entry.rating_count, entry.rating_sum) == ratings.recount(entry_id)
        main_rows = db.session.scalar(
            sa.select(sa.func.count()).select_from(Rating).where(Rating.stage == "main")
        )
        assert main_rows == 9  # untouched by the finals

    closed = mod.post(f"/api/v1/rounds/{round_id}/close", {"force": True})
    assert closed.status_code == 200
    frozen = closed.get_json()["results"]
    assert [(r["title"], r["rank"], r["stage"]) for r in frozen] == [
        ("B", 1, "finals"),
        ("C", 2, "finals"),
        ("A", 3, "finals"),
        ("D", 4, "main"),
    ]
    assert frozen[0]["count"] == 3 and frozen[0]["average"] == 5.0
    assert frozen[3]["count"] == 1  # D keeps its main-vote numbers behind the finalists
    assert closed.get_json()["round"]["phase"] == "closed"
    page = mod.client.get(f"/rounds/{finals_round['round'].slug}/results")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Finals" in html and "Main vote" in html


def test_scheduler_shortlists_the_main_vote_top_when_moderators_do_not(
    app, finals_round, make_user
):
    round_id = finals_round["round"].id
    e = {name: entry.id for name, entry in finals_round["entries"].items()}
    app.config["FINALISTS"] = 2
    now = utcnow()
    move(
        app,
        round_id,
        voting_close_at=now - timedelta(hours=2),
        finals_open_at=now - timedelta(minutes=1),
    )
    with app.test_request_context():
        assert finals.shortlist_due_rounds() == [round_id]
        assert finals.shortlist_due_rounds() == []  # only once
        chosen = {x.id for x in finals.finalists(db.session.get(Round, round_id))}
        assert chosen == {e["A"], e["B"]}
        action = db.session.scalars(
            sa.select(ModerationAction).where(ModerationAction.action == "shortlist")
        ).one()
        assert action.moderator_id is None and "automatically" in action.reason


def test_a_ban_during_the_finals_takes_the_finals_rating_out(app, mod, finals_round):
    round_id = finals_round["round"].id
    e = {name: entry.id for name, entry in finals_round["entries"].items()}
    voters = finals_round["voters"]
    move(app, round_id, voting_close_at=utcnow() - timedelta(minutes=2))
    assert (
        mod.post(
            f"/api/v1/rounds/{round_id}/finalists", {"entry_ids": [e["A"], e["B"]]}
        ).status_code
        == 200
    )
    move(app, round_id, finals_open_at=utcnow() - timedelta(minutes=1))
    assert rate(voters[0], e["A"], 4).status_code == 200
    assert rate(voters[1], e["A"], 2).status_code == 200
    banned = mod.post("/api/v1/moderation/users/voter1", {"action": "ban", "reason": "sockpuppet"})
    assert banned.status_code == 200
    with app.app_context():
        a = db.session.get(Entry, e["A"])
        assert (a.rating_count, a.rating_sum) == (1, 4) == ratings.recount(e["A"])
        c = db.session.get(Entry, e["C"])  # a non-finalist: main-vote numbers without v1
        assert (c.rating_count, c.rating_sum) == (1, 3) == ratings.recount(e["C"])


def test_moderator_shortlists_on_the_phone_page_and_fans_see_the_finals(
    app, mod, finals_round, new_api, make_user
):
    round_ = finals_round["round"]
    e = {name: entry.id for name, entry in finals_round["entries"].items()}
    move(app, round_.id, voting_close_at=utcnow() - timedelta(minutes=2))
    page = mod.client.get(f"/moderation/rounds/{round_.id}/finalists")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # ranked by the main vote, the top FINALISTS (5 by default: all four here) ticked
    assert html.index(">#1 A") < html.index(">#2 B") < html.index(">#4 D")
    assert html.count(" checked") == 4
    fan = new_api(make_user("fan").username)
    assert fan.client.get(f"/moderation/rounds/{round_.id}/finalists").status_code == 403
    no_token = mod.client.post(
        f"/moderation/rounds/{round_.id}/finalists", data={"entry_ids": [e["A"], e["B"]]}
    )
    assert no_token.status_code in (400, 403)
    saved = mod.client.post(
        f"/moderation/rounds/{round_.id}/finalists",
        data={"csrf_token": mod.token(), "entry_ids": [str(e["A"]), str(e["B"])]},
    )
    assert saved.status_code == 302
    move(app, round_.id, finals_open_at=utcnow() - timedelta(minutes=1))
    round_page = fan.client.get(f"/rounds/{round_.slug}").get_data(as_text=True)
    assert "Finals voting" in round_page and 'id="finals-note"' in round_page
    grid = round_page[round_page.index('id="entries"') :]
    assert ">A<" in grid and ">B<" in grid and ">C<" not in grid and ">D<" not in grid
    assert grid.count("Finalist") == 2
    outsider = fan.client.get(f"/entries/{e['C']}").get_data(as_text=True)
    assert 'id="not-finalist"' in outsider and 'id="rate"' not in outsider
    finalist = fan.client.get(f"/entries/{e['A']}").get_data(as_text=True)
    assert 'id="rate"' in finalist and "Finalist" in finalist
