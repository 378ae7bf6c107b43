"""The extension singletons, made unbound here and bound in create_app."""

import flask_login
from flask import g, has_app_context, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSqlaSession
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, inspect
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Session(FlaskSqlaSession):
    """The app context's database session, adopting the rows the context set aside detached
    (`set_aside`): the signed-in fan served from the session cache is not copied into a
    session on requests that never open one, yet loads and saves as usual in those that do."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if has_app_context():
            for obj in g.get("set_aside", ()):
                if inspect(obj).detached:
                    self.add(obj)  # a detached row with its identity: no query


def set_aside(obj):
    """Keep a detached row (with its identity) for this context's session, made now or later."""
    if db.session.registry.has():
        return db.session.merge(obj, load=False)
    g.setdefault("set_aside", []).append(obj)
    return obj


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()


class LoginManager(flask_login.LoginManager):
    """Flask-Login's, with session protection for signed-in sessions only.

    Its "basic" protection marks a session not fresh when the browser's identifier differs;
    an anonymous session (a CSRF token only) has no identifier, so its first request after the
    sign-in page wrote `_fresh: false` into a new cookie. Answered after the sign-in (the
    service worker fetching its shell while the fan signs in), that cookie replaced the signed-in
    one: the fan was signed out on their next page.
    """

    def _session_protection_failed(self):
        if "_user_id" not in session:
            return False  # nothing to protect, and nothing to write
        return super()._session_protection_failed()


login_manager = LoginManager()
socketio = SocketIO()
csrf = CSRFProtect()


def rate_limit_key():
    """Signed-in users are limited per account, everyone else per address."""
    if current_user and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


limiter = Limiter(key_func=rate_limit_key)
