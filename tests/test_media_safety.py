"""Uploads are opened as media only: a playlist or a concat script never makes FFmpeg read
another file, a file that never ends is cut off by the wall clock, and a stuck video is tried
at most three times and then refused with the reason."""

import os
import threading
import time
from pathlib import Path

import pytest
from helpers import make_video, upload_video, wait_for_status

from contest.entries import media_box
from contest.entries.processing import process_entry
from contest.extensions import db
from contest.models import Entry


@pytest.fixture
def fan(make_user, api):
    make_user("ana")
    api.login("ana")
    return api


def _upload(fan, round_id, tmp_path, name, data):
    path = Path(tmp_path) / name
    path.write_bytes(data)
    return wait_for_status(fan, upload_video(fan, round_id, path))


def _someone_elses_clip(app, tmp_path):
    """A real clip stored where another fan's upload lives."""
    stored = Path(app.config["UPLOAD_DIR"]) / "rounds" / "1" / "secret" / "original.mp4"
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_bytes(make_video(tmp_path, "other.mp4", seconds=2).read_bytes())
    return stored


@pytest.mark.parametrize("name", ["skill.mp4", "skill.m3u8", "skill.mov"])
def test_a_playlist_naming_another_fans_clip_is_refused(fan, make_round, tmp_path, app, name):
    other = _someone_elses_clip(app, tmp_path)
    playlist = (
        "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n"
        f"#EXTINF:2.0,\n{other}\n#EXT-X-ENDLIST\n"
    ).encode()
    entry = _upload(fan, make_round("open").id, tmp_path, name, playlist)
    assert entry["status"] == "rejected", entry
    assert entry["status_reason"] == "This file is not a video we can read."
    with app.app_context():
        key = db.session.get(Entry, entry["id"]).video_key
    assert key.endswith(".bin") or key.endswith((".mp4", ".mov"))
    assert not key.endswith(".m3u8")  # never stored under a playlist's ending
    assert other.exists()  # and the other fan's clip is untouched


def test_a_concat_script_is_refused(fan, make_round, tmp_path, app):
    other = _someone_elses_clip(app, tmp_path)
    script = f"ffconcat version 1.0\nfile '{other}'\n".encode()
    entry = _upload(fan, make_round("open").id, tmp_path, "skill.mp4", script)
    assert entry["status"] == "rejected"
    assert entry["status_reason"] == "This file is not a video we can read."


def test_a_file_that_never_ends_is_cut_off_by_the_wall_clock(tmp_path):
    fifo = tmp_path / "never-ends.mp4"
    os.mkfifo(fifo)
    head = make_video(tmp_path, "real.mp4", seconds=2).read_bytes()[:2000]
    stop = threading.Event()

    def feed():  # the start of a real clip, then nothing, without ever closing
        with open(fifo, "wb") as pipe:
            pipe.write(head)
            pipe.flush()
            stop.wait(30)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    started = time.monotonic()
    with pytest.raises(media_box.TooSlow):
        media_box.read_upload(str(fifo), str(tmp_path), 120, seconds_limit=2, memory_mb=0)
    assert time.monotonic() - started < 10
    stop.set()
    feeder.join(5)


def test_a_stuck_video_is_tried_three_times_then_refused_with_the_reason(
    app, make_user, make_round, make_entry
):
    app.config.update(MEDIA_TIMEOUT=1, JOB_RETRY_DELAYS="3600")  # the tries below, by hand
    ana = make_user("ana")
    entry = make_entry(make_round("open").id, ana.id, status="processing")
    with app.app_context():
        key = db.session.get(Entry, entry.id).video_key
    path = Path(app.config["UPLOAD_DIR"]) / key
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)  # opening it for reading waits for a writer that never comes
    for attempt in (1, 2, 3):
        started = time.monotonic()
        with app.app_context():
            process_entry(entry.id)
        assert time.monotonic() - started < 8
        with app.app_context():
            row = db.session.get(Entry, entry.id)
            assert row.processing_attempts == attempt
            status, reason = row.status, row.status_reason
        assert status == ("rejected" if attempt == 3 else "processing")
    assert "took too long (3 tries)" in reason


def test_a_reader_over_its_memory_cap_dies_alone(tmp_path):
    clip = make_video(tmp_path, "clip.mp4", seconds=2, width=640, height=360)
    with pytest.raises(media_box.ChildDied):
        media_box.read_upload(str(clip), str(tmp_path), 120, seconds_limit=60, memory_mb=40)
    read = media_box.read_upload(str(clip), str(tmp_path), 120, seconds_limit=60, memory_mb=2048)
    assert read["facts"].width == 640 and Path(read["poster"]).exists()
