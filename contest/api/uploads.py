"""Uploads over JSON: start, send a part, resume, complete."""

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from contest.api import bp
from contest.api.body import json_body
from contest.entries import uploads
from contest.errors import BadInput
from contest.extensions import limiter


@bp.post("/uploads")
@login_required
@limiter.limit("30 per hour", methods=["POST"])
def start_upload():
    upload = uploads.start_upload(current_user, json_body())
    state = uploads.upload_state(upload)
    return jsonify(
        entry_id=upload.entry_id,
        upload_id=upload.id,
        part_size=upload.part_size,
        part_count=upload.part_count,
        parts=state["targets"],
    ), 201


@bp.put("/uploads/<upload_id>/parts/<int:number>")
@login_required
def upload_part(upload_id, number):
    etag = uploads.receive_part(
        current_user, upload_id, number, request.stream, request.content_length
    )
    response = jsonify(number=number, etag=etag)
    response.headers["ETag"] = f'"{etag}"'
    return response


@bp.get("/uploads/<upload_id>")
@login_required
def upload_state(upload_id):
    return jsonify(uploads.upload_state(uploads.get_upload(current_user, upload_id)))


@bp.delete("/uploads/<upload_id>")
@login_required
def cancel_upload(upload_id):
    uploads.cancel_upload(current_user, upload_id)
    return "", 204


@bp.post("/uploads/<upload_id>/complete")
@login_required
def complete_upload(upload_id):
    data = json_body() if request.data else {}
    parts = data.get("parts")
    if parts is not None and not isinstance(parts, list):
        raise BadInput(_l("parts must be a list of {number, etag}."), code="invalid_field")
    entry = uploads.complete_upload(current_user, upload_id, parts)
    return jsonify(entry_id=entry.id, status=entry.status), 202
