from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    login = StringField(_l("Username or email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])
    remember = BooleanField(_l("Keep me signed in"))


class RegisterForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=3, max=30)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=128)])


class ForgotForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class ResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=8, max=128)]
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=128)]
    )
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=8, max=128)]
    )


class EmailForm(FlaskForm):
    email = EmailField(_l("New email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=128)])


class DeleteForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired(), Length(max=128)])


class ButtonForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""


class DataSaverForm(FlaskForm):
    data_saver = BooleanField(_l("Data saver: play smaller videos (540p) everywhere"))
