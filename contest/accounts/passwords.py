"""Passwords: argon2id hashes, sign-in checks that take the same time for unknown accounts,
mailed reset links that work once within an hour, and password changes."""

import hashlib

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from contest.accounts.sessions import end_sessions
from contest.errors import ContestError, Forbidden, Invalid
from contest.extensions import db
from contest.i18n import in_language_of
from contest.mail import send_mail
from contest.models import User
from contest.texts import Text

MIN_PASSWORD = 8
MAX_PASSWORD = 128
RESET_MAX_AGE = 3600  # seconds a reset link works
_RESET_SALT = "ginga-reset-password"


class InvalidToken(ContestError):
    status, code = 400, "invalid_token"
    default_message = _l("This link is not valid any more: ask for a new one.")


def _hasher():
    config = current_app.config
    key = (config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_KIB"])
    cache = current_app.extensions.setdefault("password_hasher", {})
    if key not in cache:
        hasher = PasswordHasher(time_cost=key[0], memory_cost=key[1])
        # a hash of nothing anyone knows: unknown accounts are checked against it, so a
        # sign-in takes as long whether or not the account exists
        cache.clear()
        cache[key] = (hasher, hasher.hash("ginga: no such account"))
    return cache[key]


def check_password_value(password):
    """Raise unless the password has an acceptable length."""
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Invalid(
            Text(
                "Passwords are %(min)s to %(max)s characters long.",
                min=MIN_PASSWORD,
                max=MAX_PASSWORD,
            ),
            code="invalid_password",
            field="password",
        )
    return password


def hash_password(password):
    """An argon2id hash (memory-hard)."""
    return _hasher()[0].hash(password)


def password_matches(user, password):
    """Check a password; None stands for an unknown account and takes the same time.

    A right password stored under an older scheme (Werkzeug's scrypt or pbkdf2) or older
    argon2 settings is re-hashed on the spot: the caller commits it.
    """
    hasher, dummy = _hasher()
    stored = user.password_hash if user is not None else dummy
    if stored.startswith("$argon2"):
        try:
            hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False
        if user is not None and hasher.check_needs_rehash(stored):
            user.password_hash = hasher.hash(password)
        return user is not None
    if user is None or not check_password_hash(stored, password):
        return False
    user.password_hash = hasher.hash(password)
    return True


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _stamp(user):
    # changes with the password (a link stops working once it has been used) and with the
    # address (a link mailed to the old one dies when the fan moves to a new one)
    return hashlib.sha256(f"{user.password_hash}\0{user.email}".encode()).hexdigest()[:16]


def reset_token(user):
    return _serializer().dumps({"id": user.id, "stamp": _stamp(user)})


def send_reset(email, link_for):
    """Mail a reset link if an account has this address; nothing tells the caller which."""
    if not isinstance(email, str):
        return
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        return
    with in_language_of(user):
        send_mail(
            user.email,
            _("Reset your Ginga password"),
            _(
                "Hi %(name)s,\n\nsomeone (we hope you) asked to reset your Ginga password. "
                "Choose a new one here:\n%(link)s\n\nThe link works once, for one hour. "
                "If you did not ask, ignore this mail: your password stays as it is.",
                name=user.username,
                link=link_for(reset_token(user)),
            ),
            reason=_("You get this because someone asked to reset your Ginga password."),
        )


def reset_password(token, password):
    """Set a new password from a mailed link; every session of the account ends."""
    try:
        data = _serializer().loads(token, max_age=RESET_MAX_AGE) if isinstance(token, str) else {}
    except BadSignature:  # also SignatureExpired
        raise InvalidToken() from None
    user = db.session.get(User, data["id"]) if isinstance(data.get("id"), int) else None
    if user is None or not user.is_active or data.get("stamp") != _stamp(user):
        raise InvalidToken()
    user.password_hash = hash_password(check_password_value(password))
    end_sessions(user.id, commit=False)
    db.session.commit()
    return user


def change_password(user, current_password, password):
    """A signed-in fan sets a new password; every other session of the account ends."""
    check_password_value(password)
    if not isinstance(current_password, str) or not password_matches(user, current_password):
        db.session.rollback()
        raise Forbidden(_l("Your current password is not right."), code="wrong_password")
    user.password_hash = hash_password(password)
    end_sessions(user.id, keep=user.session_id, commit=False)
    db.session.commit()
    return user
