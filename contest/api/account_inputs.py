"""What the account operations accept: sign-up, sign-in, recovery, changes, deletion."""

from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from contest.api.parsing import Input, error

PASSWORD = error("invalid_password", _l("Choose a password."), missing=True)


class Register(Input):
    username = fields.String(
        required=True, metadata=error("invalid_username", _l("Choose a username."), missing=True)
    )
    email = fields.String(
        required=True,
        metadata=error(
            "invalid_email", _l("That does not look like an email address."), missing=True
        ),
    )
    password = fields.String(
        required=True, metadata=error("invalid_password", _l("Choose a password."), missing=True)
    )
    invite = fields.String(
        allow_none=True,
        metadata={"description": "an invite code (/join/<code>); an unknown one is ignored"},
    )


class Login(Input):
    login = fields.String(
        required=True,
        metadata=error(
            "invalid_login", _l("Give your username (or email) and password."), missing=True
        ),
    )
    password = fields.String(
        required=True,
        metadata=error(
            "invalid_login", _l("Give your username (or email) and password."), missing=True
        ),
    )
    remember = fields.Boolean(load_default=False)


class ForgotPassword(Input):
    email = fields.String(
        required=True,
        metadata=error(
            "invalid_email", _l("That does not look like an email address."), missing=True
        ),
    )


class ResetPassword(Input):
    token = fields.String(
        required=True,
        metadata=error(
            "invalid_token",
            _l("This link is not valid any more: ask for a new one."),
            status=400,
            missing=True,
        ),
    )
    password = fields.String(required=True, metadata=PASSWORD)


class SigninLink(Input):
    token = fields.String(
        required=True,
        metadata=error(
            "invalid_token",
            _l("This sign-in link is not valid any more."),
            status=400,
            missing=True,
        ),
    )


class ChangePassword(Input):
    current_password = fields.String(
        required=True,
        metadata=error("invalid_password", _l("Give your current password."), missing=True),
    )
    password = fields.String(required=True, metadata=PASSWORD)


class ChangeEmail(Input):
    email = fields.String(
        required=True,
        metadata=error(
            "invalid_email", _l("That does not look like an email address."), missing=True
        ),
    )
    password = fields.String(
        required=True,
        metadata=error("invalid_password", _l("Give your current password."), missing=True),
    )


class DeleteAccount(Input):
    password = fields.String(
        required=True,
        metadata=error("invalid_password", _l("Give your password to confirm."), missing=True),
    )


class ResendQuery(Input):
    next = fields.String(
        load_default=None,
        validate=validate.Length(max=2000),
        metadata=error("invalid_next", _l("next must be a path on this site."))
        | {"description": "a path on this site the mailed link carries the fan back to"},
    )
