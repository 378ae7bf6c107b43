from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateTimeLocalField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

FORMAT = "%Y-%m-%dT%H:%M"


class RoundForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    brief = TextAreaField("Theme brief", validators=[Length(max=5000)])
    submissions_open_at = DateTimeLocalField(
        "Uploads open (UTC)", format=FORMAT, validators=[DataRequired()]
    )
    submissions_close_at = DateTimeLocalField(
        "Uploads close (UTC)", format=FORMAT, validators=[DataRequired()]
    )
    voting_open_at = DateTimeLocalField(
        "Voting opens (UTC; empty: with uploads)", format=FORMAT, validators=[Optional()]
    )
    voting_close_at = DateTimeLocalField(
        "Voting closes (UTC)", format=FORMAT, validators=[DataRequired()]
    )
    finals_open_at = DateTimeLocalField(
        "Finals open (UTC; empty: no finals)", format=FORMAT, validators=[Optional()]
    )
    finals_close_at = DateTimeLocalField(
        "Finals close (UTC)", format=FORMAT, validators=[Optional()]
    )
    requires_approval = BooleanField("Entries wait for a moderator's approval")
    prize = StringField("Prize", validators=[Length(max=500)])
    blind_hours = IntegerField(
        "Blind finish: hide scores for the last hours of voting",
        default=0,
        validators=[Optional(), NumberRange(0, 168)],
    )
    cover = FileField("Cover picture (JPEG, PNG, WebP or GIF)")


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token travels."""
