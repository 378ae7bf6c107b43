"""Storage garbage collection: unfinished uploads nobody will finish, and their parts; and
the small renditions older clips still lack, a few per run."""

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from contest.entries import renditions
from contest.entries.storage import get_storage
from contest.extensions import db
from contest.models import Upload, utcnow

log = logging.getLogger(__name__)


def collect_garbage(now=None):
    """Drop uploads left unfinished for UPLOAD_GC_HOURS and any stray parts in storage.

    The entry stays (title and description kept, status `uploading`): its author can still
    send the video again. Up to RENDITION_BATCH clips without a small rendition get one
    queued. Returns {"uploads": n, "strays": n, "renditions": n}.
    """
    now = now or utcnow()
    cutoff = now - timedelta(hours=current_app.config["UPLOAD_GC_HOURS"])
    storage = get_storage()
    stale = db.session.scalars(
        sa.select(Upload).where(Upload.completed_at.is_(None), Upload.created_at < cutoff)
    ).all()
    dropped = 0
    for upload in stale:
        try:
            storage.abort_upload(upload)
        except Exception:  # storage away: keep the row, the next run tries again
            log.warning("could not abort stale upload %s", upload.id, exc_info=True)
            continue
        db.session.delete(upload)
        db.session.commit()
        dropped += 1
    known = set(db.session.scalars(sa.select(Upload.id)))
    known_storage_ids = {
        u for u in db.session.scalars(sa.select(Upload.storage_upload_id)) if u is not None
    }
    db.session.commit()
    try:
        strays = storage.sweep_stray_parts(known | known_storage_ids, cutoff)
    except Exception:
        log.warning("could not sweep stray parts", exc_info=True)
        strays = 0
    asked = renditions.ask_for_missing(current_app.config["RENDITION_BATCH"])
    if dropped or strays or asked:
        log.info(
            "storage gc: %d stale uploads dropped, %d stray part sets, %d small renditions asked",
            dropped,
            strays,
            len(asked),
        )
    return {"uploads": dropped, "strays": strays, "renditions": len(asked)}
