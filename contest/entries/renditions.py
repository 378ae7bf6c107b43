"""Small renditions for clips stored before every clip got one.

New uploads get theirs from processing. For older clips, storage gc asks for a few per run
(SmallRenditionWanted, one job each); `flask doctor` says how many are still without one.
"""

import logging
import tempfile

import sqlalchemy as sa
from flask import current_app

from contest import events
from contest.entries import media_box
from contest.entries.storage import get_storage
from contest.entries.storage_s3 import StorageUnavailable
from contest.events import SmallRenditionWanted
from contest.extensions import db
from contest.models import Entry
from contest.models.entries import NO_VIDEO_STATUSES

log = logging.getLogger(__name__)


def _lacking():
    """Processed clips (they have a poster) that have no small rendition."""
    return sa.and_(
        Entry.small_key.is_(None),
        Entry.poster_key.is_not(None),
        Entry.status.not_in((*NO_VIDEO_STATUSES, "processing")),
    )


def count_missing():
    return db.session.scalar(sa.select(sa.func.count()).select_from(Entry).where(_lacking()))


def ask_for_missing(limit):
    """Queue the small rendition of up to `limit` clips without one, newest first: the ids."""
    ids = db.session.scalars(
        sa.select(Entry.id).where(_lacking()).order_by(Entry.id.desc()).limit(limit)
    ).all()
    for entry_id in ids:
        events.record(SmallRenditionWanted(entry_id))
    db.session.commit()
    return ids


def make_small_rendition(entry_id):
    """The job: make and store one clip's small rendition. A clip it cannot be made for
    plays its usual file on slow networks too (small_key points there), so it is not asked
    for again; a storage outage leaves it for the next run."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.small_key is not None or entry.poster_key is None:
        return None
    source_key = entry.video_key
    fallback = entry.playback_key or entry.video_key
    small_key = source_key.rsplit("/", 1)[0] + "/small.mp4"
    db.session.commit()  # no transaction stays open while the video is read
    storage, config = get_storage(), current_app.config
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = media_box.make_small(
                storage.local_source(source_key),
                tmp,
                config["MAX_VIDEO_SECONDS"],
                seconds_limit=config["MEDIA_TIMEOUT"],
                memory_mb=config["MEDIA_MEMORY_MB"],
            )
            storage.put_file(small_key, path, "video/mp4")
    except StorageUnavailable:
        raise
    except Exception:
        log.warning("no small rendition for entry %s: it plays its usual file", entry_id)
        small_key = fallback
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.video_key != source_key or entry.status in NO_VIDEO_STATUSES:
        if small_key != fallback:
            storage.delete(small_key)  # sent again or rejected meanwhile: not this file's
        db.session.commit()
        return None
    entry.small_key = small_key
    db.session.commit()
    return small_key
