"""Reports, auto-hide, moderator actions with their audit rows, bans, trust."""

import pytest
import sqlalchemy as sa
from helpers import make_video, upload_video, wait_for_status

from contest.extensions import db
from contest.models import Comment, Entry, ModerationAction, Rating, Report, User
from contest.rounds import ratings


@pytest.fixture
def world(make_user, make_round, make_entry, new_api):
    author = make_user("author")
    fan_ids = [make_user(name).id for name in ("fan1", "fan2", "fan3")]
    make_user("mod", role="moderator")
    round_ = make_round("open")
    entry = make_entry(round_.id, author.id, title="Rabona")
    return {
        "round": round_,
        "entry": entry,
        "author": author,
        "mod": new_api("mod"),
        "fans": [new_api(f"fan{i}") for i in (1, 2, 3)],
        "author_api": new_api("author"),
        "fan_ids": fan_ids,
    }


def audit(app, action):
    with app.app_context():
        return db.session.scalars(
            sa.select(ModerationAction).where(ModerationAction.action == action)
        ).all()


def status(app, entry_id):
    with app.app_context():
        return db.session.get(Entry, entry_id).status


def test_reports_and_auto_hide_at_the_threshold(world, app, new_api):
    entry = world["entry"]
    url = f"/api/v1/entries/{entry.id}/reports"
    first = world["fans"][0].post(url, {"reason": "spam"})
    assert first.status_code == 201
    again = world["fans"][0].post(url, {"reason": "abuse"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_reported"
    bad = world["fans"][1].post(url, {"reason": "boring"})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_reason"
    other = world["fans"][1].post(url, {"reason": "other"})
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "reason_required"
    own = world["author_api"].post(url, {"reason": "spam"})
    assert own.status_code == 409
    world["fans"][1].post(url, {"reason": "not_football"})
    assert status(app, entry.id) == "live"
    world["fans"][2].post(url, {"reason": "other", "text": "stolen clip"})
    assert status(app, entry.id) == "hidden"
    assert new_api().get(f"/api/v1/entries/{entry.id}").status_code == 404
    assert len(audit(app, "auto_hide")) == 1
    queue = world["mod"].get("/api/v1/moderation/queue").get_json()
    assert queue["reported"][0]["id"] == entry.id and len(queue["reported"][0]["reports"]) == 3
    # the moderator restores it; reporters hear the outcome
    restored = world["mod"].post(
        f"/api/v1/moderation/entries/{entry.id}", {"action": "restore", "reason": "fine"}
    )
    assert restored.status_code == 200 and restored.get_json()["status"] == "live"
    note = world["fans"][0].get("/api/v1/notifications").get_json()["notifications"][0]
    assert note["kind"] == "moderation" and "left it up" in note["text"]
    with app.app_context():
        assert set(db.session.scalars(sa.select(Report.status))) == {"dismissed"}


def test_comment_auto_hide_and_moderator_delete(world, app):
    entry = world["entry"]
    posted = world["author_api"].post(f"/api/v1/entries/{entry.id}/comments", {"body": "buy now"})
    comment_id = posted.get_json()["id"]
    for fan in world["fans"]:
        assert (
            fan.post(f"/api/v1/comments/{comment_id}/reports", {"reason": "spam"}).status_code
            == 201
        )
    listed = world["fans"][0].get(f"/api/v1/entries/{entry.id}/comments").get_json()
    assert listed["comments"] == []
    gone = world["mod"].post(
        f"/api/v1/moderation/comments/{comment_id}", {"action": "delete", "reason": "spam"}
    )
    assert gone.status_code == 200
    assert audit(app, "delete_comment")[0].reason == "spam"
    with app.app_context():
        assert db.session.get(Comment, comment_id) is None


def test_each_entry_action_is_audited_and_told_to_the_author(world, app, make_entry):
    mod, entry = world["mod"], world["entry"]
    pending = make_entry(world["round"].id, world["author"].id, status="pending_review")
    steps = [
        (pending.id, "approve", "", "live"),
        (entry.id, "hide", "off-topic", "hidden"),
        (entry.id, "restore", "", "live"),
        (entry.id, "disqualify", "paid votes", "disqualified"),
        (entry.id, "restore", "appeal won", "live"),
        (entry.id, "reject", "not your clip", "rejected"),
    ]
    for entry_id, action, reason, expected in steps:
        response = mod.post(
            f"/api/v1/moderation/entries/{entry_id}", {"action": action, "reason": reason}
        )
        assert response.status_code == 200, (action, response.get_json())
        assert status(app, entry_id) == expected
        assert audit(app, action), action
    texts = [
        n["text"]
        for n in world["author_api"].get("/api/v1/notifications").get_json()["notifications"]
    ]
    assert any("rejected: not your clip" in t for t in texts)
    with app.app_context():
        assert db.session.get(Entry, entry.id).status_reason == "not your clip"


@pytest.mark.parametrize(
    "body, status_code, code",
    [
        ({"action": "reject"}, 422, "reason_required"),
        ({"action": "explode", "reason": "x"}, 422, "invalid_action"),
        ({"action": "approve"}, 409, "invalid_transition"),
    ],
)
def test_bad_moderation_requests_change_nothing(world, app, body, status_code, code):
    response = world["mod"].post(f"/api/v1/moderation/entries/{world['entry'].id}", body)
    assert response.status_code == status_code and response.get_json()["error"]["code"] == code
    assert status(app, world["entry"].id) == "live"
    assert audit(app, body["action"]) == []


def test_fans_get_403_on_every_moderator_endpoint(world, app):
    fan = world["fans"][0]
    calls = [
        fan.post(f"/api/v1/moderation/entries/{world['entry'].id}", {"action": "hide"}),
        fan.post("/api/v1/moderation/comments/1", {"action": "delete"}),
        fan.post("/api/v1/moderation/users/author", {"action": "ban", "reason": "x"}),
        fan.get("/api/v1/moderation/queue"),
        fan.get("/api/v1/moderation/log"),
        fan.post(f"/api/v1/rounds/{world['round'].id}/close", {"force": True}),
        fan.post("/api/v1/rounds", {"title": "x"}),
    ]
    for response in calls:
        assert response.status_code == 403, response.request.path
        assert response.get_json()["error"]["code"] == "not_moderator"
    assert fan.client.get("/moderation/").status_code == 403
    assert status(app, world["entry"].id) == "live"


def test_a_ban_hides_entries_and_drops_ratings_until_unban(world, app, make_entry, new_api):
    mod, entry = world["mod"], world["entry"]
    other = make_entry(world["round"].id, world["author"].id, title="Second")
    cheat = world["fans"][0]
    cheat_entry = make_entry(world["round"].id, world["fan_ids"][0], title="Cheat's clip")
    cheat.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 5})
    world["fans"][1].put(f"/api/v1/entries/{entry.id}/rating", {"stars": 3})
    world["fans"][1].put(f"/api/v1/entries/{other.id}/rating", {"stars": 4})
    no_reason = mod.post("/api/v1/moderation/users/fan1", {"action": "ban"})
    assert no_reason.status_code == 422
    banned = mod.post("/api/v1/moderation/users/fan1", {"action": "ban", "reason": "vote ring"})
    assert banned.status_code == 200 and banned.get_json()["banned"] is True
    assert cheat.get("/api/v1/me").status_code == 401  # signed out at once
    login = new_api().post("/api/v1/auth/login", {"login": "fan1", "password": "correct horse"})
    assert login.status_code == 403 and "vote ring" in login.get_json()["error"]["message"]
    assert status(app, cheat_entry.id) == "hidden"
    with app.app_context():
        row = db.session.get(Entry, entry.id)
        assert (row.rating_count, row.rating_sum) == (1, 3) == ratings.recount(entry.id)
        assert db.session.scalar(sa.select(sa.func.count(Rating.id))) == 3  # rows kept
    closed = mod.post(f"/api/v1/rounds/{world['round'].id}/close", {"force": True}).get_json()
    frozen = {r["entry_id"]: r for r in closed["results"]}
    assert frozen[entry.id]["count"] == 1 and frozen[entry.id]["average"] == 3.0
    assert cheat_entry.id not in frozen
    unbanned = mod.post("/api/v1/moderation/users/fan1", {"action": "unban"})
    assert unbanned.get_json()["banned"] is False
    assert status(app, cheat_entry.id) == "live"
    with app.app_context():
        row = db.session.get(Entry, entry.id)
        assert (row.rating_count, row.rating_sum) == (2, 8) == ratings.recount(entry.id)
    assert [a.action for a in audit(app, "ban")] == ["ban"] and audit(app, "unban")


def test_disqualifying_after_close_refreezes_results(world, app, make_entry):
    mod = world["mod"]
    rival = make_entry(world["round"].id, world["author"].id, title="Rival")
    world["fans"][0].put(f"/api/v1/entries/{world['entry'].id}/rating", {"stars": 5})
    world["fans"][0].put(f"/api/v1/entries/{rival.id}/rating", {"stars": 2})
    mod.post(f"/api/v1/rounds/{world['round'].id}/close", {"force": True})
    mod.post(
        f"/api/v1/moderation/entries/{world['entry'].id}",
        {"action": "disqualify", "reason": "edited clip"},
    )
    results = mod.get(f"/api/v1/rounds/{world['round'].id}").get_json()["results"]
    assert [r["entry_id"] for r in results] == [rival.id] and results[0]["rank"] == 1
    mod.post(f"/api/v1/rounds/{world['round'].id}/publish")
    late = mod.post(f"/api/v1/moderation/entries/{world['entry'].id}", {"action": "restore"})
    assert late.status_code == 409 and late.get_json()["error"]["code"] == "round_published"


def test_trusted_fans_skip_pre_moderation(make_user, make_round, new_api, tmp_path, app):
    make_user("ana")
    make_user("mod", role="moderator")
    mod, ana = new_api("mod"), new_api("ana")
    strict = make_round("open", requires_approval=True)
    first = wait_for_status(ana, upload_video(ana, strict.id, make_video(tmp_path)))
    assert first["status"] == "pending_review"
    page = ana.client.get(f"/entries/{first['id']}").data.decode()
    assert "Waiting for a moderator" in page
    trusted = mod.post("/api/v1/moderation/users/ana", {"action": "trust"})
    assert trusted.get_json()["trusted"] is True
    second = wait_for_status(ana, upload_video(ana, strict.id, make_video(tmp_path, "b.mp4")))
    assert second["status"] == "live"


def test_fans_become_trusted_after_enough_approvals(world, app, make_entry):
    app.config["TRUST_AFTER_APPROVALS"] = 2
    for _ in range(2):
        pending = make_entry(world["round"].id, world["author"].id, status="pending_review")
        world["mod"].post(f"/api/v1/moderation/entries/{pending.id}", {"action": "approve"})
    with app.app_context():
        assert db.session.scalar(sa.select(User.trusted).where(User.username == "author"))


def test_queue_and_log_pages_for_moderators(world, app, make_entry):
    pending = make_entry(
        world["round"].id, world["author"].id, title="Waiting clip", status="pending_review"
    )
    client = world["mod"].client
    page = client.get("/moderation/").data.decode()
    assert "Waiting clip" in page and 'name="action" value="approve"' in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    done = client.post(
        f"/moderation/act/entry/{pending.id}",
        data={"csrf_token": token, "action": "approve", "reason": ""},
    )
    assert done.status_code == 302 and status(app, pending.id) == "live"
    log = client.get("/moderation/log").data.decode()
    assert "approve" in log and "mod" in log
