"""The organiser's side of co-creation: proposals ranked by votes with their proposers, the
selection (maybe reworded), hiding and restoring, and proposal windows for future months."""

from datetime import UTC

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from contest.accounts.permissions import permission_required
from contest.dates import month_name
from contest.errors import ContestError
from contest.moderation import actions
from contest.pages.moderation.blueprint import bp
from contest.rounds.editing import MAX_TITLE
from contest.themes import selection, windows
from contest.themes.proposals import MAX_BRIEF


class SelectForm(FlaskForm):
    title = StringField(_l("Round title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    brief = TextAreaField(_l("Brief"), validators=[Length(max=MAX_BRIEF)])


class WindowForm(FlaskForm):
    month = StringField(_l("Month (YYYY-MM)"), validators=[DataRequired(), Length(max=7)])
    opens_at = DateTimeLocalField(_l("Opens (UTC)"), validators=[DataRequired()])
    closes_at = DateTimeLocalField(_l("Closes (UTC)"), validators=[DataRequired()])


def _month():
    month = request.args.get("month") or windows.current_month()
    try:
        return windows.check_month(month)
    except ContestError:
        return windows.current_month()


@bp.get("/themes")
@permission_required("moderator")
def themes():
    month = _month()
    opens, closes = windows.window(month)
    return render_template(
        "moderation/themes.html",
        month=month,
        themes=selection.ranked_for_moderators(month),
        opens=opens,
        closes=closes,
        open=windows.is_open(month),
        window_form=WindowForm(month=windows.shift(month, 1)),
        previous=windows.shift(month, -1),
        following=windows.shift(month, 1),
    )


@bp.post("/themes/<int:theme_id>/select")
@permission_required("moderator")
def select_theme(theme_id):
    form = SelectForm()
    if form.validate_on_submit():
        try:
            round_ = selection.select_theme(
                current_user, theme_id, form.title.data, form.brief.data
            )
        except ContestError as error:
            flash(error.message)
        else:
            flash(_("Selected: the round %(title)s has the fans' theme.", title=round_.title))
            return redirect(url_for("main.round_page", slug=round_.slug))
    else:
        flash(_("Give the round a title."))
    return redirect(url_for("moderation.themes", month=request.args.get("month")))


@bp.post("/themes/<int:theme_id>/<any(hide, restore):action>")
@permission_required("moderator")
def moderate_theme(theme_id, action):
    if FlaskForm().validate_on_submit():
        try:
            theme = actions.moderate_theme(current_user, theme_id, action, "")
        except ContestError as error:
            flash(error.message)
        else:
            return redirect(url_for("moderation.themes", month=theme.month))
    return redirect(url_for("moderation.themes"))


@bp.post("/proposal-windows")
@permission_required("moderator")
def open_window():
    form = WindowForm()
    if form.validate_on_submit():
        try:
            row = windows.open_window(
                current_user,
                form.month.data.strip(),
                form.opens_at.data.replace(tzinfo=UTC),
                form.closes_at.data.replace(tzinfo=UTC),
            )
        except ContestError as error:
            flash(error.message)
        else:
            flash(_("Proposals for %(month)s are set.", month=month_name(row.month)))
            return redirect(url_for("moderation.themes", month=row.month))
    else:
        flash(_("Give a month and both times."))
    return redirect(url_for("moderation.themes"))
