"""Uploading an entry: start, send parts, resume, complete; then the processing job."""

import logging
import math
import os
import secrets
import tempfile

import sqlalchemy as sa
from flask import current_app

from . import jobs, live, media, rounds
from .errors import (
    BadInput,
    Conflict,
    Forbidden,
    Invalid,
    NotAVideo,
    NotFound,
    TooLarge,
    UnsupportedType,
)
from .extensions import db
from .models import Entry, Upload, utcnow
from .storage import get_storage, new_video_key

log = logging.getLogger(__name__)
ACCEPTED_GENERIC_TYPES = ("", "application/octet-stream")  # some phones send no video/ type
MAX_TITLE, MAX_DESCRIPTION, MAX_FILENAME = 100, 2000, 255
OPEN_ENTRY_STATUSES = ("uploading", "processing", "pending_review", "live")


def _text(data, field, limit, required):
    value = data.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid(f"{field} is required.", code="missing_field", field=field)
    value = value.strip()
    if len(value) > limit:
        raise Invalid(f"{field} is longer than {limit} characters.", code="too_long", field=field)
    return value


def start_upload(user, data):
    """Create the entry and its upload; answer where to send each part."""
    if user.is_banned:
        raise Forbidden("Banned accounts cannot upload.", code="banned")
    round_id = data.get("round_id")
    if isinstance(round_id, bool) or not isinstance(round_id, int):
        raise Invalid("round_id must be a round's id.", code="missing_field", field="round_id")
    title = _text(data, "title", MAX_TITLE, required=True)
    description = _text(data, "description", MAX_DESCRIPTION, required=False)
    filename = _text(data, "filename", MAX_FILENAME, required=True)
    size = data.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise Invalid("size must be the file's size in bytes.", code="invalid_size", field="size")
    content_type = data.get("content_type") or ""
    if not isinstance(content_type, str):
        raise Invalid("content_type must be text.", code="invalid_field", field="content_type")
    content_type = content_type.strip().lower()
    if not (content_type.startswith("video/") or content_type in ACCEPTED_GENERIC_TYPES):
        raise UnsupportedType(
            f"{content_type} is not a video type. Choose a video file.", code="not_a_video_type"
        )
    limit = current_app.config["MAX_VIDEO_BYTES"]
    if size > limit:
        raise TooLarge(
            f"The file is {size / 1e6:.0f} MB; the limit is {limit / 1e6:.0f} MB.",
            code="file_too_large",
        )
    round_ = rounds.get_round(round_id)
    if not rounds.accepts_entries(round_):
        raise Conflict("This round is not taking uploads now.", code="submissions_closed")
    mine = db.session.scalar(
        sa.select(sa.func.count(Entry.id)).where(
            Entry.round_id == round_.id,
            Entry.author_id == user.id,
            Entry.status.in_(OPEN_ENTRY_STATUSES),
        )
    )
    allowed = current_app.config["MAX_ENTRIES_PER_ROUND"]
    if mine >= allowed:
        raise Conflict(
            f"You already have {allowed} entries in this round.", code="entry_limit_reached"
        )
    part_size = current_app.config["UPLOAD_PART_SIZE"]
    key = new_video_key(round_.id, filename)
    entry = Entry(
        round_id=round_.id,
        author_id=user.id,
        title=title,
        description=description,
        status="uploading",
        video_key=key,
        original_filename=os.path.basename(filename),
        content_type=content_type or "application/octet-stream",
        size_bytes=size,
    )
    db.session.add(entry)
    db.session.flush()
    upload = Upload(
        id=secrets.token_urlsafe(24),
        entry_id=entry.id,
        user_id=user.id,
        key=key,
        size=size,
        part_size=part_size,
        part_count=max(1, math.ceil(size / part_size)),
        content_type=entry.content_type,
    )
    upload.storage_upload_id = get_storage().start_upload(upload)
    db.session.add(upload)
    db.session.commit()
    return upload


def get_upload(user, upload_id):
    """The upload if it is this user's own; NotFound otherwise (ids are not revealed)."""
    upload = db.session.get(Upload, upload_id) if isinstance(upload_id, str) else None
    if upload is None or upload.user_id != user.id:
        raise NotFound("No such upload.", code="upload_not_found")
    return upload


def expected_part_size(upload, number):
    if not 1 <= number <= upload.part_count:
        raise BadInput(
            f"Part {number} is out of range: this upload has parts 1 to {upload.part_count}.",
            code="part_out_of_range",
        )
    if number < upload.part_count:
        return upload.part_size
    return upload.size - upload.part_size * (upload.part_count - 1)


def receive_part(user, upload_id, number, stream, content_length):
    """Store one part sent to the app (local storage); returns its ETag."""
    upload = get_upload(user, upload_id)
    if upload.completed_at is not None:
        raise Conflict("This upload is already complete.", code="upload_completed")
    expected = expected_part_size(upload, number)
    if content_length is None:
        raise BadInput("Send the part with a Content-Length header.", code="length_required")
    if content_length > expected:
        raise TooLarge(f"Part {number} must be {expected} bytes.", code="part_too_large")
    if content_length != expected:
        raise BadInput(f"Part {number} must be exactly {expected} bytes.", code="wrong_part_size")
    db.session.commit()  # never hold a database transaction while bytes trickle in
    return get_storage().write_part(upload, number, stream, expected)


def upload_state(upload):
    """What a client needs to resume: stored parts, missing parts, where to send them."""
    storage = get_storage()
    stored = storage.list_parts(upload) if upload.completed_at is None else []
    have = {p["number"] for p in stored}
    missing = [n for n in range(1, upload.part_count + 1) if n not in have]
    return {
        "upload_id": upload.id,
        "entry_id": upload.entry_id,
        "status": upload.entry.status,
        "completed": upload.completed_at is not None,
        "size": upload.size,
        "part_size": upload.part_size,
        "part_count": upload.part_count,
        "parts": stored,
        "missing": missing,
        "targets": storage.part_targets(upload, missing) if upload.completed_at is None else [],
    }


def complete_upload(user, upload_id, parts=None):
    """Join the parts and queue the processing job; completing twice is harmless."""
    upload = get_upload(user, upload_id)
    entry = upload.entry
    if upload.completed_at is not None:
        return entry
    storage = get_storage()
    stored = {p["number"]: p for p in storage.list_parts(upload)}
    missing = [n for n in range(1, upload.part_count + 1) if n not in stored]
    if missing:
        raise Conflict(
            f"{len(missing)} part(s) have not arrived yet.",
            code="upload_incomplete",
            missing=missing[:100],
        )
    for number, part in stored.items():
        if part["size"] != expected_part_size(upload, number):
            raise Conflict(
                f"Part {number} has the wrong size; send it again.",
                code="upload_incomplete",
                missing=[number],
            )
    size = storage.complete_upload(upload, parts)
    if size != upload.size:
        raise Conflict("The file's size is not the size you announced.", code="size_mismatch")
    upload.completed_at = utcnow()
    entry.status = "processing"
    entry.size_bytes = size
    entry.processing_started_at = utcnow()
    db.session.commit()
    live.entry_status_changed(entry)
    jobs.enqueue(process_entry, entry.id)
    return entry


def process_entry(entry_id):
    """The job: check the video by content, make its poster, and make the entry live or rejected."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.status != "processing":
        return
    storage = get_storage()
    video_key, round_id = entry.video_key, entry.round_id
    db.session.commit()  # no transaction stays open while the video is read
    poster_key = video_key.rsplit("/", 1)[0] + "/poster.jpg"
    try:
        source = storage.local_source(video_key)
        facts = media.probe_video(source, current_app.config["MAX_VIDEO_SECONDS"])
        with tempfile.TemporaryDirectory() as tmp:
            poster = media.make_poster(source, os.path.join(tmp, "poster.jpg"))
            storage.put_file(poster_key, poster, "image/jpeg")
    except NotAVideo as error:
        return _reject(entry_id, error.message)
    except Exception:
        log.exception("processing entry %s failed", entry_id)
        return _reject(entry_id, "We could not process this video. Please try another file.")
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.status != "processing":
        return
    entry.duration, entry.width, entry.height = facts.duration, facts.width, facts.height
    entry.codec, entry.poster_key = facts.codec, poster_key
    round_ = rounds.get_round(round_id)
    if round_.requires_approval and not entry.author.is_moderator:
        entry.status = "pending_review"
        entry.status_reason = "Waiting for a moderator to approve it."
    else:
        entry.status, entry.status_reason, entry.live_at = "live", "", utcnow()
    db.session.commit()
    live.entry_status_changed(entry)
    if entry.status == "live":
        live.rating_changed(entry.id, entry.round_id)  # the leaderboard gains a row


def _reject(entry_id, reason):
    entry = db.session.get(Entry, entry_id)
    if entry is None:
        return
    entry.status, entry.status_reason = "rejected", reason
    db.session.commit()
    get_storage().delete(entry.video_key)
    live.entry_status_changed(entry)


def requeue_stale_processing(older_than_seconds):
    """Put entries whose job died (a restarted process) back in the queue."""
    cutoff = utcnow().timestamp() - older_than_seconds
    stale = [
        e.id
        for e in db.session.scalars(sa.select(Entry).where(Entry.status == "processing"))
        if e.processing_started_at is None or e.processing_started_at.timestamp() < cutoff
    ]
    for entry_id in stale:
        db.session.execute(
            sa.update(Entry).where(Entry.id == entry_id).values(processing_started_at=utcnow())
        )
    db.session.commit()
    for entry_id in stale:
        jobs.enqueue(process_entry, entry_id)
    return stale
