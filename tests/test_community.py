"""The community: profiles, follows, feed, comments, browsing, histogram, notifications."""

import io
import logging

import pytest
import sqlalchemy as sa
from helpers import events, make_video, upload_video, wait_for, wait_for_status
from PIL import Image

from contest.community import notifications
from contest.extensions import db
from contest.models import Comment, Follow, Notification, Rating, Result, User, utcnow


def png_bytes(size=(600, 400), color=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def count(app, model):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(model.id)))


# --- profiles -------------------------------------------------------------------------


def test_edit_profile_and_read_it(make_user, new_api, client):
    make_user("ana")
    ana = new_api("ana")
    response = ana.patch(
        "/api/v1/me",
        {
            "display_name": "Ana R.",
            "country": "Brazil",
            "favourite_position": "Winger",
            "favourite_club": "Santos",
            "bio": "Rabonas daily.",
        },
    )
    assert response.status_code == 200
    profile = new_api().get("/api/v1/users/ana").get_json()
    assert profile["display_name"] == "Ana R." and profile["favourite_club"] == "Santos"
    assert profile["counts"] == {
        "followers": 0,
        "following": 0,
        "entries": 0,
        "ratings_given": 0,
        "invited": 0,
    }
    page = client.get("/u/ana").data.decode()
    assert "Ana R." in page and "Winger" in page and "Rabonas daily." in page


@pytest.mark.parametrize(
    "body, code",
    [
        ({"bio": "x" * 1001}, "too_long"),
        ({"role": "admin"}, "invalid_field"),
        ({"country": 5}, "invalid_field"),
        ({}, "invalid_profile"),
    ],
)
def test_bad_profile_edits_change_nothing(make_user, new_api, app, body, code):
    make_user("ana")
    ana = new_api("ana")
    ana.patch("/api/v1/me", {"bio": "before"})
    response = ana.patch("/api/v1/me", {**body, "display_name": "changed"} if body else body)
    assert response.status_code == 422 and response.get_json()["error"]["code"] == code
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "ana"))
        assert user.bio == "before" and user.display_name == "" and user.role == "fan"


def test_avatar_is_reencoded_to_a_small_square(make_user, new_api, app):
    make_user("ana")
    ana = new_api("ana")
    response = ana.put(
        "/api/v1/me/avatar",
        data={"avatar": (io.BytesIO(png_bytes()), "me.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    got = ana.get(response.get_json()["avatar_url"])
    image = Image.open(io.BytesIO(got.data))
    assert image.format == "JPEG" and image.size == (256, 256)


@pytest.mark.parametrize(
    "data, status",
    [
        (b"just text, not a picture", 415),
        (b"\x00\x00\x00 ftypisom" + b"\0" * 100, 415),
    ],
)
def test_non_images_are_refused_as_avatars(make_user, new_api, app, data, status):
    make_user("ana")
    ana = new_api("ana")
    ok = ana.put(
        "/api/v1/me/avatar",
        data={"avatar": (io.BytesIO(png_bytes()), "me.png")},
        content_type="multipart/form-data",
    ).get_json()["avatar_url"]
    response = ana.put(
        "/api/v1/me/avatar",
        data={"avatar": (io.BytesIO(data), "x.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == "not_an_image"
    assert new_api().get("/api/v1/users/ana").get_json()["avatar_url"] == ok  # kept


def test_profile_lists_entries_ranks_and_medals(
    make_user, make_round, make_entry, new_api, app, client
):
    ana = make_user("ana")
    voter = make_user("voter")
    past = make_round("closed", title="Autumn cup")
    entry = make_entry(past.id, ana.id, title="Golden rabona")
    with app.app_context():
        db.session.add(Rating(user_id=voter.id, entry_id=entry.id, stars=5))
        db.session.add(
            Result(round_id=past.id, entry_id=entry.id, rank=1, score=4.5, average=5, count=1)
        )
        from contest.models import Round

        db.session.get(Round, past.id).closed_at = utcnow()
        db.session.get(Round, past.id).published_at = utcnow()
        db.session.commit()
    profile = new_api().get("/api/v1/users/ana").get_json()
    assert profile["entries"][0]["rank"] == 1
    assert profile["medals"] == [{"medal": "gold", "round": "Autumn cup", "entry_id": entry.id}]
    assert new_api().get("/api/v1/users/voter").get_json()["counts"]["ratings_given"] == 1
    assert "🥇" in client.get("/u/ana").data.decode()


# --- follows and feed -----------------------------------------------------------------


def test_follow_unfollow_feed_and_suggestions(make_user, make_round, make_entry, new_api, app):
    ana, bob = make_user("ana"), make_user("bob")
    make_user("cid")
    round_ = make_round("open")
    for i in range(14):
        make_entry(round_.id, bob.id, title=f"bob {i}", live_at=utcnow())
    make_entry(round_.id, ana.id, title="not followed")
    cid = new_api("cid")
    assert [u["username"] for u in cid.get("/api/v1/users/suggested").get_json()["users"]] == []
    followed = cid.post("/api/v1/users/bob/follow")
    assert followed.status_code == 200 and followed.get_json() == {
        "username": "bob",
        "following": True,
        "followers": 1,
    }
    feed = cid.get("/api/v1/feed").get_json()
    assert len(feed["entries"]) == 12 and feed["has_more"]
    assert {e["author"] for e in feed["entries"]} == {"bob"}
    assert len(cid.get("/api/v1/feed?page=2").get_json()["entries"]) == 2
    assert [
        u["username"] for u in new_api("ana").get("/api/v1/users/suggested").get_json()["users"]
    ] == ["bob"]
    assert new_api().get("/api/v1/users/bob").get_json()["counts"]["followers"] == 1
    unfollowed = cid.delete("/api/v1/users/bob/follow")
    assert unfollowed.get_json()["following"] is False
    assert cid.get("/api/v1/feed").get_json()["entries"] == []


def test_follow_refusals_change_nothing(make_user, new_api, app, api):
    make_user("ana")
    make_user("bob")
    ana = new_api("ana")
    ana.post("/api/v1/users/bob/follow")
    cases = [
        (ana.post("/api/v1/users/ana/follow"), 409, "follow_self"),
        (ana.post("/api/v1/users/bob/follow"), 409, "already_following"),
        (ana.post("/api/v1/users/ghost/follow"), 404, "user_not_found"),
        (ana.delete("/api/v1/users/ghost/follow"), 404, "user_not_found"),
        (api.post("/api/v1/users/bob/follow"), 401, "not_signed_in"),
        (ana.post("/api/v1/users/bob/follow", csrf=False), 403, "csrf_failed"),
    ]
    for response, status, code in cases:
        assert response.status_code == status and response.get_json()["error"]["code"] == code
    assert count(app, Follow) == 1


def test_banned_fans_cannot_follow_or_comment(make_user, make_round, make_entry, new_api, app):
    author = make_user("author")
    make_user("eve")
    entry = make_entry(make_round("open").id, author.id)
    eve = new_api("eve")
    with app.app_context():
        db.session.scalar(sa.select(User).where(User.username == "eve")).banned_at = utcnow()
        db.session.commit()
    assert eve.post("/api/v1/users/author/follow").status_code == 401
    assert eve.post(f"/api/v1/entries/{entry.id}/comments", {"body": "hi"}).status_code == 401
    assert count(app, Follow) == 0 and count(app, Comment) == 0


# --- comments -------------------------------------------------------------------------


def test_comments_post_list_delete_and_live_event(
    make_user, make_round, make_entry, new_api, socket_client, app
):
    author = make_user("author")
    make_user("ana")
    entry = make_entry(make_round("open").id, author.id, title="Rabona")
    viewer = socket_client()
    viewer.emit("join", {"room": f"entry:{entry.id}"}, callback=True)
    ana = new_api("ana")
    posted = ana.post(f"/api/v1/entries/{entry.id}/comments", {"body": "What a touch @author!"})
    assert posted.status_code == 201
    comment = posted.get_json()
    assert comment["author"] == "ana" and '<a href="/u/author">@author</a>' in comment["html"]
    live = wait_for(lambda: events(viewer, "comment"), timeout=5)
    assert live[0] == {"entry_id": entry.id, "comment": comment}
    for i in range(21):
        ana.post(f"/api/v1/entries/{entry.id}/comments", {"body": f"comment {i}"})
    first = new_api().get(f"/api/v1/entries/{entry.id}/comments").get_json()
    assert len(first["comments"]) == 20 and first["has_more"]
    assert first["comments"][0]["body"] == "comment 20"  # newest first
    assert 'id="more-comments"' in new_api().client.get(f"/entries/{entry.id}").data.decode()
    second = new_api().get(f"/api/v1/entries/{entry.id}/comments?page=2").get_json()
    assert second["comments"][-1]["body"] == "What a touch @author!" and not second["has_more"]
    other = new_api("author").delete(f"/api/v1/comments/{comment['id']}")
    assert other.status_code == 403 and other.get_json()["error"]["code"] == "not_your_comment"
    assert ana.delete(f"/api/v1/comments/{comment['id']}").status_code == 204
    assert count(app, Comment) == 21


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"body": ""}, 422, "empty_comment"),
        ({"body": "   "}, 422, "empty_comment"),
        ({"body": "x" * 1001}, 422, "comment_too_long"),
        ({"body": 42}, 422, "empty_comment"),
        ({}, 422, "empty_comment"),
    ],
)
def test_bad_comments_are_refused(
    make_user, make_round, make_entry, new_api, app, body, status, code
):
    author = make_user("author")
    make_user("ana")
    entry = make_entry(make_round("open").id, author.id)
    response = new_api("ana").post(f"/api/v1/entries/{entry.id}/comments", body)
    assert response.status_code == status and response.get_json()["error"]["code"] == code
    assert count(app, Comment) == 0


def test_no_comments_on_hidden_or_rejected_entries(make_user, make_round, make_entry, new_api, app):
    author = make_user("author")
    make_user("ana")
    round_ = make_round("open")
    for status in ("hidden", "rejected"):
        entry = make_entry(round_.id, author.id, status=status)
        response = new_api("ana").post(f"/api/v1/entries/{entry.id}/comments", {"body": "hi"})
        assert response.status_code == 404
        own = new_api("author").post(f"/api/v1/entries/{entry.id}/comments", {"body": "hi"})
        assert own.status_code == 409 and own.get_json()["error"]["code"] == "entry_not_live"
    assert count(app, Comment) == 0


def test_xss_in_comment_title_and_bio_is_shown_as_text(
    make_user, make_round, make_entry, new_api, client
):
    author = make_user("author")
    make_user("ana")
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    entry = make_entry(make_round("open").id, author.id, title=evil)
    new_api("author").patch("/api/v1/me", {"bio": evil, "display_name": evil})
    posted = new_api("ana").post(f"/api/v1/entries/{entry.id}/comments", {"body": evil})
    assert "<script>" not in posted.get_json()["html"]
    for path in (f"/entries/{entry.id}", "/u/author"):
        page = client.get(path).data.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert" in page


# --- browsing and histogram -----------------------------------------------------------


def test_round_browsing_sorts_and_a_stable_shuffle(make_user, make_round, make_entry, new_api, app):
    author = make_user("author")
    make_user("ana")
    make_user("bob")
    round_ = make_round("open")
    ids = [
        make_entry(
            round_.id, author.id, title=f"e{i}", rating_count=i % 4, rating_sum=(i % 4) * 3
        ).id
        for i in range(15)
    ]
    ana, bob = new_api("ana"), new_api("bob")
    url = f"/api/v1/rounds/{round_.id}/entries"
    first = ana.get(url).get_json()
    assert first["sort"] == "shuffle" and len(first["entries"]) == 12 and first["has_more"]
    again = ana.get(url).get_json()
    assert [e["id"] for e in again["entries"]] == [e["id"] for e in first["entries"]]
    page2 = ana.get(url + "?page=2").get_json()["entries"]
    assert sorted([e["id"] for e in first["entries"]] + [e["id"] for e in page2]) == sorted(ids)
    bobs = [e["id"] for e in bob.get(url).get_json()["entries"]]
    assert bobs != [e["id"] for e in first["entries"]]  # another viewer, another order
    needs = ana.get(url + "?sort=needs_votes").get_json()["entries"]
    assert [e["rating"]["count"] for e in needs][:4] == [0, 0, 0, 0]
    most = ana.get(url + "?sort=most_rated").get_json()["entries"]
    assert most[0]["rating"]["count"] == 3
    new = ana.get(url + "?sort=new").get_json()["entries"]
    assert new[0]["id"] == ids[-1]
    top = ana.get(url + "?sort=top").get_json()["entries"]
    assert top[0]["rating"]["score"] >= top[-1]["rating"]["score"]
    bad = ana.get(url + "?sort=loudest")
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_sort"
    assert ana.get(url + "?page=0").status_code == 422
    page = ana.client.get(f"/rounds/{ana.get(f'/api/v1/rounds/{round_.id}').get_json()['slug']}")
    assert b"Shuffled for you" in page.data and b"Needs votes" in page.data


def test_histogram_on_the_page_and_live(
    make_user, make_round, make_entry, new_api, client, socket_client
):
    author = make_user("author")
    entry = make_entry(make_round("open").id, author.id)
    viewer = socket_client()
    viewer.emit("join", {"room": f"entry:{entry.id}"}, callback=True)
    for i, stars in enumerate((5, 5, 3)):
        make_user(f"fan{i}")
        new_api(f"fan{i}").put(f"/api/v1/entries/{entry.id}/rating", {"stars": stars})
    page = client.get(f"/entries/{entry.id}").data.decode()
    assert 'id="histogram"' in page and "5 stars: 2" in page and "3 stars: 1" in page
    got = wait_for(lambda: [e for e in events(viewer, "rating") if e["count"] == 3], timeout=5)
    assert got[-1]["histogram"] == [0, 0, 1, 0, 2]


# --- notifications --------------------------------------------------------------------


def test_notifications_for_follows_comments_and_results_arrive_live(
    make_user, make_round, make_entry, new_api, socket_client, app
):
    author = make_user("author")
    make_user("ana")
    make_user("mod", role="moderator")
    round_ = make_round("open", title="Winter cup")
    entry = make_entry(round_.id, author.id, title="Snow rabona")
    mine = new_api("author")
    bell = socket_client(mine.client)
    ana = new_api("ana")
    ana.post("/api/v1/users/author/follow")
    ana.post(f"/api/v1/entries/{entry.id}/comments", {"body": "Lovely"})
    mod = new_api("mod")
    mod.post(f"/api/v1/rounds/{round_.id}/close", {"force": True})
    mod.post(f"/api/v1/rounds/{round_.id}/publish")
    kinds = wait_for(lambda: [n["kind"] for n in events(bell, "notification")], timeout=5)
    listed = mine.get("/api/v1/notifications").get_json()
    assert listed["unread"] == 3
    assert [n["kind"] for n in listed["notifications"]] == ["results", "comment", "follow"]
    assert "finished #1" in listed["notifications"][0]["text"]
    assert "follow" in kinds
    assert mine.post("/api/v1/notifications/read").get_json() == {"unread": 0}
    assert mine.get("/api/v1/notifications").get_json()["unread"] == 0
    page = mine.client.get("/notifications").data.decode()
    assert "ana now follows you." in page and "Winter cup" in page


def test_uploader_is_notified_when_the_entry_goes_live(make_user, make_round, new_api, tmp_path):
    make_user("ana")
    ana = new_api("ana")
    entry_id = upload_video(ana, make_round("open").id, make_video(tmp_path), title="Flick")
    wait_for_status(ana, entry_id)
    notes = ana.get("/api/v1/notifications").get_json()["notifications"]
    assert notes[0]["kind"] == "entry_live" and "Flick" in notes[0]["text"]


def test_settings_and_a_daily_digest_at_most(make_user, new_api, app, caplog):
    make_user("author")
    make_user("ana")
    author = new_api("author")
    assert author.get("/api/v1/notifications/settings").get_json()["follow"] == "in_app"
    bad = author.put("/api/v1/notifications/settings", {"follow": "carrier pigeon"})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid_settings"
    chosen = author.put("/api/v1/notifications/settings", {"follow": "digest"}).get_json()
    assert chosen["follow"] == "digest" and chosen["comment"] == "in_app"
    new_api("ana").post("/api/v1/users/author/follow")
    caplog.set_level(logging.INFO, logger="contest.mail")
    with app.app_context():
        assert notifications.send_digests() == 1
        assert notifications.send_digests() == 0  # not twice the same day
        emailed = db.session.scalars(sa.select(Notification.emailed_at)).all()
        assert all(emailed)
    mails = [r.getMessage() for r in caplog.records if r.getMessage().startswith("mail to")]
    assert (
        len(mails) == 1 and "author@example.com" in mails[0] and "ana now follows you" in mails[0]
    )


def test_community_pages_render(make_user, new_api, make_round):
    make_user("ana")
    make_user("bob")
    make_round("open")
    ana = new_api("ana")
    ana.post("/api/v1/users/bob/follow")
    for path in (
        "/feed",
        "/notifications",
        "/settings/profile",
        "/settings/notifications",
        "/u/bob",
    ):
        page = ana.client.get(path)
        assert page.status_code == 200, path
    assert 'data-following="true"' in ana.client.get("/u/bob").data.decode()
    assert ana.client.get("/u/nobody").status_code == 404


def test_profile_page_form_saves_fields_and_avatar(make_user, new_api, app):
    make_user("ana")
    ana = new_api("ana")
    page = ana.client.get("/settings/profile").data.decode()
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = ana.client.post(
        "/settings/profile",
        data={
            "csrf_token": token,
            "display_name": "Ana",
            "country": "Thailand",
            "bio": "hi",
            "favourite_position": "",
            "favourite_club": "",
            "avatar": (io.BytesIO(png_bytes((300, 900))), "tall.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    profile = new_api().get("/api/v1/users/ana").get_json()
    assert profile["country"] == "Thailand" and profile["avatar_url"]
    bad = ana.client.post(
        "/settings/profile",
        data={
            "csrf_token": token,
            "display_name": "Changed",
            "avatar": (io.BytesIO(b"text"), "x.png"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400 and "not a picture" in bad.data.decode()
    assert new_api().get("/api/v1/users/ana").get_json()["display_name"] == "Ana"


def _png(width, height, mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, (width, height), (20, 140, 60) if mode == "RGB" else (20, 140, 60, 255)).save(
        out, "PNG", optimize=True
    )
    return out.getvalue()


@pytest.mark.parametrize("config_overrides", [{"MAX_CONTENT_LENGTH": 6 * 1024 * 1024}])
def test_a_picture_is_judged_by_its_header_before_it_is_decoded(make_user, new_api):
    make_user("ana")
    ana = new_api("ana")
    bomb = _png(6320, 6320)  # ~150 KB on the wire, 120 MB once decoded
    assert len(bomb) < 300_000
    webp = io.BytesIO()
    Image.new("RGB", (2049, 64), (1, 2, 3)).save(webp, "WEBP")
    for data, name, side in (
        (bomb, "bomb.png", "4096"),
        (_png(4097, 10), "wide.png", "4096"),
        (webp.getvalue(), "wide.webp", "2048"),
    ):
        response = ana.put(
            "/api/v1/me/avatar",
            data={"avatar": (io.BytesIO(data), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 413, response.get_json()
        error = response.get_json()["error"]
        assert error["code"] == "image_too_large" and side in error["message"]
    largest = ana.put(
        "/api/v1/me/avatar",
        data={"avatar": (io.BytesIO(_png(4096, 4096, "RGBA")), "big.png")},
        content_type="multipart/form-data",
    )
    assert largest.status_code == 200, largest.get_json()
    image = Image.open(io.BytesIO(ana.get(largest.get_json()["avatar_url"]).data))
    assert image.size == (256, 256)


def test_a_jpeg_turned_by_its_exif_is_stored_upright():
    from contest.entries.images import fitted_picture

    wide = Image.new("RGB", (400, 200), (255, 0, 0))
    wide.paste((0, 0, 255), (0, 0, 200, 200))  # blue on the left half
    exif = Image.Exif()
    exif[0x0112] = 6  # the phone was turned: show it rotated 90° clockwise
    out = io.BytesIO()
    wide.save(out, "JPEG", exif=exif.tobytes())
    fitted = fitted_picture(out.getvalue(), (100, 200))
    top, bottom = fitted.getpixel((50, 20)), fitted.getpixel((50, 180))
    assert top[2] > 200 and bottom[0] > 200  # blue on top once upright, red below
