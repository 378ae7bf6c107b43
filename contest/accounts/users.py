"""Accounts: signing up, signing in, roles."""

import re

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from contest.accounts import invites
from contest.accounts.passwords import check_password_value, hash_password, password_matches
from contest.errors import (
    Conflict,
    ContestError,
    Forbidden,
    Invalid,
    NotFound,
)
from contest.extensions import db
from contest.i18n import in_language_of
from contest.mail import send_mail
from contest.models import User, utcnow
from contest.models.users import ROLES
from contest.texts import Text

USERNAME_RE = re.compile(r"^[a-z0-9_]{3,30}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class BadCredentials(ContestError):
    status, code = 401, "bad_credentials"
    default_message = _l("That username or password is not right.")


def _text(value, field):
    if not isinstance(value, str):
        raise Invalid(Text("%(field)s is required.", field=field), code=f"invalid_{field}")
    return value.strip()


def register_user(username, email, password, role="fan", verified=False, invited_by=None):
    """Create an account after checking every field; raises Invalid or Conflict.

    An address that already has an account creates nothing and returns None: its owner gets a
    mail saying so, and the face answers as for a new sign-up, so that sign-up never tells
    anyone which addresses have accounts. (Usernames are public: a taken one stays a 409.)
    """
    username = _text(username, "username").lower()
    email = _text(email, "email").lower()
    if not USERNAME_RE.match(username):
        raise Invalid(
            _l("Usernames are 3 to 30 characters: letters, digits and underscores."),
            code="invalid_username",
        )
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise Invalid(_l("That does not look like an email address."), code="invalid_email")
    check_password_value(password)
    if role not in ROLES:
        raise Invalid(
            Text("Role must be one of %(roles)s.", roles=", ".join(ROLES)), code="invalid_role"
        )
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Conflict(_l("That username is taken."), code="username_taken")
    owner = db.session.scalar(sa.select(User).where(User.email == email))
    if owner is not None:
        _tell_owner(owner)
        return None
    user = User(
        username=username,
        email=email,
        password_hash=hash_password(password),
        role=role,
        email_verified_at=utcnow() if verified else None,
        invited_by_id=invited_by.id if invited_by is not None else None,
    )
    db.session.add(user)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise Conflict(_l("That username or email is taken."), code="username_taken") from None
    return user


def _tell_owner(user):
    with in_language_of(user):
        send_mail(
            user.email,
            _("You already have a Ginga account"),
            _(
                "Hi %(name)s,\n\nsomeone tried to sign up to Ginga with this address, which "
                "already belongs to your account (username: %(name)s). If it was you, sign in, "
                "or ask for a new password on the sign-in page. If not, ignore this mail.",
                name=user.username,
            ),
            reason=_("You get this because someone signed up to Ginga with this address."),
        )


def find_login(login):
    """The account a username or email names (deleted accounts name nothing), or None."""
    if not isinstance(login, str) or not login.strip():
        return None
    login = login.strip().lower()
    column = User.email if "@" in login else User.username
    return db.session.scalar(sa.select(User).where(column == login, User.deleted_at.is_(None)))


def authenticate(login, password):
    """Return the user whose username or email and password match, or raise.

    An unknown account is checked against a dummy hash: both answers take the same time.
    """
    if not isinstance(login, str) or not isinstance(password, str) or not login or not password:
        raise Invalid(_l("Give your username (or email) and password."), code="invalid_login")
    user = find_login(login)
    if not password_matches(user, password):
        db.session.rollback()
        raise BadCredentials()
    if user.is_banned:
        db.session.rollback()
        raise Forbidden(
            Text("This account is banned: %(reason)s", reason=user.ban_reason or "-"),
            code="banned",
        )
    db.session.commit()  # a hash upgraded to the current scheme
    return user


VERIFY_MAX_AGE = 7 * 24 * 3600
_SALT = "ginga-verify-email"


def verification_token(user):
    """A signed, expiring token proving access to the account's email address."""
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT).dumps(
        {"id": user.id, "email": user.email}
    )


def send_verification(user, link):
    """Mail the verification link, built by the face (logged when no mail server is set)."""
    with in_language_of(user):
        send_mail(
            user.email,
            _("Confirm your email for Ginga"),
            _(
                "Hi %(name)s,\n\nconfirm your email to rate and comment on Ginga:\n%(link)s\n\n"
                "The link works for 7 days.",
                name=user.username,
                link=link,
            ),
            reason=_("You get this because this address was given to a Ginga account."),
        )


def verify_email(token):
    """Mark the account behind a valid token as verified; raise Invalid otherwise."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)
    try:
        data = serializer.loads(token, max_age=VERIFY_MAX_AGE)
    except SignatureExpired:
        raise Invalid(
            _l("This link has expired: ask for a new one."), code="link_expired"
        ) from None
    except BadSignature:
        raise Invalid(_l("This link is not valid."), code="bad_link") from None
    user = db.session.get(User, data.get("id"))
    if user is None or user.email != data.get("email"):
        raise Invalid(_l("This link is not valid."), code="bad_link")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        invites.credit(user)  # an invite counts once the new fan's address is confirmed
        db.session.commit()
    return user


def change_email(user, email, password):
    """A new address for a signed-in fan (password required); it must be confirmed again."""
    email = _text(email, "email").lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise Invalid(_l("That does not look like an email address."), code="invalid_email")
    if not isinstance(password, str) or not password_matches(user, password):
        db.session.rollback()
        raise Forbidden(_l("Your current password is not right."), code="wrong_password")
    if email == user.email:
        return user
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise Conflict(_l("An account with that email already exists."), code="email_taken")
    old = user.email
    user.email, user.email_verified_at = email, None
    db.session.commit()
    with in_language_of(user):
        send_mail(
            old,
            _("Your Ginga email address changed"),
            _(
                "Hi %(name)s,\n\nthe email address of your Ginga account is now %(email)s. "
                "If you did not change it, reset your password from the sign-in page.",
                name=user.username,
                email=email,
            ),
            reason=_("You get this because the address of your Ginga account changed."),
        )
    return user


def require_verified(user):
    """Only fans who confirmed their email may rate and comment."""
    if user.email_verified_at is None:
        raise Forbidden(
            Text("Confirm your email first: we sent a link to %(email)s.", email=user.email),
            code="email_not_verified",
        )


def set_role(username, role):
    """Give a user a role (fan, moderator, admin)."""
    if role not in ROLES:
        raise Invalid(
            Text("Role must be one of %(roles)s.", roles=", ".join(ROLES)), code="invalid_role"
        )
    user = db.session.scalar(sa.select(User).where(User.username == username.lower()))
    if user is None:
        raise NotFound(Text("No user named %(name)s.", name=username), code="user_not_found")
    user.role = role
    db.session.commit()
    return user
