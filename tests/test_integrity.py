"""Blind finish and staff picks."""

import time
from datetime import timedelta

import pytest
import sqlalchemy as sa
from helpers import events

from contest.extensions import db
from contest.models import ModerationAction, Round, utcnow


@pytest.fixture
def blind_round(make_user, make_round, make_entry, new_api, app):
    author = make_user("author")
    make_user("fan")
    make_user("mod", role="moderator")
    round_ = make_round("voting", blind_hours=48)  # voting closes in 24 h: inside the window
    entry = make_entry(round_.id, author.id, title="Late rabona")
    return {"round": round_, "entry": entry, "fan": new_api("fan"), "mod": new_api("mod")}


def test_blind_finish_hides_scores_everywhere_but_ratings_count(
    blind_round, socket_client, client, app
):
    round_, entry, fan = blind_round["round"], blind_round["entry"], blind_round["fan"]
    viewer = socket_client()
    viewer.emit("join", {"room": f"entry:{entry.id}"}, callback=True)
    rated = fan.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 5})
    assert rated.status_code == 200
    assert rated.get_json()["rating"]["hidden"] is True and rated.get_json()["my_rating"] == 5
    assert fan.get(f"/api/v1/entries/{entry.id}").get_json()["rating"]["average"] is None
    got = fan.get(f"/api/v1/rounds/{round_.id}").get_json()
    assert got["blind"] is True and got["leaderboard"] == []
    time.sleep(0.6)
    assert events(viewer, "rating") == [] and events(viewer, "leaderboard") == []
    top = fan.get(f"/api/v1/rounds/{round_.id}/entries?sort=top")
    assert top.status_code == 409 and top.get_json()["error"]["code"] == "blind_finish"
    assert fan.get(f"/api/v1/rounds/{round_.id}/entries?sort=new").status_code == 200
    entry_page = client.get(f"/entries/{entry.id}").data.decode()
    assert "Blind finish" in entry_page and 'data-field="average"' not in entry_page
    round_page = client.get(f"/rounds/{round_.slug}").data.decode()
    assert "Blind finish" in round_page and 'id="leaderboard"' not in round_page
    assert "★ ·" not in round_page  # entry cards without averages
    # profiles and the feed, too (issue 15: they leaked the score)
    profile = fan.get("/api/v1/users/author").get_json()
    assert profile["entries"][0]["score"] is None
    profile_page = client.get("/u/author").data.decode()
    assert 'data-field="average"' not in profile_page and "★ ·" not in profile_page
    fan.post("/api/v1/users/author/follow")
    feed = fan.get("/api/v1/feed").get_json()["entries"]
    assert feed[0]["rating"]["average"] is None and feed[0]["rating"]["score"] is None
    closed = blind_round["mod"].post(f"/api/v1/rounds/{round_.id}/close", {"force": True})
    assert closed.get_json()["results"][0]["count"] == 1  # the rating counted


def test_scores_show_before_the_blind_window(blind_round, app):
    with app.app_context():
        round_ = db.session.get(Round, blind_round["round"].id)
        round_.voting_close_at = utcnow() + timedelta(hours=72)
        db.session.commit()
    rated = blind_round["fan"].put(
        f"/api/v1/entries/{blind_round['entry'].id}/rating", {"stars": 4}
    )
    assert rated.get_json()["rating"]["average"] == 4.0


def test_moderators_can_set_blind_hours(make_user, new_api, make_round):
    make_user("mod", role="moderator")
    mod = new_api("mod")
    round_ = make_round("open")
    ok = mod.patch(f"/api/v1/rounds/{round_.id}", {"blind_hours": 12})
    assert ok.status_code == 200 and ok.get_json()["blind_hours"] == 12
    bad = mod.patch(f"/api/v1/rounds/{round_.id}", {"blind_hours": 500})
    assert bad.status_code == 422


def test_staff_picks_beside_the_community_ranking(
    make_user, make_round, make_entry, new_api, client, app
):
    author = make_user("author")
    make_user("mod", role="moderator")
    make_user("fan")
    mod, fan = new_api("mod"), new_api("fan")
    round_ = make_round("voting", title="Pick round")
    winner = make_entry(round_.id, author.id, title="Crowd favourite")
    brand = make_entry(round_.id, author.id, title="Brand favourite")
    fan.put(f"/api/v1/entries/{winner.id}/rating", {"stars": 5})
    early = mod.post(f"/api/v1/moderation/entries/{brand.id}", {"action": "staff_pick"})
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "round_not_closed"
    mod.post(f"/api/v1/rounds/{round_.id}/close", {"force": True})
    refused = fan.post(f"/api/v1/moderation/entries/{brand.id}", {"action": "staff_pick"})
    assert refused.status_code == 403
    picked = mod.post(f"/api/v1/moderation/entries/{brand.id}", {"action": "staff_pick"})
    assert picked.status_code == 200 and picked.get_json()["staff_pick"] is True
    full = mod.post(f"/api/v1/moderation/entries/{winner.id}", {"action": "staff_pick"})
    assert full.status_code == 409 and full.get_json()["error"]["code"] == "staff_picks_full"
    mod.post(f"/api/v1/rounds/{round_.id}/publish")
    public = new_api().get(f"/api/v1/rounds/{round_.id}").get_json()
    assert public["results"][0]["title"] == "Crowd favourite"
    assert public["staff_picks"] == [
        {"entry_id": brand.id, "title": "Brand favourite", "author": "author"}
    ]
    results_page = client.get("/rounds/" + public["slug"] + "/results").data.decode()
    assert 'id="staff-picks"' in results_page and "Brand favourite" in results_page
    fame = client.get("/hall-of-fame").data.decode()
    assert "Staff pick:" in fame and "Brand favourite" in fame
    with app.app_context():
        assert (
            db.session.scalar(
                sa.select(ModerationAction.target_id).where(ModerationAction.action == "staff_pick")
            )
            == brand.id
        )


def test_anomaly_check_flags_a_vote_ring_but_not_organic_voting(
    make_user, make_round, make_entry, new_api, app
):
    import random

    from contest.models import Flag, Rating, User
    from contest.moderation import integrity
    from contest.rounds import rating_hours

    rng = random.Random(7)
    author = make_user("author")
    make_user("mod", role="moderator")
    round_ = make_round("open")
    ring_target = make_entry(round_.id, author.id, title="Suspicious")
    organic = [make_entry(round_.id, author.id, title=f"Organic {i}") for i in range(3)]
    now = utcnow()
    with app.app_context():
        veterans = [
            User(
                username=f"veteran{i}",
                email=f"v{i}@example.com",
                password_hash="x",
                created_at=now - timedelta(days=60),
                email_verified_at=now,
            )
            for i in range(12)
        ]
        sockpuppets = [
            User(
                username=f"puppet{i}",
                email=f"p{i}@example.com",
                password_hash="x",
                created_at=now - timedelta(minutes=30),
                email_verified_at=now,
            )
            for i in range(20)
        ]
        db.session.add_all(veterans + sockpuppets)
        db.session.flush()
        for user in veterans:  # spread over four days, several entries each
            for entry in organic:
                db.session.add(
                    Rating(
                        user_id=user.id,
                        entry_id=entry.id,
                        stars=rng.randint(2, 5),
                        updated_at=now - timedelta(hours=rng.uniform(1, 96)),
                    )
                )
        for i, user in enumerate(sockpuppets):  # twenty fresh accounts, one entry, ten minutes
            db.session.add(
                Rating(
                    user_id=user.id,
                    entry_id=ring_target.id,
                    stars=5,
                    updated_at=now - timedelta(minutes=i / 2),
                )
            )
        db.session.commit()
        rating_hours.recount([ring_target.id] + [e.id for e in organic])  # rows set beneath
        db.session.commit()
        flags = integrity.check_round(round_.id)
        kinds = {(f.entry_id, f.kind) for f in flags}
        assert kinds == {
            (ring_target.id, "new_accounts"),
            (ring_target.id, "single_purpose"),
            (ring_target.id, "burst"),
        }
        assert integrity.check_round(round_.id) == []  # no duplicates of open flags
        evidence = db.session.scalar(sa.select(Flag.evidence).where(Flag.kind == "new_accounts"))
        assert evidence.startswith("20 of 20 ratings")
    mod = new_api("mod")
    queue = mod.get("/api/v1/moderation/queue").get_json()
    assert {f["entry_id"] for f in queue["flags"]} == {ring_target.id}
    assert "Suspicious" in mod.client.get("/moderation/").data.decode()
    thai = mod.client.get("/moderation/", headers={"Accept-Language": "th"}).data.decode()
    assert "บัญชีใหม่" in thai  # the flag's kind and its stored evidence, in Thai
    assert "20 จาก 20 คะแนนมาจากบัญชีที่อายุไม่ถึง 7 วันตอนที่ให้คะแนน" in thai
    done = mod.post(
        f"/api/v1/moderation/entries/{ring_target.id}",
        {"action": "disqualify", "reason": "vote ring"},
    )
    assert done.status_code == 200
    assert mod.get("/api/v1/moderation/queue").get_json()["flags"] == []
    log = mod.client.get("/moderation/log", headers={"Accept-Language": "zh-CN"}).data.decode()
    assert "<strong>取消资格</strong> 作品 #" in log and "vote ring" in log  # own words as written
    with app.app_context():
        assert set(db.session.scalars(sa.select(Flag.status))) == {"actioned"}


def test_closing_runs_the_anomaly_check_and_flags_can_be_dismissed(
    make_user, make_round, make_entry, new_api, app
):
    from contest.models import Flag, Rating, User

    author = make_user("author")
    make_user("mod", role="moderator")
    round_ = make_round("voting")
    entry = make_entry(round_.id, author.id)
    now = utcnow()
    with app.app_context():
        for i in range(12):
            user = User(
                username=f"fresh{i}",
                email=f"f{i}@example.com",
                password_hash="x",
                created_at=now,
                email_verified_at=now,
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(Rating(user_id=user.id, entry_id=entry.id, stars=5))
        db.session.commit()
    mod = new_api("mod")
    mod.post(f"/api/v1/rounds/{round_.id}/close", {"force": True})
    flags = mod.get("/api/v1/moderation/queue").get_json()["flags"]
    assert {f["kind"] for f in flags} >= {"new_accounts", "single_purpose"}
    dismissed = mod.post(
        f"/api/v1/moderation/entries/{entry.id}",
        {"action": "dismiss_flags", "reason": "a school class, checked"},
    )
    assert dismissed.status_code == 200
    assert mod.get("/api/v1/moderation/queue").get_json()["flags"] == []
    with app.app_context():
        assert set(db.session.scalars(sa.select(Flag.status))) == {"dismissed"}


def test_the_rating_writer_keeps_each_entrys_busiest_hour_and_a_burst_is_flagged(
    make_user, make_round, make_entry, new_api, app
):
    """Twelve fans rate one entry through the API within minutes: the writer's hour counters
    equal a recount from the rows, and the check (which reads only the counters to find
    candidates) flags the burst; the entry rated at a normal pace is not a candidate."""
    from contest.models import Entry
    from contest.moderation import integrity
    from contest.rounds import rating_hours

    author = make_user("author")
    round_ = make_round("voting")
    target = make_entry(round_.id, author.id, title="Burst")
    calm = make_entry(round_.id, author.id, title="Calm")
    fans = [make_user(f"fan{i}") for i in range(12)]
    for i, fan in enumerate(fans):
        api = new_api(fan.username)
        assert api.put(f"/api/v1/entries/{target.id}/rating", {"stars": 5}).status_code == 200
        if i < 2:
            assert api.put(f"/api/v1/entries/{calm.id}/rating", {"stars": 3}).status_code == 200
    # a re-rating stamps its row again: the hour it left keeps its count (an upper bound)
    again = new_api("fan0")
    assert again.put(f"/api/v1/entries/{target.id}/rating", {"stars": 4}).status_code == 200
    with app.app_context():
        kept = {
            e.id: (e.rating_hour, e.rating_hour_count, e.busiest_hour_ratings)
            for e in db.session.scalars(sa.select(Entry))
        }
        rating_hours.recount([target.id, calm.id])
        recounted = {
            e.id: (e.rating_hour, e.rating_hour_count, e.busiest_hour_ratings)
            for e in db.session.scalars(sa.select(Entry).execution_options(populate_existing=True))
        }
        db.session.rollback()
        assert recounted[calm.id] == kept[calm.id]  # two stamps, nothing moved: exact
        _hour, in_hour, busiest = kept[target.id]
        assert busiest >= recounted[target.id][2] and busiest >= 7  # 13 stamps, <= 2 hours
        if recounted[target.id][1] == 12:  # the test did not straddle a clock hour
            assert (in_hour, busiest) == (13, 13)  # the re-rating counted in its new hour too
        flags = integrity.check_round(round_.id)
        kinds = {(f.entry_id, f.kind) for f in flags}
        assert (target.id, "burst") in kinds and calm.id not in {e for e, _ in kinds}
