"""Reports (fans) and moderation (moderators) over JSON."""

from flask import jsonify
from flask_login import current_user, login_required

from contest.accounts.permissions import permission_required
from contest.api import bp
from contest.api.body import json_body
from contest.api.entries import entry_to_dict
from contest.extensions import limiter
from contest.moderation import actions as rules
from contest.rounds import results


def _report(target_type, target_id):
    data = json_body()
    row = rules.report(
        current_user, target_type, target_id, data.get("reason"), data.get("text", "")
    )
    return jsonify(id=row.id, status=row.status), 201


@bp.post("/entries/<int:entry_id>/reports")
@login_required
@limiter.limit("20 per hour", methods=["POST"])
def report_entry(entry_id):
    return _report("entry", entry_id)


@bp.post("/comments/<int:comment_id>/reports")
@login_required
@limiter.limit("20 per hour", methods=["POST"])
def report_comment(comment_id):
    return _report("comment", comment_id)


@bp.post("/moderation/entries/<int:entry_id>")
@permission_required("moderator")
def moderate_entry(entry_id):
    data = json_body()
    if data.get("action") in ("staff_pick", "unpick"):
        entry = results.set_staff_pick(
            current_user, entry_id, data["action"] == "staff_pick", data.get("reason") or ""
        )
        return jsonify(entry_to_dict(entry, current_user) | {"staff_pick": entry.staff_pick})
    entry = rules.moderate_entry(current_user, entry_id, data.get("action"), data.get("reason"))
    return jsonify(entry_to_dict(entry, current_user))


@bp.post("/moderation/comments/<int:comment_id>")
@permission_required("moderator")
def moderate_comment(comment_id):
    data = json_body()
    rules.moderate_comment(current_user, comment_id, data.get("action"), data.get("reason"))
    return jsonify(ok=True)


@bp.post("/moderation/users/<username>")
@permission_required("moderator")
def moderate_user(username):
    data = json_body()
    user = rules.moderate_user(current_user, username, data.get("action"), data.get("reason"))
    return jsonify(username=user.username, banned=user.is_banned, trusted=user.trusted)


@bp.get("/moderation/queue")
@permission_required("moderator")
def moderation_queue():
    q = rules.queue()
    return jsonify(
        pending=[entry_to_dict(e, current_user) for e in q["pending"]],
        reported=[
            {
                "type": item["type"],
                "id": item["target"].id,
                "reports": [
                    {"reason": r.reason, "text": r.text, "reporter": r.reporter.username}
                    for r in item["reports"]
                ],
            }
            for item in q["reported"]
        ],
        flags=[
            {"id": f.id, "entry_id": f.entry_id, "kind": f.kind, "evidence": f.display_evidence}
            for f in q["flags"]
        ],
    )


@bp.get("/moderation/log")
@permission_required("moderator")
def moderation_log():
    return jsonify(
        actions=[
            {
                "id": a.id,
                "moderator": a.moderator.username if a.moderator else None,
                "action": a.action,
                "target_type": a.target_type,
                "target_id": a.target_id,
                "reason": a.reason,
                "at": a.at.isoformat(),
            }
            for a in rules.audit_log()
        ]
    )
