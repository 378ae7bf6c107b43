from datetime import UTC
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest import links
from contest.accounts.permissions import permission_required
from contest.errors import ContestError
from contest.moderation import actions as moderation_rules
from contest.moderation import queue as review
from contest.pages.moderation.blueprint import bp
from contest.pages.moderation.forms import ActionForm, RoundForm
from contest.rounds import editing, finals, results, sponsors
from contest.rounds import phases as rounds
from contest.rounds import standings as ranking


def _zone(form=None):
    """The moderator's time zone: the form's, else the page cookie's, else UTC."""
    name = (form.tz.data if form is not None else None) or request.cookies.get("tz") or "UTC"
    try:
        return ZoneInfo(name) if len(name) <= 64 else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _show_local(form, round_):
    """Windows are stored in UTC and shown in the moderator's own time zone."""
    zone = _zone()
    for field in rounds.WINDOW_FIELDS + rounds.FINALS_FIELDS:
        value = getattr(round_, field)
        getattr(form, field).data = value.astimezone(zone).replace(tzinfo=None) if value else None
    return zone


def _form_data(form):
    data = {
        "title": form.title.data,
        "brief": form.brief.data or "",
        "requires_approval": bool(form.requires_approval.data),
        "prize": form.prize.data or "",
        "blind_hours": form.blind_hours.data or 0,
        "sponsor_name": form.sponsor_name.data or "",
        "sponsor_url": form.sponsor_url.data or "",
        "sponsor_pick": bool(form.sponsor_pick.data),
    }
    zone = _zone(form)
    for field in rounds.WINDOW_FIELDS + rounds.FINALS_FIELDS:
        value = getattr(form, field).data
        data[field] = value.replace(tzinfo=zone).astimezone(UTC) if value else None
    return data


@bp.route("/rounds/new", methods=["GET", "POST"])
@permission_required("moderator")
def new_round():
    form = RoundForm()
    if form.validate_on_submit():
        try:
            round_ = editing.create_round(current_user, _form_data(form))
        except ContestError as error:
            form.title.errors.append(error.message)
        else:
            if form.cover.data or form.sponsor_logo.data:
                try:
                    if form.cover.data:
                        editing.set_cover(current_user, round_, form.cover.data.stream)
                    if form.sponsor_logo.data:
                        sponsors.set_sponsor_logo(
                            current_user, round_, form.sponsor_logo.data.stream
                        )
                except ContestError as error:
                    flash(
                        _(
                            "Round created, but the cover was refused: %(reason)s",
                            reason=error.message,
                        )
                    )
                    return redirect(url_for("moderation.edit_round", round_id=round_.id))
            flash(_("Round created."))
            return redirect(url_for("main.round_page", slug=round_.slug))
    return render_template("moderation/round_form.html", form=form, round=None, zone=_zone(form))


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@permission_required("moderator")
def edit_round(round_id):
    round_ = rounds.get_round(round_id)
    form = RoundForm(obj=round_)
    if request.method == "GET":
        _show_local(form, round_)
    if form.validate_on_submit():
        try:
            if form.cover.data:  # first: a refused picture changes nothing else
                editing.set_cover(current_user, round_, form.cover.data.stream)
            if form.sponsor_logo.data:
                sponsors.set_sponsor_logo(current_user, round_, form.sponsor_logo.data.stream)
            editing.update_round(current_user, round_, _form_data(form))
        except ContestError as error:
            form.title.errors.append(error.message)
        else:
            flash(_("Round saved."))
            return redirect(url_for("main.round_page", slug=round_.slug))
    return render_template("moderation/round_form.html", form=form, round=round_, zone=_zone(form))


@bp.post("/rounds/<int:round_id>/close")
@permission_required("moderator")
def close_round(round_id):
    if ActionForm().validate_on_submit():
        round_ = results.close_round(round_id, current_user, force=True)
        flash(_("Round closed: the results are frozen. Publish them when ready."))
        return redirect(url_for("main.results_page", slug=round_.slug))
    return redirect(url_for("main.home"))


@bp.route("/rounds/<int:round_id>/finalists", methods=["GET", "POST"])
@permission_required("moderator")
def finalists(round_id):
    round_ = rounds.get_round(round_id)
    form = ActionForm()
    if form.validate_on_submit():
        ids = [int(i) for i in request.form.getlist("entry_ids") if i.isdigit()]
        try:
            finals.shortlist(current_user, round_.id, ids, request.form.get("reason", "").strip())
        except ContestError as error:
            flash(error.message)
        else:
            flash(_("%(num)s finalists chosen; their authors are told.", num=len(ids)))
            return redirect(url_for("main.round_page", slug=round_.slug))
    standings = ranking.main_standings(round_.id)
    if round_.finalists_at:
        chosen = {s.entry.id for s in standings if s.entry.finalist}
    else:
        chosen = {e.id for e in finals.suggested(round_)}
    return render_template(
        "moderation/finalists.html",
        round=round_,
        form=form,
        standings=standings,
        chosen=chosen,
        phase=rounds.phase(round_),
    )


@bp.post("/rounds/<int:round_id>/publish")
@permission_required("moderator")
def publish_round(round_id):
    if ActionForm().validate_on_submit():
        round_ = results.publish_round(round_id, current_user)
        flash(_("Results published."))
        return redirect(url_for("main.results_page", slug=round_.slug))
    return redirect(url_for("main.home"))


@bp.get("/")
@permission_required("moderator")
def queue():
    return render_template("moderation/queue.html", queue=review.queue())


@bp.get("/log")
@permission_required("moderator")
def log():
    return render_template("moderation/log.html", actions=review.audit_log())


@bp.post("/act/<kind>/<target>")
@permission_required("moderator")
def act(kind, target):
    """The queue's buttons: one form per action, CSRF-checked, same rules as the API."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("moderation.queue"))
    action, reason = request.form.get("action"), request.form.get("reason", "")
    try:
        if kind == "entry" and target.isdigit():
            moderation_rules.moderate_entry(current_user, int(target), action, reason)
        elif kind == "comment" and target.isdigit():
            moderation_rules.moderate_comment(current_user, int(target), action, reason)
        elif kind == "crew" and target.isdigit():
            moderation_rules.moderate_crew(current_user, int(target), action, reason)
        elif kind == "theme" and target.isdigit():
            moderation_rules.moderate_theme(current_user, int(target), action, reason)
        elif kind == "user":
            moderation_rules.moderate_user(current_user, target, action, reason)
        else:
            flash(_("Unknown target."))
            return redirect(url_for("moderation.queue"))
    except ContestError as error:
        flash(error.message)
    else:
        flash(_("Done: %(action)s.", action=action))
    # back to the form's page on this site (the entry page), else the queue
    return redirect(links.local_path(request.form.get("next"), "moderation.queue"))
