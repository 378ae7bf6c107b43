"""Background jobs: bounded retries of a crashing job, the stale-job sweeper, storage gc."""

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from contest.entries import gc, processing
from contest.extensions import db
from contest.models import Entry, Upload, utcnow
from tests.helpers import make_video, send_parts, start_upload, wait_for, wait_for_status


@pytest.fixture
def config_overrides():
    return {"JOB_RETRY_DELAYS": "0.3", "JOB_MAX_ATTEMPTS": 3}


@pytest.fixture
def fan(make_user, api):
    make_user("fan")
    api.login("fan")
    return api


def _upload_with_blocked_poster(app, fan, round_id, tmp_path):
    """Upload a real clip, but first put a folder where its poster must be written: the job
    crashes with a real OSError (not a content problem) until the folder goes away."""
    clip = make_video(tmp_path)
    started = start_upload(fan, round_id, clip).get_json()
    with app.app_context():
        key = db.session.get(Upload, started["upload_id"]).key
    blocker = Path(app.config["UPLOAD_DIR"]) / key.rsplit("/", 1)[0] / "poster.jpg"
    blocker.mkdir(parents=True)
    send_parts(fan, started, clip.read_bytes())
    done = fan.post(f"/api/v1/uploads/{started['upload_id']}/complete", {"parts": []})
    assert done.status_code == 202
    return started["entry_id"], blocker


def _entry(app, entry_id):
    with app.app_context():
        entry = db.session.get(Entry, entry_id)
        db.session.expunge(entry)
        return entry


def test_a_crashing_job_is_retried_then_the_entry_goes_live(app, fan, make_round, tmp_path):
    round_ = make_round("open")
    entry_id, blocker = _upload_with_blocked_poster(app, fan, round_.id, tmp_path)
    wait_for(lambda: _entry(app, entry_id).processing_attempts >= 1, timeout=15)
    assert "trying again" in wait_for(lambda: _entry(app, entry_id).status_reason, timeout=5)
    blocker.rmdir()  # the fault goes away before the next try
    body = wait_for_status(fan, entry_id)
    assert body["status"] == "live"
    entry = _entry(app, entry_id)
    assert entry.poster_key and 2 <= entry.processing_attempts <= 3


def test_a_job_that_keeps_crashing_stops_after_the_limit_and_tells_the_fan(
    app, fan, make_round, tmp_path
):
    round_ = make_round("open")
    entry_id, _ = _upload_with_blocked_poster(app, fan, round_.id, tmp_path)
    body = wait_for_status(fan, entry_id)
    assert body["status"] == "rejected"
    assert "3 tries" in body["status_reason"] and "send it again" in body["status_reason"]
    assert _entry(app, entry_id).processing_attempts == 3
    time.sleep(1.0)  # no fourth try is scheduled
    assert _entry(app, entry_id).processing_attempts == 3
    page = fan.client.get(f"/entries/{entry_id}").get_data(as_text=True)
    assert "3 tries" in page and "Send the video again" in page


def test_the_sweeper_requeues_stale_processing_and_fails_the_exhausted(
    app, make_user, make_round, make_entry
):
    author = make_user("author")
    round_ = make_round("open")
    old = utcnow() - timedelta(hours=2)
    # a job that died with its process (never finished): tried once, so it is tried again
    retried = make_entry(
        round_.id,
        author.id,
        status="processing",
        processing_started_at=old,
        processing_attempts=1,
    )
    exhausted = make_entry(
        round_.id,
        author.id,
        status="processing",
        processing_started_at=old,
        processing_attempts=3,
    )
    fresh = make_entry(round_.id, author.id, status="processing", processing_started_at=utcnow())
    with app.test_request_context():
        again, failed = processing.sweep_stale_processing(600)
    assert again == [retried.id] and failed == [exhausted.id]
    assert "3 tries" in _entry(app, exhausted.id).status_reason
    assert _entry(app, exhausted.id).status == "rejected"
    # the re-queued job really ran: the fake entry has no file, so it ends rejected as missing
    wait_for(lambda: _entry(app, retried.id).status == "rejected", timeout=10)
    assert _entry(app, retried.id).processing_attempts == 2
    assert "missing" in _entry(app, retried.id).status_reason
    assert _entry(app, fresh.id).status == "processing"  # not stale yet


def test_storage_gc_drops_abandoned_uploads_and_stray_parts(app, fan, make_round, tmp_path):
    round_ = make_round("open")
    clip = make_video(tmp_path)
    abandoned = start_upload(fan, round_.id, clip, title="abandoned").get_json()
    send_parts(fan, abandoned, clip.read_bytes()[: abandoned["part_size"]], skip=(2, 3, 4, 5))
    recent = start_upload(fan, round_.id, clip, title="recent").get_json()
    parts_root = Path(app.config["UPLOAD_DIR"]) / ".parts"
    stray = parts_root / "no-such-upload"
    stray.mkdir(parents=True)
    two_days_ago = time.time() - 2 * 86400
    os.utime(stray, (two_days_ago, two_days_ago))
    with app.app_context():
        db.session.execute(
            sa.update(Upload)
            .where(Upload.id == abandoned["upload_id"])
            .values(created_at=utcnow() - timedelta(days=2))
        )
        db.session.commit()
    with app.test_request_context():
        assert gc.collect_garbage() == {"uploads": 1, "strays": 1, "renditions": 0}
        assert gc.collect_garbage() == {"uploads": 0, "strays": 0, "renditions": 0}
    assert not (parts_root / abandoned["upload_id"]).exists() and not stray.exists()
    assert (parts_root / recent["upload_id"]).exists()
    with app.app_context():
        assert db.session.get(Upload, abandoned["upload_id"]) is None
        kept = db.session.get(Entry, abandoned["entry_id"])
        assert kept.title == "abandoned" and kept.status == "uploading"  # can be sent again
    again = fan.get(f"/api/v1/entries/{abandoned['entry_id']}")
    assert again.status_code == 200 and again.get_json()["title"] == "abandoned"
