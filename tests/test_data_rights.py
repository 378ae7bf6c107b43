"""A fan's data rights: the export holds their data and nobody else's; deleting the account
removes the profile, takes their ratings and entries out of rounds still running (aggregates
equal a recount), and leaves published results credited to "deleted fan"."""

import json

import sqlalchemy as sa
from conftest import PASSWORD

from contest.extensions import db
from contest.models import Entry, Rating, User
from contest.rounds import ratings


def rate(fan, entry_id, stars):
    answer = fan.put(f"/api/v1/entries/{entry_id}/rating", {"stars": stars})
    assert answer.status_code == 200, answer.get_json()


def test_the_export_holds_the_fans_own_data_and_nobody_elses(
    new_api, make_user, make_round, make_entry
):
    make_user("ana")
    bob = make_user("bob")
    round_ = make_round("open")
    mine = make_entry(round_.id, make_user("ana2").id, title="Ana's friend clip")
    bobs = make_entry(round_.id, bob.id, title="Bob clip")
    ana, bob_api = new_api("ana"), new_api("bob")
    rate(ana, bobs.id, 4)
    rate(bob_api, mine.id, 2)
    ana.post(f"/api/v1/entries/{bobs.id}/comments", {"body": "ana says hi"})
    bob_api.post(f"/api/v1/entries/{bobs.id}/comments", {"body": "bob secret words"})
    ana.post("/api/v1/users/bob/follow")
    ana.post(f"/api/v1/entries/{bobs.id}/reports", {"reason": "spam"})
    answer = ana.get("/api/v1/me/export")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.headers["Cache-Control"] == "private, no-store"
    data = json.loads(answer.data)
    assert data["profile"]["username"] == "ana" and data["profile"]["email"] == "ana@example.com"
    assert data["ratings"] == [
        {"entry_id": bobs.id, "stars": 4, "stage": "main", "at": data["ratings"][0]["at"]}
    ]
    assert [c["body"] for c in data["comments"]] == ["ana says hi"]
    assert data["comments"][0]["url"].startswith(f"http://localhost/entries/{bobs.id}#c")
    assert data["following"][0]["username"] == "bob"
    assert data["reports"][0]["reason"] == "spam"
    text = answer.data.decode()
    assert "bob secret words" not in text and "bob@example.com" not in text
    assert '"stars": 2' not in text  # Bob's rating of someone else's clip
    assert new_api().get("/api/v1/me/export").status_code == 401


def test_deleting_an_account(app, new_api, make_user, make_round, make_entry, client):
    make_user("ana")
    author = make_user("author")
    voters = [make_user(f"voter{i}") for i in range(2)]
    running = make_round("open")
    theirs = make_entry(running.id, author.id, title="Author clip")
    ana = new_api("ana")
    own = make_entry(running.id, app_user_id(app, "ana"), title="Ana clip")
    rate(ana, theirs.id, 1)
    for voter in voters:
        rate(new_api(voter.username), theirs.id, 5)
    comment = ana.post(f"/api/v1/entries/{theirs.id}/comments", {"body": "great skill"})
    assert comment.status_code == 201
    ana.post("/api/v1/users/author/follow")

    wrong = ana.delete("/api/v1/me", json={"password": "not my password"})
    assert wrong.status_code == 403
    assert ana.get("/api/v1/me").status_code == 200  # nothing changed

    gone = ana.delete("/api/v1/me", json={"password": PASSWORD})
    assert gone.status_code == 204
    assert ana.get("/api/v1/me").status_code == 401
    assert new_api().get("/api/v1/users/ana").status_code == 404
    assert client.get("/u/ana").status_code == 404
    refused = new_api().post("/api/v1/auth/login", {"login": "ana", "password": PASSWORD})
    assert refused.status_code == 401
    ana_id = app_user_id(app, None, own)
    with app.app_context():
        entry = db.session.get(Entry, theirs.id)
        assert (entry.rating_count, entry.rating_sum) == ratings.recount(entry.id) == (2, 10)
        assert db.session.get(Entry, own.id).status == "rejected"  # out of the running round
        user = db.session.get(User, ana_id)
        assert user.deleted_at is not None and user.email.endswith(".invalid")
        assert user.bio == "" and user.password_hash == "!"
    shown = new_api().get(f"/api/v1/entries/{theirs.id}/comments").get_json()["comments"]
    assert shown[0]["author"] == "deleted fan" and shown[0]["body"] == "great skill"
    assert new_api().get("/api/v1/users/author").get_json()["counts"]["followers"] == 0
    # the address and the name can sign up again
    again = new_api().post(
        "/api/v1/auth/register",
        {"username": "ana", "email": "ana@example.com", "password": PASSWORD},
    )
    assert again.status_code == 201 and again.get_json()["id"] is not None


def test_published_results_keep_a_deleted_fans_place(app, new_api, make_user, make_round):
    make_user("mod", role="moderator")
    make_user("ana")
    round_ = make_round("closed")
    ana_id = app_user_id(app, "ana")
    with app.app_context():
        entry = Entry(
            round_id=round_.id,
            author_id=ana_id,
            title="Ana's winner",
            status="live",
            video_key="rounds/x/y.mp4",
        )
        db.session.add(entry)
        db.session.flush()
        voter = db.session.scalar(sa.select(User).where(User.username == "mod"))
        db.session.add(Rating(user_id=voter.id, entry_id=entry.id, stars=5))
        entry.rating_count, entry.rating_sum = 1, 5
        db.session.commit()
    mod = new_api("mod")
    mod.post(f"/api/v1/rounds/{round_.id}/close")
    assert mod.post(f"/api/v1/rounds/{round_.id}/publish").status_code == 200
    assert new_api("ana").delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    results = new_api().get(f"/api/v1/rounds/{round_.id}").get_json()["results"]
    assert results[0]["title"] == "Ana's winner" and results[0]["author"] == "deleted fan"
    page = new_api().client.get(f"/rounds/{round_.slug}/results")
    assert page.status_code == 200 and b"deleted fan" in page.data


def test_the_account_page_exports_and_deletes(app, make_user, client, make_round, make_entry):
    from helpers import csrf_of

    entry = make_entry(make_round("open").id, make_user("ana").id)
    login = client.get("/login")
    client.post("/login", data={"csrf_token": csrf_of(login), "login": "ana", "password": PASSWORD})
    page = client.get("/settings/account")
    assert page.status_code == 200 and b"Download my data" in page.data
    export = json.loads(client.get("/settings/account/export").data)
    assert export["profile"]["username"] == "ana"
    assert export["entries"][0]["url"] == f"http://localhost/entries/{entry.id}"
    wrong = client.post(
        "/settings/account/delete",
        data={"csrf_token": csrf_of(page), "del-csrf_token": csrf_of(page), "del-password": "x"},
    )
    assert wrong.status_code == 400 and b"not right" in wrong.data
    done = client.post(
        "/settings/account/delete",
        data={"del-csrf_token": csrf_of(page), "del-password": PASSWORD},
    )
    assert done.status_code == 302
    assert client.get("/u/ana").status_code == 404


def app_user_id(app, username, entry=None):
    with app.app_context():
        if entry is not None:
            return db.session.get(Entry, entry.id).author_id
        return db.session.scalar(sa.select(User.id).where(User.username == username))


def test_a_deleted_captain_hands_the_crew_on(make_user, new_api):
    make_user("ana")
    make_user("bob")
    ana, bob = new_api("ana"), new_api("bob")
    crew = ana.post("/api/v1/crews", {"name": "Last Touch"}).get_json()
    bob.post(f"/api/v1/crews/{crew['slug']}/members")
    export = ana.get("/api/v1/me/export").get_json()
    assert export["crew"] == {"slug": crew["slug"], "name": "Last Touch"}
    assert ana.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    after = new_api().get(f"/api/v1/crews/{crew['slug']}").get_json()
    assert after["captain"] == {"username": "bob"} and after["members"] == [{"username": "bob"}]
