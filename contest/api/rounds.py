"""Rounds over JSON: list, create, edit, read with leaderboard, close, publish."""

import re
import secrets

from flask import jsonify, request, session
from flask_login import current_user

from contest import links
from contest.accounts.permissions import permission_required
from contest.api import inputs, outputs
from contest.api.blueprint import bp
from contest.api.entries import entries_to_dicts
from contest.api.parsing import picture_body
from contest.api.serializers import result_to_dict, round_to_dict, standing_to_dict
from contest.errors import BadInput
from contest.rounds import editing, finals, judging, results, sponsors, standings
from contest.rounds import phases as rounds
from contest.texts import Text


@bp.get("/rounds")
@bp.response(200, outputs.RoundList)
def list_rounds():
    """Every round, newest first."""
    return jsonify(rounds=[round_to_dict(r) for r in rounds.all_rounds()])


@bp.post("/rounds")
@bp.response(201, outputs.Round)
@permission_required("moderator")
@bp.arguments(inputs.RoundBody())
def create_round(data):
    """Create a round (voting opens with uploads unless voting_open_at says otherwise)."""
    round_ = editing.create_round(current_user, data)
    return jsonify(round_to_dict(round_)), 201


@bp.patch("/rounds/<int:round_id>")
@bp.response(200, outputs.Round)
@permission_required("moderator")
@bp.arguments(inputs.RoundEdit())
def edit_round(data, round_id):
    """Edit a round; a closed round's windows are frozen."""
    round_ = editing.update_round(current_user, rounds.get_round(round_id), data)
    return jsonify(round_to_dict(round_))


TOP = 100  # places in a round's answer; the rest: /rounds/<id>/entries?sort=top, page by page


@bp.get("/rounds/<int:round_id>")
@bp.response(200, outputs.RoundDetail)
def get_round(round_id):
    """A round with its live leaderboard, or its frozen results once closed: the top 100
    places (GET /rounds/<id>/entries?sort=top pages through every clip)."""
    round_ = rounds.get_round(round_id)
    data = round_to_dict(round_)
    phase = data["phase"]
    frozen = None
    if results.results_visible(round_, current_user):
        frozen = [result_to_dict(r) for r in results.frozen_results(round_, limit=TOP)]
        data["results"] = frozen
    if round_.closed_at is not None:
        # once closed, the one frozen ranking everywhere (empty until it is published)
        data["leaderboard"] = frozen or []
    elif rounds.is_blind(round_) or phase == "closed":
        data["leaderboard"] = []  # blind finish, or voting over and the result being frozen
    else:
        top = standings.top_standings(round_.id, size=TOP)
        data["leaderboard"] = [standing_to_dict(s) for s in top]
    if rounds.in_finals(round_):
        data["finalists"] = [_entry_ref(e) for e in finals.finalists(round_)]
    picks = results.staff_picks(round_)
    if (
        phase == "published"
        or picks
        and current_user.is_authenticated
        and current_user.is_moderator
    ):
        data["staff_picks"] = [_entry_ref(e) for e in picks]
    return jsonify(data)


def _entry_ref(entry):
    return {"entry_id": entry.id, "title": entry.title, "author": links.fan_name(entry.author)}


@bp.post("/rounds/<int:round_id>/finalists")
@bp.response(200, outputs.RoundFinalists)
@permission_required("moderator")
@bp.arguments(inputs.FinalistsBody())
def shortlist(data, round_id):
    """Choose the finalists of a round with finals."""
    reason = (data.get("reason") or "").strip()
    round_ = finals.shortlist(current_user, round_id, data["entry_ids"], reason)
    return jsonify(
        round=round_to_dict(round_),
        finalists=[_entry_ref(e) for e in finals.finalists(round_)],
    )


@bp.put("/rounds/<int:round_id>/cover")
@bp.doc(requestBody=picture_body("cover"))
@bp.response(200, outputs.Round)
@permission_required("moderator")
def put_cover(round_id):
    """A round's cover picture: a multipart `cover` file, or the raw image as the body."""
    upload = request.files.get("cover")
    round_ = editing.set_cover(
        current_user, rounds.get_round(round_id), upload.stream if upload else request.stream
    )
    return jsonify(round_to_dict(round_))


@bp.put("/rounds/<int:round_id>/sponsor-logo")
@bp.doc(requestBody=picture_body("logo"))
@bp.response(200, outputs.Round)
@permission_required("moderator")
def put_sponsor_logo(round_id):
    """The sponsor's logo: a multipart `logo` file, or the raw image as the body."""
    upload = request.files.get("logo")
    round_ = sponsors.set_sponsor_logo(
        current_user, rounds.get_round(round_id), upload.stream if upload else request.stream
    )
    return jsonify(round_to_dict(round_))


@bp.post("/rounds/<int:round_id>/close")
@bp.response(200, outputs.RoundResults)
@permission_required("moderator")
@bp.arguments(inputs.CloseBody())
def close_round(data, round_id):
    """Freeze the ranking into results (409 while voting is open, unless force)."""
    round_ = results.close_round(round_id, current_user, force=data.get("force", False))
    return jsonify(
        round=round_to_dict(round_),
        results=[result_to_dict(r) for r in results.frozen_results(round_)],
    )


@bp.post("/rounds/<int:round_id>/publish")
@bp.response(200, outputs.RoundResults)
@permission_required("moderator")
def publish_round(round_id):
    """Make the results and the hall of fame public."""
    round_ = results.publish_round(round_id, current_user)
    return jsonify(
        round=round_to_dict(round_),
        results=[result_to_dict(r) for r in results.frozen_results(round_)],
    )


@bp.get("/rounds/<int:round_id>/judge")
@bp.response(200, outputs.JudgeQueue)
@bp.arguments(inputs.JudgeQuery(), location="query")
def judge_queue(query, round_id):
    """Judge mode's next clips for this fan (a shuffled list for anonymous visitors)."""
    round_ = rounds.get_round(round_id)
    limit = query["limit"]
    skip = [_whole_number(part, "skip") for part in query["skip"].split(",") if part]
    if current_user.is_authenticated:
        entries, judged, total = judging.judge_queue(current_user, round_, limit, skip)
    else:
        seed = session.setdefault("shuffle_seed", secrets.token_hex(8))
        entries, judged, total = judging.judge_queue(None, round_, limit, skip, seed)
    return jsonify(
        entries=entries_to_dicts(entries, current_user, following=True),
        judged=judged,
        total=total,
    )


def _whole_number(text, field):
    if not re.fullmatch(r"[0-9]{1,9}", text or ""):
        raise BadInput(
            Text("%(field)s must be a whole number.", field=field), code=f"invalid_{field}"
        )
    return int(text)
