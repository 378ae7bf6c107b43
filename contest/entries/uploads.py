"""Uploading an entry: start, send parts, resume, complete; then the processing job."""

import logging
import math
import os
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from contest import events, metrics
from contest.accounts.users import require_verified
from contest.entries import processing
from contest.entries.answers import check_answer
from contest.entries.parts import expected_part_size, get_upload
from contest.entries.storage import get_storage, new_video_key
from contest.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    TooLarge,
    UnsupportedType,
)
from contest.events import EntryStatusChanged, ProcessingWanted
from contest.extensions import db
from contest.models import Entry, Upload, utcnow
from contest.numbers import megabytes
from contest.rounds import phases as rounds
from contest.texts import Text

log = logging.getLogger(__name__)
ACCEPTED_GENERIC_TYPES = ("", "application/octet-stream")  # some phones send no video/ type
MAX_TITLE, MAX_DESCRIPTION, MAX_FILENAME = 100, 2000, 255
OPEN_ENTRY_STATUSES = ("uploading", "processing", "pending_review", "live")


def _required_text(value, field, limit):
    """The trimmed text, or Invalid when it is empty or longer than limit."""
    value = (value or "").strip()
    if not value:
        raise Invalid(
            Text("%(field)s is required.", field=field), code="missing_field", field=field
        )
    return _at_most(value, field, limit)


def _at_most(value, field, limit):
    if len(value) > limit:
        raise Invalid(
            Text("%(field)s is longer than %(limit)s characters.", field=field, limit=limit),
            code="too_long",
            field=field,
        )
    return value


MAX_CONTENT_TYPE = 100  # the stored column's size (a longer one was a 500 on PostgreSQL)


def check_file(filename, size, content_type):
    """Validated (filename, size, content_type) of the file about to be sent."""
    filename = _required_text(filename, "filename", MAX_FILENAME)
    if size <= 0:
        raise Invalid(
            _l("size must be the file's size in bytes."), code="invalid_size", field="size"
        )
    content_type = (content_type or "").strip().lower()
    if len(content_type) > MAX_CONTENT_TYPE:
        raise Invalid(
            Text("%(field)s is at most %(limit)s characters.", field="content_type", limit="100"),
            code="invalid_field",
            field="content_type",
        )
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
                size=megabytes(size),
                limit=megabytes(limit),
            ),
            code="file_too_large",
        )
    return filename, size, content_type or "application/octet-stream"


def _new_entry(user, round_id, title, description):
    if round_id is None:
        raise Invalid(_l("round_id must be a round's id."), code="missing_field", field="round_id")
    title = _required_text(title, "title", MAX_TITLE)
    description = _at_most((description or "").strip(), "description", MAX_DESCRIPTION)
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


def entry_to_send_again(user, entry_id):
    """An own entry whose file failed (still uploading, or rejected), in a round that takes
    uploads: it may get a new file. Raises NotFound or Conflict otherwise."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.author_id != user.id:
        raise NotFound(_l("No such entry."), code="entry_not_found")
    if entry.has_video:
        raise Conflict(_l("This entry already has its video."), code="entry_has_video")
    if not rounds.accepts_entries(entry.round):
        raise Conflict(_l("This round is not taking uploads now."), code="submissions_closed")
    return entry


def _take_back(user, entry_id):
    """The entry to send again, its unfinished uploads dropped."""
    entry = entry_to_send_again(user, entry_id)
    storage = get_storage()
    for old in db.session.scalars(
        sa.select(Upload).where(Upload.entry_id == entry.id, Upload.completed_at.is_(None))
    ):
        storage.abort_upload(old)
        db.session.delete(old)
    return entry


def start_upload(
    user,
    *,
    filename,
    size,
    content_type=None,
    round_id=None,
    entry_id=None,
    title=None,
    description=None,
    answers=None,
):
    """Create the entry (or take back a failed one, entry_id) and its upload; `answers` makes
    the new entry an answer to another fan's live clip in the same round.

    Answers the upload, which says where its parts go.
    """
    if user.is_banned:
        raise Forbidden(_l("Banned accounts cannot upload."), code="banned")
    require_verified(user)
    filename, size, content_type = check_file(filename, size, content_type)
    if entry_id is not None:
        entry = _take_back(user, entry_id)
    else:
        entry = _new_entry(user, round_id, title, description)
        if answers is not None:
            entry.answers_id = check_answer(user, entry.round_id, answers).id
        db.session.add(entry)
    storage = get_storage()
    key = new_video_key(entry.round_id, filename)
    entry.set_status("uploading")
    entry.video_key = key
    entry.original_filename = os.path.basename(filename)
    entry.content_type, entry.size_bytes = content_type, size
    entry.poster_key = entry.playback_key = entry.small_key = None
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
        processing.reject(
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
    events.record(EntryStatusChanged(entry.id))
    events.record(ProcessingWanted(entry.id))
    db.session.commit()
    metrics.UPLOAD_BYTES.inc(size)
    return entry
