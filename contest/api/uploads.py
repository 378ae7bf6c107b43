"""Uploads over JSON: start, send a part, resume, complete."""

from flask import jsonify, request, url_for
from flask_login import current_user, login_required

from contest.api import inputs, outputs
from contest.api.blueprint import bp
from contest.entries import parts, uploads
from contest.extensions import limiter

PART = {
    "required": True,
    "description": "the raw bytes of one part (local storage; S3 parts go to the bucket)",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


@bp.post("/uploads")
@bp.response(201, outputs.UploadStarted)
@login_required
@limiter.limit("30 per hour", methods=["POST"])
@bp.arguments(inputs.UploadStart())
def start_upload(data):
    """Start uploading an entry (or a new file for one's own failed entry)."""
    upload = uploads.start_upload(current_user, **data)
    state = _with_part_urls(uploads.upload_state(upload))
    return jsonify(
        entry_id=upload.entry_id,
        upload_id=upload.id,
        part_size=upload.part_size,
        part_count=upload.part_count,
        parts=state["targets"],
    ), 201


@bp.put("/uploads/<upload_id>/parts/<int:number>")
@bp.doc(requestBody=PART)
@bp.response(200, outputs.PartStored)
@login_required
def upload_part(upload_id, number):
    etag = parts.receive_part(
        current_user, upload_id, number, request.stream, request.content_length
    )
    response = jsonify(number=number, etag=etag)
    response.headers["ETag"] = f'"{etag}"'
    return response


@bp.get("/uploads/<upload_id>")
@bp.response(200, outputs.UploadState)
@login_required
def upload_state(upload_id):
    """Which parts are stored, which are missing, and where to send them (to resume)."""
    return jsonify(_with_part_urls(uploads.upload_state(parts.get_upload(current_user, upload_id))))


def _with_part_urls(state):
    """Parts that go to the app itself (local storage) are sent to the part endpoint."""
    for target in state["targets"]:
        if target["url"] is None:
            target["url"] = url_for(
                "api.upload_part", upload_id=state["upload_id"], number=target["number"]
            )
    return state


@bp.delete("/uploads/<upload_id>")
@bp.response(204)
@login_required
def cancel_upload(upload_id):
    uploads.cancel_upload(current_user, upload_id)
    return "", 204


@bp.post("/uploads/<upload_id>/complete")
@bp.response(202, outputs.UploadCompleted)
@login_required
@bp.arguments(inputs.UploadComplete())
def complete_upload(data, upload_id):
    """Finish an upload: the entry goes to processing."""
    entry = uploads.complete_upload(current_user, upload_id, data.get("parts"))
    return jsonify(entry_id=entry.id, status=entry.status), 202
