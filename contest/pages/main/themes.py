"""The themes page: fans propose and vote next month's theme, on a phone first."""

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from contest import links
from contest.errors import ContestError
from contest.extensions import db, limiter
from contest.models import Entry, Theme, utcnow
from contest.models.reports import REPORT_REASONS
from contest.moderation import reports
from contest.pages.main.blueprint import bp
from contest.themes import proposals, windows
from contest.themes.proposals import MAX_BRIEF, MAX_TITLE


class ProposalForm(FlaskForm):
    title = StringField(_l("Theme"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    brief = TextAreaField(_l("What fans should film"), validators=[Length(max=MAX_BRIEF)])
    # the rule checks the clip is the fan's own and live; absent when the fan has no clips
    example = SelectField(
        _l("An example clip of yours (optional)"), choices=[], coerce=str, validate_choice=False
    )


def _proposal_form():
    form = ProposalForm()
    mine = []
    if current_user.is_authenticated:
        mine = db.session.scalars(
            sa.select(Entry)
            .where(Entry.author_id == current_user.id, Entry.status == "live")
            .order_by(Entry.created_at.desc())
            .limit(20)
        ).all()
    form.example.choices = [("", _("None"))] + [(str(e.id), e.title) for e in mine]
    return form


def themes_open_now():
    """The month fans propose for now, if it takes proposals and votes (for links on other
    pages)."""
    month = windows.current_month()
    return month if proposals.accepting(month) else None


def theme_selected_now():
    """The theme the organiser selected for the month fans were proposing for, if any."""
    return proposals.selected_theme(windows.current_month())


bp.add_app_template_global(themes_open_now, "themes_open_now")
bp.add_app_template_global(theme_selected_now, "theme_selected_now")


THEMES_SHOWN = 30
MAX_THEMES_SHOWN = 600  # "Show more" goes no further: a month holds a few hundred proposals


@bp.route("/themes", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def themes_page():
    month = request.args.get("month") or windows.current_month()
    try:
        windows.check_month(month)
    except ContestError:
        month = windows.current_month()
    order = "new" if request.args.get("order") == "new" else "top"
    form = _proposal_form()
    status = 200
    if request.method == "POST":
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        if form.validate_on_submit():
            try:
                proposals.propose(
                    current_user,
                    month,
                    form.title.data,
                    form.brief.data,
                    int(form.example.data) if (form.example.data or "").isdigit() else None,
                )
            except ContestError as error:
                form.title.errors.append(error.message)
            else:
                flash(_("Thanks! Your theme is up for votes."))
                return redirect(url_for("main.themes_page", month=month, order="new"))
        status = 400
    seed = str(current_user.id) if current_user.is_authenticated else ""
    every = proposals.list_themes(month, current_user, order, seed)
    asked = request.args.get("shown", THEMES_SHOWN, type=int) or THEMES_SHOWN
    shown = min(max(asked, THEMES_SHOWN), MAX_THEMES_SHOWN)
    themes = every[:shown]  # a month may hold hundreds: the first ones, then "Show more"
    opens, closes = windows.window(month)
    mine = 0
    if current_user.is_authenticated:
        mine = sum(1 for t in every if t.proposer_id == current_user.id)
    return render_template(
        "main/themes.html",
        month=month,
        month_start=windows.first_moment(month),
        order=order,
        themes=themes,
        voted=proposals.my_votes(current_user, [t.id for t in themes]),
        more=len(every) - len(themes),
        shown=shown,
        open=proposals.accepting(month),
        selected=proposals.selected_theme(month),
        not_yet=opens > utcnow(),
        opens=opens,
        closes=closes,
        form=form,
        left=max(0, current_app.config["MAX_PROPOSALS_PER_MONTH"] - mine),
        reasons=REPORT_REASONS,
    ), status


@bp.post("/themes/<int:theme_id>/vote")
@login_required
@limiter.limit("120 per hour")
def theme_vote(theme_id):
    """The vote button without JavaScript: toggles, then back to the list."""
    if FlaskForm().validate_on_submit():
        try:
            if theme_id in proposals.my_votes(current_user, [theme_id]):
                theme = proposals.unvote(current_user, theme_id)
            else:
                theme = proposals.vote(current_user, theme_id)
        except ContestError as error:
            flash(error.message)
            theme = db.session.get(Theme, theme_id)
        if theme is not None:
            return redirect(url_for("main.themes_page", month=theme.month) + f"#t{theme.id}")
    return redirect(url_for("main.themes_page"))


@bp.post("/themes/<int:theme_id>/report")
@login_required
@limiter.limit("20 per hour")
def theme_report(theme_id):
    if FlaskForm().validate_on_submit():
        try:
            reports.report(current_user, "theme", theme_id, request.form.get("reason"), "")
        except ContestError as error:
            flash(error.message)
        else:
            flash(_("Thanks: moderators will look at it."))
    return redirect(links.local_path(request.form.get("next"), "main.themes_page"))
