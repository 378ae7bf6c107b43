"""Small renditions: every clip gets a 540p copy for slow networks and Data saver, older clips
get theirs from storage gc, and a fan can ask for them everywhere."""

from pathlib import Path

import av
import sqlalchemy as sa
from conftest import PASSWORD
from helpers import csrf_of, make_video, upload_video, wait_for_status

from contest import doctor
from contest.entries import gc, media, renditions, transcode
from contest.extensions import db
from contest.models import Entry, User


def _facts(path):
    return media.probe_video(str(path), 600)


def _moov_before_mdat(path):
    data = Path(path).read_bytes()
    return 0 <= data.find(b"moov") < data.find(b"mdat")


def test_every_clip_gets_a_small_faststart_rendition(make_user, api, make_round, tmp_path, app):
    make_user("ana")
    api.login("ana")
    round_ = make_round("open")
    video = make_video(tmp_path, seconds=2.0, width=1280, height=720)
    entry = wait_for_status(api, upload_video(api, round_.id, video))
    assert entry["status"] == "live"
    with app.app_context():
        row = db.session.get(Entry, entry["id"])
        assert row.small_key.endswith("/small.mp4") and row.playback_key is None
    stored = Path(app.config["UPLOAD_DIR"]) / row.small_key
    facts = _facts(stored)
    assert (facts.width, facts.height) == (960, 540)
    assert facts.codec == "h264" and facts.audio_codec == "aac" and _moov_before_mdat(stored)
    assert entry["small_video_url"] == f"/entries/{entry['id']}/small.mp4"
    served = api.get(entry["small_video_url"], headers={"Range": "bytes=0-99"})
    assert served.status_code == 206 and served.mimetype == "video/mp4"
    assert served.data == stored.read_bytes()[:100]


def test_the_small_rendition_keeps_to_its_bit_budget(tmp_path):
    """Grain that does not compress, upright as phones film: the cap holds (about 1.3 MB for
    15 s, so 0.52 MB for these 6 s), and the picture is turned upright."""
    source = make_video(tmp_path, seconds=6, width=1280, height=720, noise=True, rotation=90)
    out = tmp_path / "small.mp4"
    size = transcode.make_rendition(str(source), out, 90, transcode.SMALL)
    assert size == (540, 960)
    assert out.stat().st_size <= 1.5e6 * 6 / 15, out.stat().st_size
    with av.open(str(out)) as played:
        assert played.streams.video[0].codec_context.height == 960


def test_a_missing_small_rendition_is_shown_and_made_by_storage_gc(
    make_user, api, make_round, tmp_path, app
):
    make_user("ana")
    api.login("ana")
    round_ = make_round("open")
    entry = wait_for_status(api, upload_video(api, round_.id, make_video(tmp_path)))
    upload_dir = Path(app.config["UPLOAD_DIR"])
    with app.app_context():  # as a clip stored before small renditions existed
        row = db.session.get(Entry, entry["id"])
        (upload_dir / row.small_key).unlink()
        row.small_key = None
        db.session.commit()
    assert api.get(f"/entries/{entry['id']}/small.mp4").status_code == 404
    assert api.get(f"/api/v1/entries/{entry['id']}").get_json()["small_video_url"] is None
    with app.app_context():
        found = {f.part: f for f in doctor.check(app)}
        assert "1 clip(s) have no small rendition yet" in found["RENDITIONS"].text
    with app.test_request_context():
        assert gc.collect_garbage()["renditions"] == 1
        assert renditions.make_small_rendition(entry["id"]).endswith("/small.mp4")
        assert renditions.count_missing() == 0
        assert gc.collect_garbage()["renditions"] == 0
        found = {f.part: f for f in doctor.check(app)}
        assert found["RENDITIONS"].text.startswith("every clip has")
    small = api.get(f"/api/v1/entries/{entry['id']}").get_json()["small_video_url"]
    assert api.get(small).status_code == 200


def test_a_clip_that_cannot_be_made_small_plays_its_usual_file(
    make_user, api, make_round, tmp_path, app
):
    make_user("ana")
    api.login("ana")
    round_ = make_round("open")
    entry = wait_for_status(api, upload_video(api, round_.id, make_video(tmp_path)))
    with app.app_context():
        row = db.session.get(Entry, entry["id"])
        video_key = row.video_key
        (Path(app.config["UPLOAD_DIR"]) / video_key).write_bytes(b"not a video any more")
        row.small_key = None
        db.session.commit()
    with app.test_request_context():
        assert renditions.make_small_rendition(entry["id"]) == video_key
        assert renditions.count_missing() == 0  # not asked for again at every run


def test_a_rejected_or_deleted_clip_leaves_no_small_rendition(
    make_user, api, make_round, tmp_path, app
):
    make_user("ana")
    api.login("ana")
    round_ = make_round("open")
    entry = wait_for_status(api, upload_video(api, round_.id, make_video(tmp_path)))
    with app.app_context():
        small = Path(app.config["UPLOAD_DIR"]) / db.session.get(Entry, entry["id"]).small_key
    assert small.exists()
    gone = api.delete("/api/v1/me", json={"password": PASSWORD})
    assert gone.status_code == 204, gone.get_json()
    assert not small.exists()


def test_data_saver_is_a_fans_own_setting(make_user, api, client):
    make_user("ana")
    api.login("ana")
    assert api.get("/api/v1/me").get_json()["data_saver"] is False
    for bad in ("yes", 1, None):
        refused = api.patch("/api/v1/me", json={"data_saver": bad})
        assert refused.status_code == 422, bad
        assert refused.get_json()["error"]["code"] == "invalid_field"
    assert api.get("/api/v1/me").get_json()["data_saver"] is False
    assert api.patch("/api/v1/me", json={"data_saver": True}).status_code == 200
    assert api.get("/api/v1/me").get_json()["data_saver"] is True
    assert 'data-saver="on"' in client.get("/settings/account").data.decode()
    page = client.get("/settings/account")
    off = client.post(
        "/settings/account/data-saver",
        data={"ds-csrf_token": csrf_of(page)},  # an unticked box sends nothing
        follow_redirects=True,
    )
    assert off.status_code == 200 and "Data saver is off" in off.data.decode()
    assert 'data-saver="on"' not in off.data.decode()
    no_token = client.post("/settings/account/data-saver", data={"ds-data_saver": "y"})
    assert no_token.status_code == 403  # no CSRF token: refused, nothing changed
    with client.application.app_context():
        assert db.session.scalar(sa.select(User.data_saver).where(User.username == "ana")) is False
