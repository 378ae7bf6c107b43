from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Length

from contest.community.notifications import KIND_LABELS
from contest.community.profiles import FIELDS


class ProfileForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[Length(max=FIELDS["display_name"])])
    country = StringField(_l("Country"), validators=[Length(max=FIELDS["country"])])
    favourite_position = StringField(
        _l("Favourite position"), validators=[Length(max=FIELDS["favourite_position"])]
    )
    favourite_club = StringField(
        _l("Favourite club"), validators=[Length(max=FIELDS["favourite_club"])]
    )
    bio = TextAreaField(_l("About you"), validators=[Length(max=FIELDS["bio"])])
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
