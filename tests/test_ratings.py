"""Ratings: the rules, the aggregate in the same transaction, the Bayesian score."""

import pytest
import sqlalchemy as sa

from contest.extensions import db
from contest.models import Entry, Rating
from contest.rounds import ratings


@pytest.fixture
def setup(make_user, make_round, make_entry, new_api):
    author = make_user("author")
    make_user("voter")
    round_ = make_round("open")
    entry = make_entry(round_.id, author.id)
    return {"round": round_, "entry": entry, "voter": new_api("voter"), "author": new_api("author")}


def aggregate(app, entry_id):
    with app.app_context():
        row = db.session.get(Entry, entry_id)
        return row.rating_count, row.rating_sum, ratings.recount(entry_id)


def test_rate_and_change_keeps_one_row(setup, app):
    voter, entry = setup["voter"], setup["entry"]
    first = voter.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 4})
    assert first.status_code == 200
    body = first.get_json()
    assert (
        body["my_rating"] == 4 and body["rating"]["count"] == 1 and body["rating"]["average"] == 4
    )
    second = voter.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 2}).get_json()
    assert second["rating"] == {"average": 2.0, "count": 1, "score": second["rating"]["score"]}
    assert aggregate(app, entry.id) == (1, 2, (1, 2))
    got = voter.get(f"/api/v1/entries/{entry.id}").get_json()
    assert got["my_rating"] == 2 and got["rating"]["count"] == 1


def test_withdraw_rating(setup, app):
    voter, entry = setup["voter"], setup["entry"]
    voter.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 5})
    response = voter.delete(f"/api/v1/entries/{entry.id}/rating")
    assert response.status_code == 200 and response.get_json()["rating"]["count"] == 0
    assert aggregate(app, entry.id) == (0, 0, (0, 0))


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"stars": 0}, 422, "invalid_stars"),
        ({"stars": 6}, 422, "invalid_stars"),
        ({"stars": -1}, 422, "invalid_stars"),
        ({"stars": 3.5}, 422, "invalid_stars"),
        ({"stars": "5"}, 422, "invalid_stars"),
        ({"stars": True}, 422, "invalid_stars"),
        ({}, 422, "invalid_stars"),
    ],
)
def test_bad_stars_change_nothing(setup, app, body, status, code):
    voter, entry = setup["voter"], setup["entry"]
    voter.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 3})
    response = voter.put(f"/api/v1/entries/{entry.id}/rating", body)
    assert response.status_code == status and response.get_json()["error"]["code"] == code
    assert aggregate(app, entry.id) == (1, 3, (1, 3))


@pytest.mark.parametrize(
    "content_type", [None, "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_bad_json_rating_is_400(setup, app, content_type):
    """A body that is no JSON object is 400 invalid_json, also when it claims to be a form (the
    parser reads the raw body, not what a form parser left of it), and nothing is stored."""
    voter, entry = setup["voter"], setup["entry"]
    headers = {"X-CSRFToken": voter.token()}
    if content_type:
        headers["Content-Type"] = content_type
    response = voter.client.put(
        f"/api/v1/entries/{entry.id}/rating", data=b"stars=5", headers=headers
    )
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_json"
    assert aggregate(app, entry.id)[0] == 0


def test_own_entry_cannot_be_rated(setup, app):
    response = setup["author"].put(f"/api/v1/entries/{setup['entry'].id}/rating", {"stars": 5})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "own_entry"
    assert aggregate(app, setup["entry"].id)[0] == 0


@pytest.mark.parametrize("phase", ["upcoming", "submissions", "closed"])
def test_rating_outside_voting_is_409(make_user, make_round, make_entry, new_api, app, phase):
    author = make_user("author")
    make_user("voter")
    entry = make_entry(make_round(phase).id, author.id)
    response = new_api("voter").put(f"/api/v1/entries/{entry.id}/rating", {"stars": 5})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "voting_closed"
    assert aggregate(app, entry.id)[0] == 0


def test_rating_a_rejected_or_missing_entry(make_user, make_round, make_entry, new_api, app):
    author = make_user("author")
    make_user("voter")
    make_user("mod", role="moderator")
    round_ = make_round("open")
    rejected = make_entry(round_.id, author.id, status="rejected")
    voter = new_api("voter")
    response = voter.put(f"/api/v1/entries/{rejected.id}/rating", {"stars": 5})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "entry_not_found"
    # a moderator can see it, and is told why it cannot be rated
    response = new_api("mod").put(f"/api/v1/entries/{rejected.id}/rating", {"stars": 5})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "entry_not_live"
    assert voter.put("/api/v1/entries/99999/rating", {"stars": 5}).status_code == 404
    assert aggregate(app, rejected.id)[0] == 0


def test_signed_out_rating_is_401_and_csrf_is_checked(setup, api, app):
    entry = setup["entry"]
    assert api.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 5}).status_code == 401
    forged = setup["voter"].put(f"/api/v1/entries/{entry.id}/rating", {"stars": 5}, csrf=False)
    assert forged.status_code == 403
    assert aggregate(app, entry.id)[0] == 0


def test_bayesian_score_formula(app):
    with app.app_context():
        # 1 rating of 5; 10 averaging 4.5; 10 averaging 2.5 -> m = 75/21, C = median count = 10
        m, c = ratings.prior([(1, 5), (10, 45), (10, 25)])
        assert m == pytest.approx(75 / 21) and c == 10
        lone = ratings.bayesian(5, 1, m, c)
        many = ratings.bayesian(45, 10, m, c)
        assert many > lone  # many good ratings beat one perfect one
        assert lone == pytest.approx((10 * 75 / 21 + 5) / 11)
        assert ratings.prior([(1, 5), (2, 8)])[1] == 5  # C is at least 5
        assert ratings.prior([]) == (3.0, 5.0)
        app.config["PRIOR_WEIGHT"] = 20
        assert ratings.prior([(1, 5)])[1] == 20


def test_ratings_rows_are_unique_per_user_and_entry(setup, app):
    voter, entry = setup["voter"], setup["entry"]
    for stars in (1, 2, 3, 4, 5, 4):
        voter.put(f"/api/v1/entries/{entry.id}/rating", {"stars": stars})
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Rating.id))) == 1


def test_the_round_prior_counted_in_sql_equals_the_formula(app, make_user, make_round, make_entry):
    """round_prior() asks the database for the totals and the median count; prior() is the
    formula over every entry's (count, sum). They agree on empty, odd and even rounds."""
    import random

    from contest.models import Entry
    from contest.rounds.ratings import MIN_PRIOR_WEIGHT, NEUTRAL_MEAN, prior, round_prior

    rng = random.Random(3)
    author = make_user("author")
    round_ = make_round("voting")
    with app.test_request_context():
        assert round_prior(round_.id) == (NEUTRAL_MEAN, float(MIN_PRIOR_WEIGHT))
    counts = []
    for size in (1, 2, 7, 12):
        while len(counts) < size:
            entry = make_entry(round_.id, author.id, title=f"e{len(counts)}")
            n = rng.choice((0, 3, 8, 8, 40))
            counts.append((n, sum(rng.randint(1, 5) for _ in range(n))))
            with app.app_context():
                row = db.session.get(Entry, entry.id)
                row.rating_count, row.rating_sum = counts[-1]
                db.session.commit()
        make_entry(round_.id, author.id, title="hidden one", status="hidden")  # not ranked
        with app.test_request_context():
            assert round_prior(round_.id) == pytest.approx(prior(counts))


@pytest.mark.parametrize("config_overrides", [{"PRIOR_SECONDS": 30}])
def test_pages_share_a_rounds_prior_for_a_while_and_the_rater_gets_it_counted_afresh(
    setup, app, new_api
):
    """Counting a round's prior reads every clip of it: pages share one count for
    PRIOR_SECONDS, while the rating's own answer always counts the prior afresh."""
    from contest.rounds.ratings import round_prior

    voter, entry = setup["voter"], setup["entry"]
    with app.test_request_context():
        before = round_prior(entry.round_id)
    rated = voter.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 1})
    assert rated.status_code == 200
    with app.app_context():
        from contest.rounds.ratings import _round_prior

        fresh = _round_prior(entry.round_id)
    assert fresh != before  # one rating of 1 star moved the round's mean
    assert rated.get_json()["rating"]["score"] == pytest.approx(
        round((fresh[1] * fresh[0] + 1) / (fresh[1] + 1), 2), abs=0.006
    )
    with app.test_request_context():  # a page within PRIOR_SECONDS: the shared count
        assert round_prior(entry.round_id) == before
    app.extensions["round_priors"].clear()  # PRIOR_SECONDS later
    with app.test_request_context():
        assert round_prior(entry.round_id) == fresh
