"""Crew pages: all crews and a form to start one, a crew's page, a round's crew leaderboard."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from contest import links
from contest.crews import invites, leaderboard, membership
from contest.entries.storage import get_storage
from contest.errors import ContestError
from contest.extensions import db, limiter
from contest.models import Crew, Entry
from contest.models.reports import REPORT_REASONS
from contest.moderation import reports
from contest.pages.community.blueprint import bp
from contest.rounds import phases as rounds


class CrewForm(FlaskForm):
    name = StringField(
        _l("Crew name"), validators=[DataRequired(), Length(max=membership.MAX_NAME)]
    )
    home = StringField(_l("City, club or country"), validators=[Length(max=membership.MAX_HOME)])
    open = BooleanField(_l("Anyone can join (otherwise you approve each fan)"), default=True)


@bp.route("/crews", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def crews_page():
    form = CrewForm()
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=url_for("community.crews_page")))
        if form.validate_on_submit():
            try:
                crew = membership.create_crew(
                    current_user, form.name.data, form.home.data, form.open.data
                )
            except ContestError as error:
                form.name.errors.append(error.message)
            else:
                flash(_("Your crew is ready: invite your mates!"))
                return redirect(url_for("community.crew_page", slug=crew.slug))
    crews = db.session.scalars(
        sa.select(Crew).where(Crew.hidden.is_(False)).order_by(Crew.created_at.desc()).limit(100)
    ).all()
    mine = membership.crew_of(current_user.id) if current_user.is_authenticated else None
    status = 400 if request.method == "POST" else 200
    return render_template("community/crews.html", crews=crews, form=form, mine=mine), status


@bp.get("/crews/<slug>")
def crew_page(slug):
    return _crew_page(membership.get_crew(slug, current_user))


def _crew_page(crew, invitation=None, status=200):
    """A crew's page; invitation: (inviter, token) when opened from a member's invite link."""
    people = membership.members(crew)
    ids = [m.user_id for m in people]
    clips = db.session.scalars(
        sa.select(Entry)
        .where(Entry.author_id.in_(ids), Entry.status == "live")
        .order_by(Entry.created_at.desc())
        .limit(12)
    ).all()
    standing = absent = None
    current = next((r for r in rounds.current_rounds() if rounds.accepts_votes(r)), None)
    if current is not None and not rounds.is_blind(current):
        table = leaderboard.crew_standings(current.id)
        standing = next((r for r in table if r["crew"].id == crew.id), None)
        absent = leaderboard.why_absent(current, crew, table)
    running = next(iter(rounds.current_rounds()), None)
    my_row = None
    if current_user.is_authenticated:
        my_row = next((m for m in people if m.user_id == current_user.id), None) or next(
            (m for m in membership.members(crew, "pending") if m.user_id == current_user.id), None
        )
    member = my_row is not None and my_row.status == "member"
    invite_url = None
    if member:
        invite_url = links.site_url(
            "community.crew_invite", slug=crew.slug, token=invites.invite_token(current_user, crew)
        )
    return render_template(
        "community/crew.html",
        crew=crew,
        invitation=invitation,
        invite_url=invite_url,
        absent=absent,
        running=running,
        people=people,
        pending=membership.members(crew, "pending")
        if current_user.is_authenticated and current_user.id == crew.captain_id
        else [],
        clips=clips,
        current=current,
        standing=standing,
        my_row=my_row,
        medals=membership.medals(crew),
        reasons=REPORT_REASONS,
    ), status


@bp.route("/crews/<slug>/invite/<token>", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def crew_invite(slug, token):
    """A member's invite link: the crew, who invited you and the running round; joining from
    it needs no captain's approval. Visitors sign up first and come back here."""
    try:
        crew, inviter = invites.read_invite(token, slug)
    except ContestError as error:
        return render_template("error.html", status=error.status, message=error.message), (
            error.status
        )
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.register", next=request.path))
        if FlaskForm().validate_on_submit():
            try:
                invites.join_by_invite(current_user, slug, token)
            except ContestError as error:
                flash(error.message)
            else:
                flash(_("Welcome to the crew!"))
                return redirect(url_for("community.crew_page", slug=crew.slug))
        return _crew_page(crew, (inviter, token), status=400)
    return _crew_page(crew, (inviter, token))


def _act(call, slug, *args):
    if FlaskForm().validate_on_submit():
        try:
            call(current_user, slug, *args)
        except ContestError as error:
            flash(error.message)
    return redirect(url_for("community.crew_page", slug=slug))


@bp.get("/crews/<slug>/badge.jpg")
def crew_badge(slug):
    crew = membership.get_crew(slug, current_user)
    if not crew.badge_key:
        abort(404)
    return get_storage().serve(crew.badge_key, "image/jpeg")


@bp.post("/crews/<slug>/badge")
@login_required
@limiter.limit("20 per hour")
def crew_badge_upload(slug):
    picture = request.files.get("badge")
    if FlaskForm().validate_on_submit() and picture:
        try:
            membership.set_badge(current_user, slug, picture.stream)
        except ContestError as error:
            flash(error.message)
    return redirect(url_for("community.crew_page", slug=slug))


@bp.post("/crews/<slug>/report")
@login_required
@limiter.limit("20 per hour")
def crew_report(slug):
    if FlaskForm().validate_on_submit():
        try:
            crew = membership.get_crew(slug, current_user)
            reports.report(current_user, "crew", crew.id, request.form.get("reason"), "")
        except ContestError as error:
            flash(error.message)
        else:
            flash(_("Thanks: moderators will look at it."))
    return redirect(url_for("community.crew_page", slug=slug))


@bp.post("/crews/<slug>/join")
@login_required
@limiter.limit("30 per hour")
def crew_join(slug):
    if FlaskForm().validate_on_submit():
        try:
            status = membership.join(current_user, slug)
        except ContestError as error:
            flash(error.message)
        else:
            flash(
                _("Welcome to the crew!")
                if status == "member"
                else _("Asked: the captain decides.")
            )
    return redirect(url_for("community.crew_page", slug=slug))


@bp.post("/crews/<slug>/members/<username>/remove")
@login_required
def crew_remove(slug, username):
    return _act(membership.remove, slug, username)


@bp.post("/crews/<slug>/members/<username>/approve")
@login_required
def crew_approve(slug, username):
    return _act(membership.approve, slug, username)


@bp.post("/crews/<slug>/captain/<username>")
@login_required
def crew_captain(slug, username):
    return _act(membership.hand_captaincy, slug, username)
