"""Processing an uploaded entry (the job): check by content, poster, playback rendition; then
live, pending review or rejected. Crashed tries are retried a bounded number of times, and the
sweeper picks up entries whose job died with its process."""

import logging
import tempfile
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from contest import events, metrics
from contest.community import notifications
from contest.entries import media_box
from contest.entries.storage import get_storage
from contest.errors import NotAVideo
from contest.events import EntryStatusChanged, ProcessingWanted, RatingChanged
from contest.extensions import db
from contest.models import Entry, utcnow
from contest.rounds import phases as rounds
from contest.texts import Text

log = logging.getLogger(__name__)


def process_entry(entry_id):
    """The job: check by content, poster, renditions; then live, pending review or rejected."""
    claimed = _claim(entry_id)
    if claimed is None:
        return
    attempt, video_key, round_id = claimed
    folder = video_key.rsplit("/", 1)[0]
    keys = {"poster": folder + "/poster.jpg", "playback": None, "small": folder + "/small.mp4"}
    stored = (keys["poster"], folder + "/playback.mp4", keys["small"])
    storage = get_storage()
    try:
        if not storage.exists(video_key):  # raises StorageUnavailable if the store is down
            return reject(entry_id, _l("The uploaded file is missing. Please send it again."))
        facts = _read_and_store(entry_id, storage, video_key, keys)
    except NotAVideo as error:
        return reject(entry_id, error.text, *stored)
    except media_box.TooSlow:
        log.warning("processing entry %s took too long (try %d): killed", entry_id, attempt)
        return _try_again_or_fail(entry_id, attempt, *stored, slow=True)
    except Exception:
        log.exception("processing entry %s failed (try %d)", entry_id, attempt)
        return _try_again_or_fail(entry_id, attempt, *stored)
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.status != "processing":
        return
    entry.duration, entry.width, entry.height = facts.duration, facts.width, facts.height
    entry.codec, entry.poster_key = facts.codec, keys["poster"]
    entry.playback_key, entry.small_key = keys["playback"], keys["small"]
    _publish(entry, rounds.get_round(round_id))
    db.session.commit()
    metrics.VIDEOS.labels("processed").inc()


def _claim(entry_id):
    """Claim this try: (attempt, video key, round id), or None when the entry is not waiting or
    another run (a sweeper's re-queue) got here first."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.status != "processing":
        return None
    attempt = entry.processing_attempts + 1
    claimed = db.session.execute(
        sa.update(Entry)
        .where(
            Entry.id == entry_id,
            Entry.status == "processing",
            Entry.processing_attempts == attempt - 1,
        )
        .values(processing_attempts=attempt, processing_started_at=utcnow())
    ).rowcount
    video_key, round_id = entry.video_key, entry.round_id
    db.session.commit()  # no transaction stays open while the video is read
    return (attempt, video_key, round_id) if claimed else None


def _read_and_store(entry_id, storage, video_key, keys):
    """Read the upload in its box and store its poster and renditions (keys["playback"] is set
    when a playback rendition was made): the video's facts, at its upright size."""
    config = current_app.config
    with tempfile.TemporaryDirectory() as tmp:
        read = media_box.read_upload(
            storage.local_source(video_key),
            tmp,
            config["MAX_VIDEO_SECONDS"],
            seconds_limit=config["MEDIA_TIMEOUT"],
            memory_mb=config["MEDIA_MEMORY_MB"],
            on_converting=lambda: _say(
                entry_id, _l("Converting your video so every phone can play it…")
            ),
        )
        storage.put_file(keys["poster"], read["poster"], "image/jpeg")
        storage.put_file(keys["small"], read["small"], "video/mp4")
        if read["rendition"]:
            keys["playback"] = video_key.rsplit("/", 1)[0] + "/playback.mp4"
            storage.put_file(keys["playback"], read["rendition"], "video/mp4")
    facts = read["facts"]
    facts.width, facts.height = read["size"]
    return facts


def _publish(entry, round_):
    """Live (its author told, the answered told), or waiting for a moderator's approval."""
    if round_.requires_approval and not (entry.author.is_moderator or entry.author.trusted):
        entry.set_status("pending_review", _l("Waiting for a moderator to approve it."))
    else:
        entry.set_status("live")
        entry.live_at = utcnow()
        notifications.notify(
            entry.author_id,
            "entry_live",
            Text("Your entry %(title)s is live.", title=entry.title),
            notifications.target("entry", entry.id),
        )
        _tell_the_answered(entry)
    events.record(EntryStatusChanged(entry.id))
    if entry.status == "live":
        events.record(RatingChanged(entry.id, entry.round_id))  # the leaderboard gains a row


def _tell_the_answered(entry):
    """An answer went live: the fan whose skill it answers hears of it."""
    if entry.answers_id is None:
        return
    answered = db.session.get(Entry, entry.answers_id)
    if answered is not None and answered.author_id != entry.author_id:
        notifications.notify(
            answered.author_id,
            "answer",
            Text(
                "%(name)s answered your skill %(title)s.",
                name=entry.author.username,
                title=answered.title,
            ),
            notifications.target("entry", entry.id),
        )


def retry_delay(attempt):
    """Seconds to wait before try attempt+1: JOB_RETRY_DELAYS, the last one repeating."""
    delays = [float(d) for d in str(current_app.config["JOB_RETRY_DELAYS"]).split(",") if d.strip()]
    return delays[min(attempt, len(delays)) - 1] if delays else 0


def _try_again_or_fail(entry_id, attempt, *extra_keys, slow=False):
    """A crash (storage away, a bug, a killed process) or a file that took too long to read:
    try again a bounded number of times, then refuse it with the reason."""
    limit = current_app.config["JOB_MAX_ATTEMPTS"]
    if attempt >= limit:
        reason = (
            Text(
                "Reading this video took too long (%(num)s tries), so we stopped. "
                "Please export it again from your phone and send it, or try another file.",
                num=attempt,
            )
            if slow
            else Text(
                "We could not process this video (%(num)s tries). "
                "Please send it again, or try another file.",
                num=attempt,
            )
        )
        return reject(entry_id, reason, *extra_keys)
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.status != "processing":
        return
    entry.set_status("processing", _l("Processing hit a problem; trying again in a moment…"))
    entry.processing_started_at = utcnow()
    events.record(EntryStatusChanged(entry_id))
    events.record(ProcessingWanted(entry_id, retry_delay(attempt)))
    db.session.commit()
    metrics.JOBS.labels("process_entry", "retried").inc()


def _say(entry_id, reason):
    """Tell the uploader what the job is doing now."""
    entry = db.session.get(Entry, entry_id)
    if entry is not None and entry.status == "processing":
        entry.set_status("processing", reason)
        events.record(EntryStatusChanged(entry_id))
        db.session.commit()


def reject(entry_id, reason, *extra_keys):
    """Reject the entry with a reason the uploader sees, and delete its stored files."""
    entry = db.session.get(Entry, entry_id)
    if entry is None:
        return
    entry.set_status("rejected", reason)
    notifications.notify(
        entry.author_id,
        "entry_rejected",
        Text("Your entry %(title)s was not accepted: %(reason)s", title=entry.title, reason=reason),
        notifications.target("entry", entry.id),
    )
    keys = {*entry.stored_keys, *(k for k in extra_keys if k)}
    entry.poster_key = entry.playback_key = entry.small_key = None
    events.record(EntryStatusChanged(entry_id))
    db.session.commit()
    metrics.VIDEOS.labels("rejected").inc()
    storage = get_storage()
    for key in keys:
        try:
            storage.delete(key)
        except Exception:  # the entry is already rejected; a leftover object is only garbage
            log.exception("deleting %s failed", key)


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
        reject(
            entry_id,
            Text(
                "We could not process this video (%(num)s tries). "
                "Please send it again, or try another file.",
                num=limit,
            ),
        )
    for entry_id in again:
        events.record(ProcessingWanted(entry_id))
    db.session.commit()
    if again:
        metrics.JOBS.labels("process_entry", "retried").inc(len(again))
    return again, failed
