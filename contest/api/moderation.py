"""Reports (fans) and moderation (moderators) over JSON."""

from flask import jsonify
from flask_login import current_user, login_required

from contest.accounts.permissions import permission_required
from contest.api import community_outputs, inputs, outputs
from contest.api.blueprint import bp
from contest.api.entries import entries_to_dicts, entry_to_dict
from contest.extensions import limiter
from contest.moderation import actions as rules
from contest.moderation import insight_snapshots, queue, reports
from contest.rounds import phases as rounds
from contest.rounds import results


def _report(data, target_type, target_id):
    row = reports.report(current_user, target_type, target_id, data["reason"], data.get("text"))
    return jsonify(id=row.id, status=row.status), 201


@bp.post("/entries/<int:entry_id>/reports")
@bp.response(201, community_outputs.Report)
@login_required
@limiter.limit("20 per hour", methods=["POST"])
@bp.arguments(inputs.ReportBody())
def report_entry(data, entry_id):
    """Report an entry to the moderators."""
    return _report(data, "entry", entry_id)


@bp.post("/comments/<int:comment_id>/reports")
@bp.response(201, community_outputs.Report)
@login_required
@limiter.limit("20 per hour", methods=["POST"])
@bp.arguments(inputs.ReportBody())
def report_comment(data, comment_id):
    """Report a comment to the moderators."""
    return _report(data, "comment", comment_id)


@bp.post("/moderation/entries/<int:entry_id>")
@bp.response(200, outputs.Entry)
@permission_required("moderator")
@bp.arguments(inputs.ModerationBody())
def moderate_entry(data, entry_id):
    """Approve, reject, hide, restore, disqualify, staff_pick or unpick an entry."""
    if data["action"] in ("staff_pick", "unpick"):
        entry = results.set_staff_pick(
            current_user, entry_id, data["action"] == "staff_pick", data.get("reason") or ""
        )
        return jsonify(entry_to_dict(entry, current_user) | {"staff_pick": entry.staff_pick})
    entry = rules.moderate_entry(current_user, entry_id, data["action"], data.get("reason"))
    return jsonify(entry_to_dict(entry, current_user))


@bp.post("/moderation/comments/<int:comment_id>")
@bp.response(200, community_outputs.Ok)
@permission_required("moderator")
@bp.arguments(inputs.ModerationBody())
def moderate_comment(data, comment_id):
    """Hide, restore or delete a comment."""
    rules.moderate_comment(current_user, comment_id, data["action"], data.get("reason"))
    return jsonify(ok=True)


@bp.post("/moderation/users/<username>")
@bp.response(200, community_outputs.ModeratedUser)
@permission_required("moderator")
@bp.arguments(inputs.ModerationBody())
def moderate_user(data, username):
    """Ban, unban, trust or distrust a fan."""
    user = rules.moderate_user(current_user, username, data["action"], data.get("reason"))
    return jsonify(username=user.username, banned=user.is_banned, trusted=user.trusted)


@bp.get("/moderation/queue")
@bp.response(200, community_outputs.Queue)
@permission_required("moderator")
def moderation_queue():
    """Entries waiting for approval, reported entries and comments, integrity flags."""
    q = queue.queue()
    return jsonify(
        pending=entries_to_dicts(q["pending"], current_user),
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
@bp.response(200, community_outputs.AuditLog)
@permission_required("moderator")
def moderation_log():
    """The moderators' audit log, newest first."""
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
            for a in queue.audit_log()
        ]
    )


@bp.get("/moderation/insights")
@bp.response(200, community_outputs.Insights)
@permission_required("moderator")
@bp.arguments(inputs.InsightsQuery(), location="query")
def moderation_insights(query):
    """The numbers behind the insights charts: one round's (round_id, default none), across
    rounds, theme proposals per month, and participants' countries and clubs, as of `as_of`."""
    round_id = query.get("round_id")
    round_ = rounds.get_round(round_id) if round_id is not None else None  # 404 if unknown
    shown = insight_snapshots.figures(round_)
    return jsonify(
        round=shown["round"],
        across=shown["across"],
        themes=shown["themes"],
        places={k: [{"name": n, "fans": c} for n, c in v] for k, v in shown["places"].items()},
        as_of=shown["as_of"].isoformat(),
    )
