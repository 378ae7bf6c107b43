"""One-time sign-in links, mailed to a fan whose account is under a password-guessing attack,
and the device cookie that lets a browser the fan signed in on before past the account's lock.

Locking an account after failed sign-ins locks its owner out with the attacker. Following
OWASP ("Slow Down Online Guessing Attacks with Device Cookies"): a browser that signed in
successfully carries a signed device cookie naming the account; with it, the account-wide
lock does not apply (the device has a lock of its own). Without one, the owner can still get
in through a link mailed when the lock trips: it works once, for 30 minutes, and only while
the account has opened no newer session.
"""

import hashlib
import secrets

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer

from contest.errors import Invalid
from contest.extensions import db
from contest.i18n import in_language_of
from contest.mail import send_mail
from contest.models import User, UserSession

LINK_MAX_AGE = 30 * 60
DEVICE_MAX_AGE = 180 * 86400
_LINK_SALT, _DEVICE_SALT = "ginga-signin-link", "ginga-device"


class InvalidLink(Invalid):
    status, code = 400, "invalid_token"


def _serializer(salt):
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _stamp(user):
    """Changes when the fan signs in anywhere (a new session), or changes password or address:
    a link stops working once it (or anything else) has been used to get in."""
    newest = db.session.scalar(
        sa.select(UserSession.id)
        .where(UserSession.user_id == user.id)
        .order_by(UserSession.created_at.desc(), UserSession.id.desc())
        .limit(1)
    )
    seed = f"{user.password_hash}\0{user.email}\0{newest or ''}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


def link_token(user):
    return _serializer(_LINK_SALT).dumps({"id": user.id, "stamp": _stamp(user)})


def user_of_link(token):
    """The fan a sign-in link is for; InvalidLink if it is forged, expired or used."""
    try:
        data = (
            _serializer(_LINK_SALT).loads(token, max_age=LINK_MAX_AGE)
            if isinstance(token, str)
            else {}
        )
    except BadSignature:  # also SignatureExpired
        raise InvalidLink(_l("This sign-in link is not valid any more.")) from None
    user = db.session.get(User, data["id"]) if isinstance(data.get("id"), int) else None
    if user is None or not user.is_active or data.get("stamp") != _stamp(user):
        raise InvalidLink(_l("This sign-in link is not valid any more."))
    return user


def send_link(user, link_for):
    """Mail the owner of an account under attack a link that signs them in once."""
    with in_language_of(user):
        send_mail(
            user.email,
            _("Someone is trying to sign in to your Ginga account"),
            _(
                "Hi %(name)s,\n\nsomeone has been trying passwords on your Ginga account, so "
                "sign-ins to it are paused for a while. You can still get in with this link "
                "(it works once, for 30 minutes):\n%(link)s\n\nIf you have been signing in "
                "from this browser before, your password works there as usual. If these "
                "tries were not yours, your account is safe as long as your password is not "
                "guessable: a long one you use nowhere else is best.",
                name=user.username,
                link=link_for(link_token(user)),
            ),
            reason=_("You get this because someone tried passwords on your Ginga account."),
        )


def device_cookie(user):
    """The value of the device cookie for a browser `user` just signed in on."""
    return _serializer(_DEVICE_SALT).dumps({"u": user.id, "d": secrets.token_urlsafe(12)})


def device_of(value, user_id):
    """The device's id if `value` is a valid device cookie of account `user_id`, else None."""
    if not isinstance(value, str) or len(value) > 300 or user_id is None:
        return None
    try:
        data = _serializer(_DEVICE_SALT).loads(value, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != user_id or not isinstance(data.get("d"), str):
        return None
    return data["d"]
