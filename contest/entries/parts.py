"""The parts of an upload: finding one's upload, the size each part must have, receiving a part."""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from contest.entries.storage import get_storage
from contest.errors import (
    BadInput,
    Conflict,
    NotFound,
    TooLarge,
)
from contest.extensions import db
from contest.models import Upload
from contest.texts import Text


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
