"""Uploads on local storage: parts, resume, limits, and the processing job checking content."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from helpers import make_video, send_parts, start_upload, upload_video, wait_for_status
from PIL import Image

from contest.extensions import db
from contest.models import Entry, Upload


@pytest.fixture
def fan(make_user, api):
    make_user("ana")
    api.login("ana")
    return api


def entries_in_db(app):
    with app.app_context():
        return db.session.scalars(sa.select(Entry).order_by(Entry.id)).all()


def test_upload_in_parts_becomes_live_with_poster_and_facts(fan, make_round, tmp_path, app):
    round_ = make_round("open")
    video = make_video(tmp_path, seconds=2.5)
    assert video.stat().st_size > 8 * 1024  # more than one part
    entry_id = upload_video(fan, round_.id, video, title="Elastico")
    entry = wait_for_status(fan, entry_id)
    assert entry["status"] == "live", entry
    assert 2.3 < entry["duration"] < 2.7 and (entry["width"], entry["height"]) == (320, 180)
    poster = fan.get(entry["poster_url"])
    assert poster.status_code == 200 and poster.data[:3] == b"\xff\xd8\xff"
    with app.app_context():
        row = db.session.get(Entry, entry_id)
        assert row.codec == "h264" and row.size_bytes == video.stat().st_size
    stored = Path(app.config["UPLOAD_DIR"]) / row.video_key
    assert stored.read_bytes() == video.read_bytes()
    assert not (Path(app.config["UPLOAD_DIR"]) / ".parts").exists() or not any(
        (Path(app.config["UPLOAD_DIR"]) / ".parts").iterdir()
    )


def test_video_is_served_with_ranges_for_seeking(fan, make_round, tmp_path):
    round_ = make_round("open")
    video = make_video(tmp_path)
    entry = wait_for_status(fan, upload_video(fan, round_.id, video))
    ranged = fan.get(entry["video_url"], headers={"Range": "bytes=100-199"})
    assert ranged.status_code == 206 and ranged.data == video.read_bytes()[100:200]
    page = fan.get(entry["url"]).data.decode()
    assert "playsinline" in page and 'preload="metadata"' in page and "controls" in page
    assert 'property="og:image"' in page and 'property="og:title"' in page


def test_resume_lists_stored_and_missing_parts(fan, make_round, tmp_path):
    round_ = make_round("open")
    video = make_video(tmp_path, seconds=3)
    started = start_upload(fan, round_.id, video).get_json()
    assert started["part_count"] >= 2
    send_parts(fan, started, video.read_bytes(), skip={2})
    state = fan.get(f"/api/v1/uploads/{started['upload_id']}").get_json()
    assert state["missing"] == [2] and [t["number"] for t in state["targets"]] == [2]
    early = fan.post(f"/api/v1/uploads/{started['upload_id']}/complete", {"parts": []})
    assert early.status_code == 409 and early.get_json()["error"]["missing"] == [2]
    # the missing part arrives after "a reload": only it is sent again
    chunk = video.read_bytes()[started["part_size"] : 2 * started["part_size"]]
    assert (
        fan.put(
            state["targets"][0]["url"], data=chunk, content_type="application/octet-stream"
        ).status_code
        == 200
    )
    done = fan.post(f"/api/v1/uploads/{started['upload_id']}/complete", {"parts": []})
    assert done.status_code == 202 and done.get_json()["status"] == "processing"
    again = fan.post(f"/api/v1/uploads/{started['upload_id']}/complete", {"parts": []})
    assert again.status_code == 202  # a retried complete on a flaky connection is harmless
    assert wait_for_status(fan, started["entry_id"])["status"] == "live"


def test_a_resent_part_replaces_the_old_one(fan, make_round, tmp_path):
    round_ = make_round("open")
    video = make_video(tmp_path)
    data = video.read_bytes()
    started = start_upload(fan, round_.id, video).get_json()
    first = started["parts"][0]["url"]
    fan.put(first, data=b"\0" * started["part_size"], content_type="application/octet-stream")
    send_parts(fan, started, data)
    fan.post(f"/api/v1/uploads/{started['upload_id']}/complete")
    assert wait_for_status(fan, started["entry_id"])["status"] == "live"


def test_part_refusals(fan, make_round, tmp_path, new_api, make_user):
    round_ = make_round("open")
    video = make_video(tmp_path)
    started = start_upload(fan, round_.id, video).get_json()
    base = f"/api/v1/uploads/{started['upload_id']}/parts"
    count = started["part_count"]
    out_of_range = fan.put(
        f"{base}/{count + 1}", data=b"x", content_type="application/octet-stream"
    )
    assert out_of_range.status_code == 400
    assert out_of_range.get_json()["error"]["code"] == "part_out_of_range"
    assert fan.put(f"{base}/0", data=b"x").get_json()["error"]["code"] == "part_out_of_range"
    short = fan.put(f"{base}/1", data=b"x" * 10, content_type="application/octet-stream")
    assert short.status_code == 400 and short.get_json()["error"]["code"] == "wrong_part_size"
    huge = fan.put(
        f"{base}/1", data=b"x" * (8 * 1024 + 2048), content_type="application/octet-stream"
    )
    assert huge.status_code == 413
    make_user("eve")
    stranger = new_api("eve").put(f"{base}/1", data=b"x" * 8 * 1024)
    assert stranger.status_code == 404
    no_csrf = fan.put(f"{base}/1", data=b"x" * 8 * 1024, csrf=False)
    assert no_csrf.status_code == 403
    state = fan.get(f"/api/v1/uploads/{started['upload_id']}").get_json()
    assert state["parts"] == []  # nothing refused was stored


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"size": 600 * 1024 * 1024}, 413, "file_too_large"),
        ({"content_type": "text/plain"}, 415, "not_a_video_type"),
        ({"content_type": "image/jpeg"}, 415, "not_a_video_type"),
        ({"size": 0}, 422, "invalid_size"),
        ({"size": "big"}, 422, "invalid_size"),
        ({"title": " "}, 422, "missing_field"),
        ({"round_id": "1"}, 422, "missing_field"),
        ({"round_id": 999999}, 404, "round_not_found"),
    ],
)
def test_start_refusals_store_nothing(fan, make_round, app, change, status, code):
    round_ = make_round("open")
    body = {
        "round_id": round_.id,
        "title": "t",
        "filename": "a.mp4",
        "size": 1000,
        "content_type": "video/mp4",
        **change,
    }
    response = fan.post("/api/v1/uploads", body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["error"]["code"] == code
    if code == "file_too_large":  # in MB as the upload page and phones say them
        assert response.get_json()["error"]["message"] == (
            "The file is 600 MB; the limit is 500 MB."
        )
    assert entries_in_db(app) == []


def test_uploads_only_while_submissions_are_open(fan, make_round, app):
    for phase in ("upcoming", "voting", "closed"):
        round_ = make_round(phase)
        response = fan.post(
            "/api/v1/uploads",
            {
                "round_id": round_.id,
                "title": "t",
                "filename": "a.mp4",
                "size": 10,
                "content_type": "video/mp4",
            },
        )
        assert response.status_code == 409, phase
        assert response.get_json()["error"]["code"] == "submissions_closed"
    assert entries_in_db(app) == []


def test_signed_out_upload_is_401(api, make_round):
    round_ = make_round("open")
    response = api.post("/api/v1/uploads", {"round_id": round_.id})
    assert response.status_code == 401


def test_entries_per_round_are_limited(fan, make_round, app):
    app.config["MAX_ENTRIES_PER_ROUND"] = 1
    round_ = make_round("open")
    body = {
        "round_id": round_.id,
        "title": "t",
        "filename": "a.mp4",
        "size": 10,
        "content_type": "video/mp4",
    }
    assert fan.post("/api/v1/uploads", body).status_code == 201
    second = fan.post("/api/v1/uploads", body)
    assert second.status_code == 409 and second.get_json()["error"]["code"] == "entry_limit_reached"


def _upload_bytes(fan, round_id, tmp_path, name, data, content_type="video/mp4"):
    path = Path(tmp_path) / name
    path.write_bytes(data)
    entry_id = upload_video(fan, round_id, path, content_type=content_type)
    return wait_for_status(fan, entry_id)


def test_a_renamed_text_file_is_rejected_by_content(fan, make_round, tmp_path, app):
    round_ = make_round("open")
    entry = _upload_bytes(fan, round_.id, tmp_path, "skills.mp4", b"just some text\n" * 500)
    assert entry["status"] == "rejected"
    assert entry["status_reason"] == "This file is not a video we can read."
    with app.app_context():
        row = db.session.get(Entry, entry["id"])
        assert not (Path(app.config["UPLOAD_DIR"]) / row.video_key).exists()
    # the uploader sees the reason on the entry page; strangers see nothing
    assert "not a video we can read" in fan.get(entry["url"]).data.decode()


def test_a_jpeg_is_rejected(fan, make_round, tmp_path):
    round_ = make_round("open")
    path = tmp_path / "photo.mp4"
    Image.new("RGB", (640, 360), (10, 120, 10)).save(path, "JPEG")
    entry = _upload_bytes(fan, round_.id, tmp_path, "photo.mp4", path.read_bytes())
    assert entry["status"] == "rejected" and "still image" in entry["status_reason"]


def test_a_truncated_mp4_is_rejected(fan, make_round, tmp_path):
    round_ = make_round("open")
    data = make_video(tmp_path, seconds=3).read_bytes()
    entry = _upload_bytes(fan, round_.id, tmp_path, "cut.mp4", data[: len(data) // 2])
    assert entry["status"] == "rejected" and "cut off" in entry["status_reason"]


def test_a_video_over_the_time_limit_is_rejected(fan, make_round, tmp_path, app):
    app.config["MAX_VIDEO_SECONDS"] = 1
    round_ = make_round("open")
    entry = wait_for_status(fan, upload_video(fan, round_.id, make_video(tmp_path, seconds=3)))
    assert entry["status"] == "rejected" and "the limit is 0:01" in entry["status_reason"]


def test_rounds_with_approval_hold_entries_for_review(fan, make_round, tmp_path, new_api):
    round_ = make_round("open", requires_approval=True)
    entry = wait_for_status(fan, upload_video(fan, round_.id, make_video(tmp_path)))
    assert entry["status"] == "pending_review"
    assert new_api().get(f"/api/v1/entries/{entry['id']}").status_code == 404


def test_uploads_of_others_are_invisible(fan, make_round, tmp_path, new_api, make_user, app):
    round_ = make_round("open")
    started = start_upload(fan, round_.id, make_video(tmp_path)).get_json()
    make_user("eve")
    eve = new_api("eve")
    assert eve.get(f"/api/v1/uploads/{started['upload_id']}").status_code == 404
    assert eve.post(f"/api/v1/uploads/{started['upload_id']}/complete").status_code == 404
    with app.app_context():
        assert db.session.get(Upload, started["upload_id"]).completed_at is None


def test_upload_page_is_made_for_phones(fan, client, make_round):
    make_round("open", title="Phone round")
    page = client.get("/upload").data.decode()
    assert 'accept="video/*"' in page and "capture" in page and "<progress" in page
    assert "Phone round" in page and "(up to 2 min, 500 MB)" in page
    # the gallery is the big first choice, recording the second
    gallery = page.index('class="button primary pick-gallery" for="file"')
    assert gallery < page.index('for="record"') and "Choose from gallery" in page
    assert "You can leave this page" in page


def test_the_poster_is_a_telling_frame_not_a_dark_opening(tmp_path):
    """A clip that opens in the dark (a pocket, a hand on the lens) gets a poster of the trick."""
    from PIL import Image, ImageStat

    from contest.entries import clips, media

    path = clips.write_clip(tmp_path / "dark.mp4", seconds=3, dark_until=0.45, audio=False)
    poster = media.make_poster(str(path), str(tmp_path / "poster.jpg"))
    with Image.open(poster) as image:
        assert ImageStat.Stat(image.convert("L")).mean[0] > 60  # the green pitch, not black
        assert image.getpixel((5, 5))[0] > 200  # the yellow corner flag is in the picture
    upright = clips.write_clip(tmp_path / "up.mp4", seconds=2, width=180, height=320, audio=False)
    with Image.open(media.make_poster(str(upright), str(tmp_path / "p2.jpg"))) as image:
        assert image.height > image.width
