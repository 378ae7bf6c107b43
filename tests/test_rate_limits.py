"""Each rate limit answers 429 with Retry-After, and only the one who hit it is slowed."""

import pytest

pytestmark = pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True}])


def assert_limited(response):
    assert response.status_code == 429, response.get_json()
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert int(response.headers["Retry-After"]) > 0


def hammer(send, times):
    """Send until the limit answers; return (answers before, the limited answer)."""
    answers = [send(i) for i in range(times + 1)]
    return answers[:-1], answers[-1]


def test_sign_up_is_limited_per_address(client, api):
    token = api.token()

    def register(i, address="10.0.0.1"):
        return client.post(
            "/api/v1/auth/register",
            json={
                "username": f"fan{i:03d}",
                "email": f"fan{i}@example.com",
                "password": "correct horse",
            },
            headers={"X-CSRFToken": token},
            environ_base={"REMOTE_ADDR": address},
        )

    before, limited = hammer(register, 50)  # a club signs up together: 50 an hour
    assert {r.status_code for r in before} == {201}
    assert_limited(limited)
    other = register(99, address="10.0.0.2")
    assert other.status_code == 201  # someone else is not blocked


def test_rating_is_limited_per_account(make_user, make_round, make_entry, new_api):
    author = make_user("author")
    make_user("busy")
    make_user("calm")
    entry = make_entry(make_round("open").id, author.id)
    busy = new_api("busy")
    before, limited = hammer(
        lambda i: busy.put(f"/api/v1/entries/{entry.id}/rating", {"stars": i % 5 + 1}), 120
    )
    assert {r.status_code for r in before} == {200}
    assert_limited(limited)
    assert (
        new_api("calm").put(f"/api/v1/entries/{entry.id}/rating", {"stars": 4}).status_code == 200
    )


def test_commenting_is_limited_per_account(make_user, make_round, make_entry, new_api):
    author = make_user("author")
    make_user("chatty")
    entry = make_entry(make_round("open").id, author.id)
    chatty = new_api("chatty")
    before, limited = hammer(
        lambda i: chatty.post(f"/api/v1/entries/{entry.id}/comments", {"body": f"c{i}"}), 10
    )
    assert {r.status_code for r in before} == {201}
    assert_limited(limited)
    assert (
        new_api("author")
        .post(f"/api/v1/entries/{entry.id}/comments", {"body": "thanks"})
        .status_code
        == 201
    )


def test_reporting_is_limited_per_account(make_user, make_round, make_entry, new_api):
    author = make_user("author")
    make_user("snitch")
    make_user("fair")
    round_ = make_round("open")
    entries = [make_entry(round_.id, author.id, title=f"e{i}") for i in range(21)]
    snitch = new_api("snitch")
    before, limited = hammer(
        lambda i: snitch.post(f"/api/v1/entries/{entries[i].id}/reports", {"reason": "spam"}), 20
    )
    assert {r.status_code for r in before} == {201}
    assert_limited(limited)
    assert (
        new_api("fair")
        .post(f"/api/v1/entries/{entries[0].id}/reports", {"reason": "spam"})
        .status_code
        == 201
    )


def test_upload_start_is_limited_per_account(make_user, make_round, new_api, app):
    app.config["MAX_ENTRIES_PER_ROUND"] = 100
    make_user("eager")
    make_user("other")
    round_ = make_round("open")
    body = {
        "round_id": round_.id,
        "title": "t",
        "filename": "a.mp4",
        "size": 10,
        "content_type": "video/mp4",
    }
    eager = new_api("eager")
    before, limited = hammer(lambda i: eager.post("/api/v1/uploads", body), 30)
    assert {r.status_code for r in before} == {201}
    assert_limited(limited)
    assert new_api("other").post("/api/v1/uploads", body).status_code == 201
