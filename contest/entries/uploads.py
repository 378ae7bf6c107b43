"""Uploading an entry: start, send parts, resume, complete; then the processing job."""

import logging
import math
import os
import secrets
import tempfile
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from contest import jobs, live
from contest.community import notifications
from contest.entries import media, transcode
from contest.entries.storage import get_storage, new_video_key
from contest.errors import (
    BadInput,
    Conflict,
    Forbidden,
    Invalid,
    NotAVideo,
    NotFound,
    TooLarge,
    UnsupportedType,
)
from contest.extensions import db
from contest.models import Entry, Upload, utcnow
from contest.rounds import phases as rounds
from contest.texts import Text

log = logging.getLogger(__name__)
ACCEPTED_GENERIC_TYPES = ("", "application/octet-stream")  # some phones send no video/ type
MAX_TITLE, MAX_DESCRIPTION, MAX_FILENAME = 100, 2000, 255
OPEN_ENTRY_STATUSES = ("uploading", "processing", "pending_review", "live")


def _text(data, field, limit, required):
    value = data.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid(
            Text("%(field)s is required.", field=field), code="missing_field", field=field
        )
    value = value.strip()
    if len(value) > limit:
        raise Invalid(
            Text("%(field)s is longer than %(limit)s characters.", field=field, limit=limit),
            code="too_long",
            field=field,
        )
    return value


def _file_fields(data):
    """Validated (filename, size, content_type) of the file about to be sent."""
    filename = _text(data, "filename", MAX_FILENAME, required=True)
    size = data.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise Invalid(
            _l("size must be the file's size in bytes."), code="invalid_size", field="size"
        )
    content_type = data.get("content_type") or ""
    if not isinstance(content_type, str):
        raise Invalid(_l("content_type must be text."), code="invalid_field", field="content_type")
    content_type = content_type.strip().lower()
    if not (content_type.startswith("video/") or content_type in ACCEPTED_GENERIC_TYPES):
        raise UnsupportedType(
            Text("%(type)s is not a video type. Choose a video file.", type=content_type),
            code="not_a_video_type",
        )
    limit = current_app.config["MAX_VIDEO_BYTES"]
    if size > limit:
        raise TooLarge(
            Text(
                "The file is %(size)s MB; the limit is %(limit)s MB.",
                size=round(size / 1e6),
                limit=round(limit / 1e6),
            ),
            code="file_too_large",
        )
    return filename, size, content_type or "application/octet-stream"


def _new_entry(user, data):
    round_id = data.get("round_id")
    if isinstance(round_id, bool) or not isinstance(round_id, int):
        raise Invalid(_l("round_id must be a round's id."), code="missing_field", field="round_id")
    title = _text(data, "title", MAX_TITLE, required=True)
    description = _text(data, "description", MAX_DESCRIPTION, required=False)
    round_ = rounds.get_round(round_id)
    if not rounds.accepts_entries(round_):
        raise Conflict(_l("This round is not taking uploads now."), code="submissions_closed")
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
            Text("You already have %(num)s entries in this round.", num=allowed),
            code="entry_limit_reached",
        )
    return Entry(round_id=round_.id, author_id=user.id, title=title, description=description)


def _entry_to_send_again(user, entry_id):
    """An own entry whose file failed (still uploading, or rejected): it gets a new file."""
    entry = db.session.get(Entry, entry_id) if isinstance(entry_id, int) else None
    if entry is None or entry.author_id != user.id:
        raise NotFound(_l("No such entry."), code="entry_not_found")
    if entry.status not in ("uploading", "rejected"):
        raise Conflict(_l("This entry already has its video."), code="entry_has_video")
    if not rounds.accepts_entries(entry.round):
        raise Conflict(_l("This round is not taking uploads now."), code="submissions_closed")
    storage = get_storage()
    for old in db.session.scalars(
        sa.select(Upload).where(Upload.entry_id == entry.id, Upload.completed_at.is_(None))
    ):
        storage.abort_upload(old)
        db.session.delete(old)
    return entry


def start_upload(user, data):
    """Create the entry (or take back a failed one) and its upload; answer where parts go."""
    if user.is_banned:
        raise Forbidden(_l("Banned accounts cannot upload."), code="banned")
    filename, size, content_type = _file_fields(data)
    if data.get("entry_id") is not None:
        entry = _entry_to_send_again(user, data.get("entry_id"))
    else:
        entry = _new_entry(user, data)
        db.session.add(entry)
    storage = get_storage()
    key = new_video_key(entry.round_id, filename)
    entry.set_status("uploading")
    entry.video_key = key
    entry.original_filename = os.path.basename(filename)
    entry.content_type, entry.size_bytes = content_type, size
    entry.poster_key = entry.playback_key = None
    db.session.flush()
    part_size = storage.part_size_for(size, current_app.config["UPLOAD_PART_SIZE"])
    upload = Upload(
        id=secrets.token_urlsafe(24),
        entry_id=entry.id,
        user_id=user.id,
        key=key,
        size=size,
        part_size=part_size,
        part_count=max(1, math.ceil(size / part_size)),
        content_type=content_type,
    )
    try:
        upload.storage_upload_id = storage.start_upload(upload)
    except Exception:
        db.session.rollback()  # no entry without a place for its file
        raise
    db.session.add(upload)
    db.session.commit()
    return upload


def cancel_upload(user, upload_id):
    """Abort an unfinished upload and drop its entry (title and all): the fan changed their mind."""
    upload = get_upload(user, upload_id)
    if upload.completed_at is not None:
        raise Conflict(
            _l("This upload is complete; it can no longer be cancelled."), code="upload_completed"
        )
    get_storage().abort_upload(upload)
    entry = upload.entry
    db.session.delete(upload)
    if entry.status == "uploading":
        db.session.delete(entry)
    db.session.commit()


def get_upload(user, upload_id, lock=False):
    """The upload if it is this user's own; NotFound otherwise (ids are not revealed)."""
    upload = None
    if isinstance(upload_id, str):
        query = sa.select(Upload).where(Upload.id == upload_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        upload = db.session.scalar(query)
    if upload is None or upload.user_id != user.id:
        raise NotFound(_l("No such upload."), code="upload_not_found")
    return upload


def expected_part_size(upload, number):
    if not 1 <= number <= upload.part_count:
        raise BadInput(
            Text(
                "Part %(number)s is out of range: this upload has parts 1 to %(count)s.",
                number=number,
                count=upload.part_count,
            ),
            code="part_out_of_range",
        )
    if number < upload.part_count:
        return upload.part_size
    return upload.size - upload.part_size * (upload.part_count - 1)


def receive_part(user, upload_id, number, stream, content_length):
    """Store one part sent to the app (local storage); returns its ETag."""
    upload = get_upload(user, upload_id)
    if get_storage().direct_parts:
        raise Conflict(
            _l("Parts of this upload go straight to storage, to the URLs it gave you."),
            code="parts_go_to_storage",
        )
    if upload.completed_at is not None:
        raise Conflict(_l("This upload is already complete."), code="upload_completed")
    expected = expected_part_size(upload, number)
    if content_length is None:
        raise BadInput(_l("Send the part with a Content-Length header."), code="length_required")
    if content_length > expected:
        raise TooLarge(
            Text("Part %(number)s must be %(size)s bytes.", number=number, size=expected),
            code="part_too_large",
        )
    if content_length != expected:
        raise BadInput(
            Text("Part %(number)s must be exactly %(size)s bytes.", number=number, size=expected),
            code="wrong_part_size",
        )
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
    upload = get_upload(user, upload_id, lock=True)
    entry = upload.entry
    if upload.completed_at is not None:
        return entry
    storage = get_storage()
    stored = {p["number"]: p for p in storage.list_parts(upload)}
    missing = [n for n in range(1, upload.part_count + 1) if n not in stored]
    if missing:
        raise Conflict(
            Text("%(num)s part(s) have not arrived yet.", num=len(missing)),
            code="upload_incomplete",
            missing=missing[:100],
        )
    if not storage.direct_parts:
        for number, part in stored.items():
            if part["size"] != expected_part_size(upload, number):
                raise Conflict(
                    Text("Part %(number)s has the wrong size; send it again.", number=number),
                    code="upload_incomplete",
                    missing=[number],
                )
    size = storage.complete_upload(upload, parts)
    upload.completed_at = utcnow()
    if size != upload.size or size > current_app.config["MAX_VIDEO_BYTES"]:
        db.session.commit()
        _reject(
            entry.id,
            Text(
                "The file that arrived is %(size)s bytes, not the %(announced)s announced. "
                "Please send it again.",
                size=size,
                announced=upload.size,
            ),
        )
        db.session.refresh(entry)
        return entry
    entry.status = "processing"
    entry.size_bytes = size
    entry.processing_started_at = utcnow()
    entry.processing_attempts = 0
    db.session.commit()
    live.entry_status_changed(entry)
    jobs.enqueue(process_entry, entry.id)
    return entry


def process_entry(entry_id):
    """The job: check by content, poster, playback rendition if needed; then live or rejected."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.status != "processing":
        return
    attempt = entry.processing_attempts + 1
    # Claim this try: if another run (a sweeper's re-queue) got here first, leave it to that one.
    claimed = db.session.execute(
        sa.update(Entry)
        .where(
            Entry.id == entry_id,
            Entry.status == "processing",
            Entry.processing_attempts == attempt - 1,
        )
        .values(processing_attempts=attempt, processing_started_at=utcnow())
    ).rowcount
    storage = get_storage()
    video_key, round_id = entry.video_key, entry.round_id
    db.session.commit()  # no transaction stays open while the video is read
    if not claimed:
        return
    folder = video_key.rsplit("/", 1)[0]
    poster_key, playback_key = folder + "/poster.jpg", None
    try:
        if not storage.exists(video_key):  # raises StorageUnavailable if the store is down
            return _reject(entry_id, _l("The uploaded file is missing. Please send it again."))
        source = storage.local_source(video_key)
        facts = media.probe_video(source, current_app.config["MAX_VIDEO_SECONDS"])
        with tempfile.TemporaryDirectory() as tmp:
            poster = media.make_poster(source, os.path.join(tmp, "poster.jpg"))
            storage.put_file(poster_key, poster, "image/jpeg")
            reasons = transcode.reasons_to_transcode(facts)
            if reasons:
                _say(entry_id, _l("Converting your video so every phone can play it…"))
                rendition = os.path.join(tmp, "playback.mp4")
                size = transcode.make_rendition(source, rendition, facts.rotation)
                playback_key = folder + "/playback.mp4"
                storage.put_file(playback_key, rendition, "video/mp4")
                facts.width, facts.height = size
    except NotAVideo as error:
        return _reject(entry_id, error.text, poster_key, playback_key)
    except Exception:
        log.exception("processing entry %s failed (try %d)", entry_id, attempt)
        return _try_again_or_fail(entry_id, attempt, poster_key, playback_key)
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.status != "processing":
        return
    entry.duration, entry.width, entry.height = facts.duration, facts.width, facts.height
    entry.codec, entry.poster_key, entry.playback_key = facts.codec, poster_key, playback_key
    round_ = rounds.get_round(round_id)
    if round_.requires_approval and not (entry.author.is_moderator or entry.author.trusted):
        entry.set_status("pending_review", _l("Waiting for a moderator to approve it."))
    else:
        entry.set_status("live")
        entry.live_at = utcnow()
        notifications.notify(
            entry.author_id,
            "entry_live",
            Text("Your entry %(title)s is live.", title=entry.title),
            url_for("entries.entry_page", entry_id=entry.id),
        )
    db.session.commit()
    live.entry_status_changed(entry)
    if entry.status == "live":
        live.rating_changed(entry.id, entry.round_id)  # the leaderboard gains a row


def retry_delay(attempt):
    """Seconds to wait before try attempt+1: JOB_RETRY_DELAYS, the last one repeating."""
    delays = [float(d) for d in str(current_app.config["JOB_RETRY_DELAYS"]).split(",") if d.strip()]
    return delays[min(attempt, len(delays)) - 1] if delays else 0


def _try_again_or_fail(entry_id, attempt, *extra_keys):
    """A crash (storage away, a bug, a killed process): try again a bounded number of times."""
    limit = current_app.config["JOB_MAX_ATTEMPTS"]
    if attempt >= limit:
        return _reject(
            entry_id,
            Text(
                "We could not process this video (%(num)s tries). "
                "Please send it again, or try another file.",
                num=attempt,
            ),
            *extra_keys,
        )
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.status != "processing":
        return
    entry.set_status("processing", _l("Processing hit a problem; trying again in a moment…"))
    entry.processing_started_at = utcnow()
    db.session.commit()
    live.entry_status_changed(entry)
    jobs.enqueue(process_entry, entry_id, delay=retry_delay(attempt))


def _say(entry_id, reason):
    """Tell the uploader what the job is doing now."""
    entry = db.session.get(Entry, entry_id)
    if entry is not None and entry.status == "processing":
        entry.set_status("processing", reason)
        db.session.commit()
        live.entry_status_changed(entry)


def _reject(entry_id, reason, *extra_keys):
    """Reject the entry with a reason the uploader sees, and delete its stored files."""
    entry = db.session.get(Entry, entry_id)
    if entry is None:
        return
    entry.set_status("rejected", reason)
    notifications.notify(
        entry.author_id,
        "entry_rejected",
        Text("Your entry %(title)s was not accepted: %(reason)s", title=entry.title, reason=reason),
        url_for("entries.entry_page", entry_id=entry.id),
    )
    keys = {k for k in (entry.video_key, entry.poster_key, entry.playback_key, *extra_keys) if k}
    entry.poster_key = entry.playback_key = None
    db.session.commit()
    storage = get_storage()
    for key in keys:
        try:
            storage.delete(key)
        except Exception:  # the entry is already rejected; a leftover object is only garbage
            log.exception("deleting %s failed", key)
    live.entry_status_changed(entry)


def sweep_stale_processing(older_than_seconds):
    """Entries stuck in processing (their job died with its process): try again, or give up.

    Every try counts (processing_attempts), so no entry stays `processing` forever: after
    JOB_MAX_ATTEMPTS the entry is rejected with a reason the uploader sees. Returns
    (re-queued ids, failed ids).
    """
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    stale = db.session.scalars(
        sa.select(Entry).where(
            Entry.status == "processing",
            sa.or_(Entry.processing_started_at.is_(None), Entry.processing_started_at < cutoff),
        )
    ).all()
    limit = current_app.config["JOB_MAX_ATTEMPTS"]
    again = [e.id for e in stale if e.processing_attempts < limit]
    failed = [e.id for e in stale if e.processing_attempts >= limit]
    for entry in stale:
        entry.processing_started_at = utcnow()
    db.session.commit()
    for entry_id in failed:
        _reject(
            entry_id,
            Text(
                "We could not process this video (%(num)s tries). "
                "Please send it again, or try another file.",
                num=limit,
            ),
        )
    for entry_id in again:
        jobs.enqueue(process_entry, entry_id)
    return again, failed
