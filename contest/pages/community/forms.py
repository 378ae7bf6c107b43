from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Length

from contest.community.notifications import KIND_LABELS


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[Length(max=60)])
    country = StringField(_l("Country"), validators=[Length(max=60)])
    favourite_position = StringField(_l("Favourite position"), validators=[Length(max=40)])
    favourite_club = StringField(_l("Favourite club"), validators=[Length(max=80)])
    bio = TextAreaField(_l("About you"), validators=[Length(max=1000)])
    avatar = FileField(_l("Avatar (JPEG, PNG, WebP or GIF, up to 5 MB)"))


def settings_form(current):
    """A form with one in-app/digest choice per notification kind."""

    class SettingsForm(FlaskForm):
        pass

    for kind, label in KIND_LABELS.items():
        field = RadioField(
            label,
            choices=[("in_app", _l("In the app")), ("digest", _l("Also in a daily email"))],
            default=current.get(kind, "in_app"),
        )
        setattr(SettingsForm, kind, field)
    return SettingsForm
