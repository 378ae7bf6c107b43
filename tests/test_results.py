"""Closing rounds into frozen results, publishing, hall of fame, the scheduler."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from contest import results
from contest.extensions import db
from contest.models import Entry, Rating, Result, Round, User, utcnow


@pytest.fixture
def mod(make_user, new_api):
    make_user("mod", role="moderator")
    return new_api("mod")


def add_ratings(app, entry_id, stars_list, voters):
    with app.app_context():
        for voter, stars in zip(voters, stars_list, strict=False):
            db.session.add(Rating(user_id=voter.id, entry_id=entry_id, stars=stars))
        entry = db.session.get(Entry, entry_id)
        entry.rating_count += len(stars_list)
        entry.rating_sum += sum(stars_list)
        db.session.commit()


def test_close_freezes_ranking_with_tie_breaks(app, mod, make_user, make_round, make_entry):
    voters = [make_user(f"voter{i}") for i in range(6)]
    author = make_user("author")
    round_ = make_round("voting")
    early = make_entry(
        round_.id, author.id, title="early", created_at=utcnow() - timedelta(hours=5)
    )
    late = make_entry(round_.id, author.id, title="late", created_at=utcnow() - timedelta(hours=1))
    more = make_entry(round_.id, author.id, title="more")
    best = make_entry(round_.id, author.id, title="best")
    worst = make_entry(round_.id, author.id, title="worst")
    make_entry(round_.id, author.id, title="hidden one", status="hidden")
    # the round's mean is exactly 4, so every 4-star entry scores exactly 4: ties to break
    add_ratings(app, worst.id, [3, 3], voters)
    add_ratings(app, early.id, [4, 4], voters)
    add_ratings(app, late.id, [4, 4], voters)
    add_ratings(app, more.id, [4, 4, 4], voters)  # same average but more ratings
    add_ratings(app, best.id, [5, 5], voters)
    refused = mod.post(f"/api/v1/rounds/{round_.id}/close")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "voting_open"
    closed = mod.post(f"/api/v1/rounds/{round_.id}/close", {"force": True})
    assert closed.status_code == 200
    frozen = closed.get_json()["results"]
    assert [r["title"] for r in frozen] == ["best", "more", "early", "late", "worst"]
    assert [r["rank"] for r in frozen] == [1, 2, 3, 4, 5]
    assert frozen[0]["count"] == 2 and frozen[0]["average"] == 5.0
    assert frozen[1]["score"] == frozen[2]["score"] == 4.0
    assert closed.get_json()["round"]["phase"] == "closed"
    # closing again changes nothing, and later ratings cannot move frozen results
    again = mod.post(f"/api/v1/rounds/{round_.id}/close", {"force": True}).get_json()["results"]
    assert again == frozen
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Result.id))) == 5


def test_results_are_frozen_from_rating_rows(app, mod, make_user, make_round, make_entry):
    voters = [make_user(f"voter{i}") for i in range(3)]
    round_ = make_round("closed")
    entry = make_entry(round_.id, make_user("author").id)
    add_ratings(app, entry.id, [5, 4, 3], voters)
    frozen = mod.post(f"/api/v1/rounds/{round_.id}/close").get_json()["results"]
    assert frozen[0]["count"] == 3 and frozen[0]["average"] == 4.0


def test_publish_makes_results_and_hall_of_fame_public(
    app, mod, client, make_user, make_round, make_entry, new_api
):
    round_ = make_round("closed", title="Autumn cup")
    entry = make_entry(round_.id, make_user("author").id, title="Winning rabona")
    early = mod.post(f"/api/v1/rounds/{round_.id}/publish")
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "round_not_closed"
    mod.post(f"/api/v1/rounds/{round_.id}/close")
    assert client.get(f"/rounds/{round_.slug}/results").status_code == 404
    assert "results" not in new_api().get(f"/api/v1/rounds/{round_.id}").get_json()
    assert mod.client.get(f"/rounds/{round_.slug}/results").status_code == 200  # preview
    published = mod.post(f"/api/v1/rounds/{round_.id}/publish")
    assert published.status_code == 200 and published.get_json()["round"]["phase"] == "published"
    page = client.get(f"/rounds/{round_.slug}/results").data.decode()
    assert "Winning rabona" in page
    fame = client.get("/hall-of-fame").data.decode()
    assert "Autumn cup" in fame and "Winning rabona" in fame
    public = new_api().get(f"/api/v1/rounds/{round_.id}").get_json()
    assert public["results"][0]["entry_id"] == entry.id


def test_fans_cannot_close_or_publish(make_user, make_round, new_api, app):
    make_user("fan")
    round_ = make_round("closed")
    fan = new_api("fan")
    for action in ("close", "publish"):
        response = fan.post(f"/api/v1/rounds/{round_.id}/{action}")
        assert (
            response.status_code == 403 and response.get_json()["error"]["code"] == "not_moderator"
        )
    with app.app_context():
        assert db.session.get(Round, round_.id).closed_at is None


def test_close_missing_round_is_404(mod):
    assert mod.post("/api/v1/rounds/424242/close").status_code == 404


def test_cli_close_and_publish(runner, make_round, make_user, make_entry, app):
    round_ = make_round("closed")
    make_entry(round_.id, make_user("author").id, title="Only entry")
    result = runner.invoke(args=["rounds", "close", str(round_.id)])
    assert result.exit_code == 0 and "Only entry" in result.output
    assert runner.invoke(args=["rounds", "publish", str(round_.id)]).exit_code == 0
    open_round = make_round("open")
    refused = runner.invoke(args=["rounds", "close", str(open_round.id)])
    assert refused.exit_code != 0 and "Voting is still open" in refused.output


def test_the_scheduler_closes_ended_rounds_without_anyone_acting(app, make_round, client):
    ended = make_round("closed")
    running = make_round("open")
    app.config["SCHEDULER_INTERVAL"] = 1
    client.get("/")  # the first request starts the scheduler
    from helpers import wait_for

    def closed():
        with app.app_context():
            db.session.remove()
            return db.session.get(Round, ended.id).closed_at is not None

    wait_for(closed, timeout=10)
    with app.app_context():
        assert db.session.get(Round, running.id).closed_at is None


def test_close_due_rounds_is_idempotent(app, make_round):
    make_round("closed")
    with app.app_context():
        assert len(results.close_due_rounds()) == 1
        assert results.close_due_rounds() == []


def test_young_accounts_ratings_show_apart_and_count_once_old_enough(
    app, mod, make_user, make_round, make_entry, new_api, client
):
    """What the live score counts is what the frozen result counts: never a second winner."""
    from datetime import timedelta

    from contest.ratings import mature_ratings

    app.config["MIN_ACCOUNT_AGE_HOURS"] = 24
    round_ = make_round("open", title="Age check")
    entry = make_entry(round_.id, make_user("author").id)
    old = make_user("veteran")
    young = make_user("newcomer")
    make_user("latecomer")
    with app.app_context():
        db.session.get(User, old.id).created_at = utcnow() - timedelta(days=30)
        db.session.commit()
    new_api("veteran").put(f"/api/v1/entries/{entry.id}/rating", {"stars": 4})
    newcomer = new_api("newcomer")
    cast = newcomer.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 1}).get_json()
    # the young fan's rating is stored and shown apart, not in the live score
    assert cast["rating"]["count"] == 1 and cast["my_rating"] == 1
    assert cast["counts_from"] is not None
    shown = client.get(f"/api/v1/entries/{entry.id}").get_json()
    assert shown["rating"]["count"] == 1 and shown["pending"]["count"] == 1
    assert newcomer.get(f"/api/v1/entries/{entry.id}").get_json()["my_rating"] == 1
    # a day later the account is old enough: the scheduler counts it, live
    with app.app_context():
        db.session.get(User, young.id).created_at = utcnow() - timedelta(hours=25)
        db.session.commit()
        assert mature_ratings() == [entry.id]
    shown = client.get(f"/api/v1/entries/{entry.id}").get_json()
    assert shown["rating"]["count"] == 2 and shown["pending"] is None
    new_api("latecomer").put(f"/api/v1/entries/{entry.id}/rating", {"stars": 5})
    live = client.get(f"/api/v1/rounds/{round_.id}").get_json()["leaderboard"]
    closed = mod.post(f"/api/v1/rounds/{round_.id}/close", {"force": True}).get_json()
    frozen = closed["results"][0]
    assert (frozen["count"], frozen["average"]) == (live[0]["count"], live[0]["average"])
    assert frozen["count"] == 2 and frozen["average"] == 2.5
    assert closed["round"]["excluded_ratings"] == 1
    mod.post(f"/api/v1/rounds/{round_.id}/publish")
    page = client.get(f"/rounds/{closed['round']['slug']}/results").data.decode()
    assert "1 rating from accounts younger than 24 hours did not count" in page
