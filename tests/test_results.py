"""Closing rounds into frozen results, publishing, hall of fame, the scheduler."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from contest.extensions import db
from contest.models import Entry, Notification, Rating, Result, Round, User, utcnow
from contest.rounds import results


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
    add_ratings(app, entry.id, [5], [make_user("voter")])  # a medal needs a counted rating
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

    from contest.rounds.ratings import mature_ratings

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


def order_on(html, selector_id):
    """The entry ids of a ranked list in a page, in order."""
    import re

    start = html.index(f'id="{selector_id}"')
    block = html[start : html.index("</ol>", start)]
    return [int(i) for i in re.findall(r'data-entry-id="(\d+)"', block)]


def test_a_closed_round_shows_one_ranking_everywhere(
    app, mod, make_user, make_round, make_entry, new_api, client
):
    """Round page, results page, API and hall of fame agree; unrated clips last, no medal."""
    app.config["MIN_ACCOUNT_AGE_HOURS"] = 24
    round_ = make_round("open", title="One truth")
    author = make_user("author")
    names = ("steady", "lucky", "unrated", "young only")
    entries = {n: make_entry(round_.id, author.id, title=n) for n in names}
    veterans = [make_user(f"vet{i}") for i in range(4)]
    newcomers = [make_user(f"new{i}") for i in range(3)]
    with app.app_context():
        for vet in veterans:
            db.session.get(User, vet.id).created_at = utcnow() - timedelta(days=30)
        db.session.commit()
    for vet, stars in zip(veterans, (4, 4, 5, 4), strict=True):
        new_api(vet.username).put(
            f"/api/v1/entries/{entries['steady'].id}/rating", {"stars": stars}
        )
    new_api("vet0").put(f"/api/v1/entries/{entries['lucky'].id}/rating", {"stars": 3})
    for fan in newcomers:  # only young accounts rated this one: it has no counted rating
        new_api(fan.username).put(
            f"/api/v1/entries/{entries['young only'].id}/rating", {"stars": 5}
        )
    live = client.get(f"/api/v1/rounds/{round_.id}").get_json()["leaderboard"]
    live_order = [row["entry_id"] for row in live]
    mod.post(f"/api/v1/rounds/{round_.id}/close", {"force": True})
    mod.post(f"/api/v1/rounds/{round_.id}/publish")
    api_round = client.get(f"/api/v1/rounds/{round_.id}").get_json()
    api_order = [row["entry_id"] for row in api_round["results"]]
    assert [row["entry_id"] for row in api_round["leaderboard"]] == api_order
    assert api_order == live_order  # what fans watched live is what froze
    assert api_order[:2] == [entries["steady"].id, entries["lucky"].id]
    slug = api_round["slug"]
    round_page = client.get(f"/rounds/{slug}").data.decode()
    results_page = client.get(f"/rounds/{slug}/results").data.decode()
    fame = client.get("/hall-of-fame").data.decode()
    assert order_on(round_page, "final-results") == api_order
    assert order_on(results_page, "main-results") == api_order
    assert order_on(fame, f"podium-{round_.id}") == api_order[:2]  # no medal without ratings
    assert "Final standings" not in round_page and "Final results" in round_page
    medals = {row["entry_id"]: row["medal"] for row in api_round["results"]}
    assert medals[entries["steady"].id] == "gold" and medals[entries["lucky"].id] == "silver"
    assert medals[entries["unrated"].id] is None and medals[entries["young only"].id] is None
    assert "win no medal" in results_page
    assert "New: needs votes" in results_page and "0.0★" not in results_page
    with app.app_context():
        said = db.session.scalars(
            sa.select(Notification.message).where(Notification.kind == "results")
        ).all()
    told = {m["params"]["title"]: m["params"]["rank"] for m in said}  # "finished #N"
    assert told == {row["title"]: row["rank"] for row in api_round["results"]}


def test_a_round_being_checked_shows_no_live_standing_as_final(
    app, mod, make_user, make_round, make_entry, new_api, client
):
    round_ = make_round("open", title="Being checked")
    entry = make_entry(round_.id, make_user("author").id)
    make_user("fan")
    new_api("fan").put(f"/api/v1/entries/{entry.id}/rating", {"stars": 4})
    mod.post(f"/api/v1/rounds/{round_.id}/close", {"force": True})
    slug = client.get(f"/api/v1/rounds/{round_.id}").get_json()["slug"]
    page = client.get(f"/rounds/{slug}").data.decode()
    assert 'id="results-pending"' in page and 'id="leaderboard"' not in page
    assert client.get(f"/api/v1/rounds/{round_.id}").get_json()["leaderboard"] == []
    assert client.get(f"/rounds/{slug}/results").status_code == 404
    preview = mod.get(f"/api/v1/rounds/{round_.id}").get_json()
    assert preview["leaderboard"] == preview["results"] and preview["results"][0]["count"] == 1


def test_a_young_fan_sees_when_their_rating_counts(app, make_user, make_round, make_entry, new_api):
    app.config["MIN_ACCOUNT_AGE_HOURS"] = 24
    round_ = make_round("open")
    entry = make_entry(round_.id, make_user("author").id)
    make_user("newcomer")
    fan = new_api("newcomer")
    answer = fan.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 5}).get_json()
    with app.app_context():
        joined = db.session.scalar(sa.select(User.created_at).where(User.username == "newcomer"))
    assert answer["counts_from"] == (joined + timedelta(hours=24)).isoformat()
    page = fan.get(f"/entries/{entry.id}").data.decode()
    assert "+1 from a new account, counting from" in page
    assert f'data-counts-from="{answer["counts_from"]}"' in page
