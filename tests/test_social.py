"""Social polish: likes on comments (live), avatars and relative times on comments."""

from helpers import wait_for_event


def test_a_like_on_a_comment_arrives_live(
    app, make_user, new_api, make_round, make_entry, socket_client
):
    author = make_user("ana")
    make_user("bob")
    make_user("raw", verified=False)
    entry = make_entry(make_round("open").id, author.id, title="Rainbow flick")
    ana, bob = new_api("ana"), new_api("bob")
    comment = ana.post(f"/api/v1/entries/{entry.id}/comments", {"body": "first!"}).get_json()
    assert comment["likes"] == 0 and comment["liked"] is False and "avatar_url" in comment
    viewer = socket_client()
    viewer.emit("join", {"room": f"entry:{entry.id}"}, callback=True)
    liked = bob.put(f"/api/v1/comments/{comment['id']}/like")
    assert liked.status_code == 200 and liked.get_json() == {
        "id": comment["id"],
        "likes": 1,
        "liked": True,
    }
    assert bob.put(f"/api/v1/comments/{comment['id']}/like").get_json()["likes"] == 1  # once
    pushed = wait_for_event(viewer, "comment_like", lambda d: d["likes"] == 1)
    assert pushed == {"id": comment["id"], "entry_id": entry.id, "likes": 1}
    listed = bob.get(f"/api/v1/entries/{entry.id}/comments").get_json()["comments"]
    assert listed[0]["likes"] == 1 and listed[0]["liked"] is True
    assert (
        ana.get(f"/api/v1/entries/{entry.id}/comments").get_json()["comments"][0]["liked"] is False
    )
    assert new_api("raw").put(f"/api/v1/comments/{comment['id']}/like").status_code == 403
    assert new_api().put(f"/api/v1/comments/{comment['id']}/like").status_code == 401
    assert bob.put("/api/v1/comments/999999/like").status_code == 404
    taken = bob.delete(f"/api/v1/comments/{comment['id']}/like")
    assert taken.get_json() == {"id": comment["id"], "likes": 0, "liked": False}
    wait_for_event(viewer, "comment_like", lambda d: d["likes"] == 0)
    page = bob.client.get(f"/entries/{entry.id}").data.decode()
    assert "like-comment" in page
    assert "avatar tiny" in page and "<time" in page and "ago" in page


def test_follow_buttons_on_the_feed_the_entry_page_and_judge_mode(
    make_user, new_api, make_round, make_entry, make_user_with_medal=None
):
    ana = make_user("ana")
    make_user("bob")
    round_ = make_round("open")
    entry = make_entry(round_.id, ana.id, title="Sombrero")
    bob = new_api("bob")
    bob.post("/api/v1/users/ana/follow")
    page = bob.client.get(f"/entries/{entry.id}").data.decode()
    assert 'class="button follow small" data-username="ana" data-following="true"' in page
    assert "js/community.js" in page
    queue = bob.get(f"/api/v1/rounds/{round_.id}/judge").get_json()["entries"]
    assert queue[0]["following_author"] is True
    # one entry (judge mode's clip from a link or a reload) says it too, never on one's own
    assert bob.get(f"/api/v1/entries/{entry.id}").get_json()["following_author"] is True
    assert "following_author" not in new_api("ana").get(f"/api/v1/entries/{entry.id}").get_json()
    assert "following_author" not in new_api().get(f"/api/v1/entries/{entry.id}").get_json()
    assert (
        "following_author"
        not in new_api().get(f"/api/v1/rounds/{round_.id}/judge").get_json()["entries"][0]
    )


def test_share_cards_are_1200_by_630_and_show_the_poster(
    app, make_user, new_api, make_round, make_entry, tmp_path
):
    import io

    from PIL import Image

    from contest.entries.storage import get_storage

    ana = make_user("ana")
    round_ = make_round("open")
    poster = tmp_path / "poster.jpg"
    Image.new("RGB", (360, 640), (200, 20, 30)).save(poster)  # a red portrait poster
    entry = make_entry(round_.id, ana.id, title="Bicycle kick", poster_key="posters/red.jpg")
    with app.app_context():
        get_storage().put_file("posters/red.jpg", str(poster), "image/jpeg")
    client = new_api().client
    page = client.get(f"/entries/{entry.id}").data.decode()
    assert f"/entries/{entry.id}/card.jpg" in page and 'og:image:width" content="1200"' in page
    answer = client.get(f"/entries/{entry.id}/card.jpg")
    assert answer.status_code == 200 and answer.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(answer.data)) as card:
        assert card.size == (1200, 630)
        red, green, blue = card.getpixel((100, 315))  # the poster's side
        assert red > 150 and green < 80 and blue < 80
        assert card.getpixel((1100, 600))[1] > 80  # the brand green on the words' side
    again = client.get(f"/entries/{entry.id}/card.jpg")
    assert again.data == answer.data  # made once, then served from storage
    root = app.config["UPLOAD_DIR"]
    import pathlib

    assert len(list(pathlib.Path(root, "share").glob(f"entry-{entry.id}-*.jpg"))) == 1
    assert client.get(f"/rounds/{round_.slug}/results/card.jpg").status_code == 404  # not public
    make_user("mod", role="moderator")
    mod = new_api("mod")
    closed = make_round("closed")
    winner = make_entry(closed.id, ana.id, title="Winner", poster_key="posters/red.jpg")
    assert winner
    mod.post(f"/api/v1/rounds/{closed.id}/close")
    assert mod.post(f"/api/v1/rounds/{closed.id}/publish").status_code == 200
    results_card = client.get(f"/rounds/{closed.slug}/results/card.jpg")
    assert results_card.status_code == 200
    with Image.open(io.BytesIO(results_card.data)) as card:
        assert card.size == (1200, 630) and card.getpixel((100, 315))[0] > 150
    assert (
        f"/rounds/{closed.slug}/results/card.jpg"
        in client.get(f"/rounds/{closed.slug}/results").data.decode()
    )
