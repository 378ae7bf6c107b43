"""Themes over JSON: fans propose and vote next month's theme; moderators select one."""

from flask import jsonify
from flask_login import current_user, login_required

from contest.accounts.permissions import permission_required
from contest.api import community_outputs, inputs, serializers, theme_io
from contest.api.blueprint import bp
from contest.extensions import limiter
from contest.moderation import actions, reports
from contest.themes import proposals, selection, windows


def _theme(theme):
    voted = theme.id in proposals.my_votes(current_user, [theme.id])
    return serializers.theme_to_dict(theme, voted)


@bp.get("/themes")
@bp.response(200, theme_io.ThemesPage)
@bp.arguments(theme_io.ThemesQuery(), location="query")
def list_themes(query):
    """A month's theme proposals (default: the month fans propose for now), by votes or
    shuffled ("new")."""
    month = windows.check_month(query["month"]) if "month" in query else windows.current_month()
    seed = str(current_user.id) if current_user.is_authenticated else ""
    themes = proposals.list_themes(month, current_user, query["order"], seed)
    mine = proposals.my_votes(current_user, [t.id for t in themes])
    opens, closes = windows.window(month)
    chosen = proposals.selected_theme(month)
    return jsonify(
        month=month,
        open=proposals.accepting(month),
        window={"opens_at": opens.isoformat(), "closes_at": closes.isoformat()},
        themes=[serializers.theme_to_dict(t, t.id in mine) for t in themes],
        selected=chosen.id if chosen else None,
    )


@bp.post("/themes")
@bp.response(201, theme_io.Theme)
@login_required
@limiter.limit("20 per hour", methods=["POST"])
@bp.arguments(theme_io.Proposal())
def propose(data):
    """Propose a theme for a month whose proposal window is open (3 a month at most; 409
    theme_selected once the organiser has selected its theme)."""
    theme = proposals.propose(
        current_user, data["month"], data["title"], data.get("brief"), data.get("example_entry_id")
    )
    return jsonify(serializers.theme_to_dict(theme)), 201


@bp.get("/themes/<int:theme_id>")
@bp.response(200, theme_io.Theme)
def get_theme(theme_id):
    """One theme proposal."""
    return jsonify(_theme(proposals.get_theme(theme_id, current_user)))


@bp.put("/themes/<int:theme_id>/vote")
@bp.response(200, theme_io.VoteAnswer)
@login_required
@limiter.limit("120 per hour", methods=["PUT"])
def vote(theme_id):
    """Vote for a theme (not one's own); again changes nothing. 409 proposals_closed outside
    the month's window, 409 theme_selected once the organiser has selected its theme."""
    theme = proposals.vote(current_user, theme_id)
    return jsonify(id=theme.id, votes=theme.votes, my_vote=True)


@bp.delete("/themes/<int:theme_id>/vote")
@bp.response(200, theme_io.VoteAnswer)
@login_required
@limiter.limit("120 per hour", methods=["DELETE"])
def unvote(theme_id):
    """Take one's vote back."""
    theme = proposals.unvote(current_user, theme_id)
    return jsonify(id=theme.id, votes=theme.votes, my_vote=False)


@bp.post("/themes/<int:theme_id>/reports")
@bp.response(201, community_outputs.Report)
@login_required
@limiter.limit("20 per hour", methods=["POST"])
@bp.arguments(inputs.ReportBody())
def report_theme(data, theme_id):
    """Report a theme proposal to the moderators."""
    row = reports.report(current_user, "theme", theme_id, data["reason"], data.get("text"))
    return jsonify(id=row.id, status=row.status), 201


@bp.post("/themes/<int:theme_id>/select")
@bp.response(200, theme_io.SelectAnswer)
@permission_required("moderator")
@bp.arguments(theme_io.Selection())
def select(data, theme_id):
    """Select a theme for its month (moderators), maybe reworded: the month's round is
    created, or retitled while still upcoming (409 otherwise)."""
    round_ = selection.select_theme(current_user, theme_id, data.get("title"), data.get("brief"))
    theme = proposals.get_theme(theme_id, current_user)
    return jsonify(theme=_theme(theme), round=serializers.round_to_dict(round_))


@bp.post("/moderation/themes/<int:theme_id>")
@bp.response(200, theme_io.Theme)
@permission_required("moderator")
@bp.arguments(inputs.ModerationBody())
def moderate_theme(data, theme_id):
    """Hide or restore a theme proposal."""
    theme = actions.moderate_theme(current_user, theme_id, data["action"], data.get("reason"))
    return jsonify(_theme(theme))


@bp.put("/moderation/proposal-windows/<month>")
@bp.response(200, theme_io.Window)
@permission_required("moderator")
@bp.arguments(theme_io.WindowBody())
def open_window(data, month):
    """Open (or move) the proposal window of a future month."""
    row = windows.open_window(current_user, month, data["opens_at"], data["closes_at"])
    return jsonify(opens_at=row.opens_at.isoformat(), closes_at=row.closes_at.isoformat())
