from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from contest.rounds.editing import MAX_BLIND_HOURS, MAX_BRIEF, MAX_PRIZE, MAX_TITLE

FORMAT = "%Y-%m-%dT%H:%M"


class RoundForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    brief = TextAreaField(_l("Theme brief"), validators=[Length(max=MAX_BRIEF)])
    submissions_open_at = DateTimeLocalField(
        _l("Uploads open"), format=FORMAT, validators=[DataRequired()]
    )
    submissions_close_at = DateTimeLocalField(
        _l("Uploads close"), format=FORMAT, validators=[DataRequired()]
    )
    voting_open_at = DateTimeLocalField(
        _l("Voting opens (empty: with uploads)"), format=FORMAT, validators=[Optional()]
    )
    voting_close_at = DateTimeLocalField(
        _l("Voting closes"), format=FORMAT, validators=[DataRequired()]
    )
    finals_open_at = DateTimeLocalField(
        _l("Finals open (empty: no finals)"), format=FORMAT, validators=[Optional()]
    )
    finals_close_at = DateTimeLocalField(_l("Finals close"), format=FORMAT, validators=[Optional()])
    requires_approval = BooleanField(_l("Entries wait for a moderator's approval"))
    prize = StringField(_l("Prize"), validators=[Length(max=MAX_PRIZE)])
    blind_hours = IntegerField(
        _l("Blind finish: hide scores for the last hours of voting"),
        default=0,
        validators=[Optional(), NumberRange(0, MAX_BLIND_HOURS)],
    )
    cover = FileField(_l("Cover picture (JPEG, PNG, WebP or GIF)"))
    sponsor_name = StringField(_l("Sponsor (empty: none)"), validators=[Length(max=80)])
    sponsor_url = StringField(_l("Sponsor's link"), validators=[Length(max=300)])
    sponsor_logo = FileField(_l("Sponsor's logo"))
    sponsor_pick = BooleanField(_l("Label staff picks as the sponsor's pick"))
    tz = HiddenField()  # the moderator's time zone (IANA name), filled in by the page's script


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token travels."""
