from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

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
    requires_approval = BooleanField("Entries wait for a moderator's approval")


class ActionForm(FlaskForm):
    """A button that changes state: only the CSRF token travels."""
