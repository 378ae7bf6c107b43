from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Length

from ..notifications import KIND_LABELS


class ProfileForm(FlaskForm):
    display_name = StringField("Display name", validators=[Length(max=60)])
    country = StringField("Country", validators=[Length(max=60)])
    favourite_position = StringField("Favourite position", validators=[Length(max=40)])
    favourite_club = StringField("Favourite club", validators=[Length(max=80)])
    bio = TextAreaField("About you", validators=[Length(max=1000)])
    avatar = FileField("Avatar (JPEG, PNG, WebP or GIF, up to 5 MB)")


def settings_form(current):
    """A form with one in-app/digest choice per notification kind."""

    class SettingsForm(FlaskForm):
        pass

    for kind, label in KIND_LABELS.items():
        field = RadioField(
            label,
            choices=[("in_app", "In the app"), ("digest", "Also in a daily email")],
            default=current.get(kind, "in_app"),
        )
        setattr(SettingsForm, kind, field)
    return SettingsForm
