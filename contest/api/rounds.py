"""Rounds over JSON: list, create, edit, read with leaderboard, close, publish."""

import re
import secrets

from flask import jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from contest.accounts.permissions import permission_required
from contest.api import bp
from contest.api.body import json_body
from contest.api.entries import entry_to_dict
from contest.community import comments
from contest.errors import BadInput
from contest.rounds import finals, judging, ratings, results
from contest.rounds import phases as rounds
from contest.texts import Text


@bp.get("/rounds")
def list_rounds():
    from contest.extensions import db
    from contest.models import Round

    all_rounds = db.session.scalars(db.select(Round).order_by(Round.submissions_open_at.desc()))
    return jsonify(rounds=[rounds.round_to_dict(r) for r in all_rounds])


@bp.post("/rounds")
@permission_required("moderator")
def create_round():
    round_ = rounds.create_round(current_user, json_body())
    return jsonify(rounds.round_to_dict(round_)), 201


@bp.patch("/rounds/<int:round_id>")
@permission_required("moderator")
def edit_round(round_id):
    round_ = rounds.update_round(current_user, rounds.get_round(round_id), json_body())
    return jsonify(rounds.round_to_dict(round_))


@bp.get("/rounds/<int:round_id>")
def get_round(round_id):
    round_ = rounds.get_round(round_id)
    data = rounds.round_to_dict(round_)
    phase = data["phase"]
    frozen = None
    if results.results_visible(round_, current_user):
        frozen = [results.result_to_dict(r) for r in results.frozen_results(round_)]
        data["results"] = frozen
    if round_.closed_at is not None:
        # once closed, the one frozen ranking everywhere (empty until it is published)
        data["leaderboard"] = frozen or []
    elif rounds.is_blind(round_) or phase == "closed":
        data["leaderboard"] = []  # blind finish, or voting over and the result being frozen
    else:
        data["leaderboard"] = [s.to_dict() for s in results.live_standings(round_.id)]
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
    return {"entry_id": entry.id, "title": entry.title, "author": entry.author.username}


@bp.post("/rounds/<int:round_id>/finalists")
@permission_required("moderator")
def shortlist(round_id):
    data = json_body()
    round_ = finals.shortlist(current_user, round_id, data.get("entry_ids"), _reason(data))
    return jsonify(
        round=rounds.round_to_dict(round_),
        finalists=[_entry_ref(e) for e in finals.finalists(round_)],
    )


def _reason(data):
    reason = data.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 500:
        raise BadInput(_l("reason must be text of at most 500 characters."), code="invalid_field")
    return reason.strip()


@bp.put("/rounds/<int:round_id>/cover")
@permission_required("moderator")
def put_cover(round_id):
    from flask import request

    upload = request.files.get("cover")
    round_ = rounds.set_cover(
        current_user, rounds.get_round(round_id), upload.stream if upload else request.stream
    )
    return jsonify(rounds.round_to_dict(round_))


@bp.post("/rounds/<int:round_id>/close")
@permission_required("moderator")
def close_round(round_id):
    data = json_body() if _has_body() else {}
    force = data.get("force", False)
    if not isinstance(force, bool):
        raise BadInput(_l("force must be true or false."), code="invalid_field")
    round_ = results.close_round(round_id, current_user, force=force)
    return jsonify(
        round=rounds.round_to_dict(round_),
        results=[results.result_to_dict(r) for r in results.frozen_results(round_)],
    )


@bp.post("/rounds/<int:round_id>/publish")
@permission_required("moderator")
def publish_round(round_id):
    round_ = results.publish_round(round_id, current_user)
    return jsonify(
        round=rounds.round_to_dict(round_),
        results=[results.result_to_dict(r) for r in results.frozen_results(round_)],
    )


def _has_body():
    from flask import request

    return bool(request.data)


@bp.get("/rounds/<int:round_id>/judge")
def judge_queue(round_id):
    """Judge mode's next clips for this fan (a shuffled list for anonymous visitors)."""
    from flask import request, session

    round_ = rounds.get_round(round_id)
    limit = _whole_number(request.args.get("limit", "10"), "limit")
    skip = [_whole_number(part, "skip") for part in request.args.get("skip", "").split(",") if part]
    if current_user.is_authenticated:
        entries, judged, total = judging.judge_queue(current_user, round_, limit, skip)
    else:
        seed = session.setdefault("shuffle_seed", secrets.token_hex(8))
        entries, judged, total = judging.judge_queue(None, round_, limit, skip, seed)
    counts = comments.count_comments([e.id for e in entries])
    pending = ratings.pending(entries)
    return jsonify(
        entries=[entry_to_dict(e, current_user, counts, pending) for e in entries],
        judged=judged,
        total=total,
    )


def _whole_number(text, field):
    if not re.fullmatch(r"[0-9]{1,9}", text or ""):
        raise BadInput(
            Text("%(field)s must be a whole number.", field=field), code=f"invalid_{field}"
        )
    return int(text)
