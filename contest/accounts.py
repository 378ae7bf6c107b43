"""Accounts: signing up, signing in, roles."""

import re

import sqlalchemy as sa
from flask import redirect, request, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from .errors import Conflict, ContestError, Forbidden, Invalid, NotFound, NotSignedIn, wants_json
from .extensions import db
from .models import User
from .models.users import ROLES

USERNAME_RE = re.compile(r"^[a-z0-9_]{3,30}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 128


class BadCredentials(ContestError):
    status, code, message = 401, "bad_credentials", "That username or password is not right."


def hash_password(password):
    """Hash with scrypt, Werkzeug's default memory-hard KDF."""
    return generate_password_hash(password, method="scrypt")


def _text(value, field):
    if not isinstance(value, str):
        raise Invalid(f"{field} is required.", code=f"invalid_{field}")
    return value.strip()


def register_user(username, email, password, role="fan"):
    """Create an account after checking every field; raises Invalid or Conflict."""
    username = _text(username, "username").lower()
    email = _text(email, "email").lower()
    if not USERNAME_RE.match(username):
        raise Invalid(
            "Usernames are 3 to 30 characters: letters, digits and underscores.",
            code="invalid_username",
        )
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise Invalid("That does not look like an email address.", code="invalid_email")
    if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Invalid(
            f"Passwords are {MIN_PASSWORD} to {MAX_PASSWORD} characters long.",
            code="invalid_password",
        )
    if role not in ROLES:
        raise Invalid(f"Role must be one of {', '.join(ROLES)}.", code="invalid_role")
    if db.session.scalar(sa.select(User.id).where(User.username == username)):
        raise Conflict("That username is taken.", code="username_taken")
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise Conflict("An account with that email already exists.", code="email_taken")
    user = User(username=username, email=email, password_hash=hash_password(password), role=role)
    db.session.add(user)
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise Conflict("That username or email is taken.", code="username_taken") from None
    return user


def authenticate(login, password):
    """Return the user whose username or email and password match, or raise."""
    if not isinstance(login, str) or not isinstance(password, str) or not login or not password:
        raise Invalid("Give your username (or email) and password.", code="invalid_login")
    login = login.strip().lower()
    column = User.email if "@" in login else User.username
    user = db.session.scalar(sa.select(User).where(column == login))
    if user is None or not check_password_hash(user.password_hash, password):
        raise BadCredentials()
    if user.is_banned:
        raise Forbidden(
            "This account is banned: " + (user.ban_reason or "no reason given."), code="banned"
        )
    return user


def set_role(username, role):
    """Give a user a role (fan, moderator, admin)."""
    if role not in ROLES:
        raise Invalid(f"Role must be one of {', '.join(ROLES)}.", code="invalid_role")
    user = db.session.scalar(sa.select(User).where(User.username == username.lower()))
    if user is None:
        raise NotFound(f"No user named {username}.", code="user_not_found")
    user.role = role
    db.session.commit()
    return user


def user_to_dict(user, private=False):
    data = {"id": user.id, "username": user.username, "role": user.role, "display_name": user.name}
    if private:
        data.update(
            email=user.email,
            created_at=user.created_at.isoformat(),
            bio=user.bio,
            country=user.country,
        )
    return data


def init_login(login_manager):
    """Wire Flask-Login: how to load a user, and what an anonymous request gets."""

    @login_manager.user_loader
    def load_user(user_id):
        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and not user.is_banned else None

    @login_manager.unauthorized_handler
    def unauthorized():
        if wants_json():
            raise NotSignedIn()
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
