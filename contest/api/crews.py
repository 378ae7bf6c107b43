"""Crews over JSON: create, join or ask, leave or remove, approve, captaincy, leaderboards."""

from flask import jsonify, request
from flask_login import current_user, login_required
from marshmallow import Schema, fields

from contest import links
from contest.accounts.permissions import permission_required
from contest.api import community_outputs, inputs
from contest.api.blueprint import bp
from contest.api.parsing import Flag, Input, error, picture_body, text_field
from contest.crews import leaderboard, membership
from contest.extensions import limiter
from contest.moderation import actions, reports
from contest.rounds import phases as rounds


class CrewBody(Input):
    name = text_field("name", membership.MAX_NAME, required=True, code="invalid_name")
    home = text_field("home", membership.MAX_HOME, allow_none=True, code="invalid_home")
    open = Flag(metadata=error("invalid_field", "open must be true or false."))


class Member(Schema):
    username = fields.String(required=True)


class Crew(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    home = fields.String(required=True)
    open = fields.Boolean(required=True)
    url = fields.String(required=True)
    badge_url = fields.String(allow_none=True)
    hidden = fields.Boolean()
    captain = fields.Nested(Member, required=True)
    members = fields.List(fields.Nested(Member), required=True)
    pending = fields.List(fields.Nested(Member), metadata={"description": "captain only"})


class Joined(Schema):
    slug = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["member", "pending", "left"]})


class CrewRow(Schema):
    rank = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    score = fields.Float(required=True)
    counted = fields.List(fields.Integer(), required=True)


class CrewBoard(Schema):
    round_id = fields.Integer(required=True)
    frozen = fields.Boolean(required=True)
    crews = fields.List(fields.Nested(CrewRow), required=True)


def crew_to_dict(crew):
    data = {
        "slug": crew.slug,
        "name": crew.name,
        "home": crew.home,
        "open": crew.open,
        "url": links.url("community.crew_page", slug=crew.slug),
        "badge_url": links.url("community.crew_badge", slug=crew.slug) if crew.badge_key else None,
        "hidden": crew.hidden,
        "captain": {"username": links.fan_name(crew.captain)},
        "members": [{"username": m.user.username} for m in membership.members(crew)],
    }
    if current_user.is_authenticated and current_user.id == crew.captain_id:
        data["pending"] = [
            {"username": m.user.username} for m in membership.members(crew, "pending")
        ]
    return data


@bp.post("/crews")
@bp.arguments(CrewBody())
@bp.response(201, Crew)
@login_required
@limiter.limit("10 per hour", methods=["POST"])
def create_crew(data):
    """Create a crew and captain it (a verified fan; one crew at a time)."""
    crew = membership.create_crew(
        current_user, data["name"], data.get("home"), data.get("open", True)
    )
    return jsonify(crew_to_dict(crew)), 201


@bp.get("/crews/<slug>")
@bp.response(200, Crew)
def get_crew(slug):
    """A crew and its members."""
    return jsonify(crew_to_dict(membership.get_crew(slug, current_user)))


@bp.post("/crews/<slug>/members")
@bp.response(200, Joined)
@login_required
@limiter.limit("30 per hour", methods=["POST"])
def join_crew(slug):
    """Join an open crew (200), or ask to join one by approval (202)."""
    status = membership.join(current_user, slug)
    return jsonify(slug=slug.lower(), status=status), 200 if status == "member" else 202


@bp.delete("/crews/<slug>/members/<username>")
@bp.response(200, Joined)
@login_required
def leave_crew(slug, username):
    """Leave (oneself), or remove a member or a request (the captain)."""
    membership.remove(current_user, slug, username)
    return jsonify(slug=slug.lower(), status="left")


@bp.post("/crews/<slug>/members/<username>/approve")
@bp.response(200, Crew)
@login_required
def approve_member(slug, username):
    """The captain lets a fan who asked in."""
    return jsonify(crew_to_dict(membership.approve(current_user, slug, username)))


@bp.post("/crews/<slug>/captain/<username>")
@bp.response(200, Crew)
@login_required
def hand_captaincy(slug, username):
    """The captain hands captaincy to a member."""
    return jsonify(crew_to_dict(membership.hand_captaincy(current_user, slug, username)))


@bp.put("/crews/<slug>/badge")
@bp.doc(requestBody=picture_body("badge"))
@bp.response(200, Crew)
@login_required
@limiter.limit("20 per hour", methods=["PUT"])
def put_badge(slug):
    """The captain sets the crew's badge: a multipart `badge` file, or the raw image."""
    upload = request.files.get("badge")
    crew = membership.set_badge(current_user, slug, upload.stream if upload else request.stream)
    return jsonify(crew_to_dict(crew))


@bp.post("/crews/<slug>/reports")
@bp.response(201, community_outputs.Report)
@login_required
@limiter.limit("20 per hour", methods=["POST"])
@bp.arguments(inputs.ReportBody())
def report_crew(data, slug):
    """Report a crew (its name, its badge) to the moderators."""
    crew = membership.get_crew(slug, current_user)
    row = reports.report(current_user, "crew", crew.id, data["reason"], data.get("text"))
    return jsonify(id=row.id, status=row.status), 201


@bp.post("/moderation/crews/<slug>")
@bp.response(200, Crew)
@permission_required("moderator")
@bp.arguments(inputs.ModerationBody())
def moderate_crew(data, slug):
    """Hide or restore a crew."""
    crew = membership.get_crew(slug, current_user)
    actions.moderate_crew(current_user, crew.id, data["action"], data.get("reason"))
    return jsonify(crew_to_dict(crew))


@bp.get("/rounds/<int:round_id>/crews")
@bp.response(200, CrewBoard)
def round_crews(round_id):
    """The crew leaderboard: the best three members' scores; frozen at close."""
    round_ = rounds.get_round(round_id)
    rows = [] if rounds.is_blind(round_) else leaderboard.crew_standings(round_id)
    return jsonify(
        round_id=round_id,
        frozen=round_.closed_at is not None,
        crews=[
            {
                "rank": r["rank"],
                "slug": r["crew"].slug,
                "name": r["crew"].name,
                "score": r["score"],
                "counted": r["counted"],
            }
            for r in rows
        ],
    )
