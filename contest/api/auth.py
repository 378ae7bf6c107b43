"""Accounts over JSON: csrf, register, login, logout, me."""

from flask import jsonify
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from contest import links
from contest.accounts import users as accounts
from contest.api import inputs, outputs, serializers
from contest.api.blueprint import bp
from contest.extensions import limiter


@bp.get("/csrf")
@bp.response(200, outputs.Csrf)
def csrf_token():
    """A CSRF token for the X-CSRFToken header."""
    return jsonify(csrf_token=generate_csrf())


@bp.post("/auth/register")
@bp.arguments(inputs.Register())
@bp.response(201, outputs.Account)
@limiter.limit("10 per hour", methods=["POST"], key_func=get_remote_address)
def register(data):
    """Create an account and sign in."""
    user = accounts.register_user(data["username"], data["email"], data["password"])
    accounts.send_verification(user, links.verification_link(user))
    login_user(user)
    return jsonify(id=user.id, username=user.username, role=user.role), 201


@bp.post("/auth/login")
@bp.arguments(inputs.Login())
@bp.response(200, outputs.Account)
@limiter.limit("20 per minute", methods=["POST"], key_func=get_remote_address)
def login(data):
    """Sign in with username or email."""
    user = accounts.authenticate(data["login"], data["password"])
    login_user(user, remember=data["remember"])
    return jsonify(id=user.id, username=user.username, role=user.role)


@bp.post("/auth/logout")
@bp.response(204)
@login_required
def logout():
    """Sign out."""
    logout_user()
    return "", 204


@bp.post("/auth/verify/resend")
@bp.response(200, outputs.Verification)
@login_required
@limiter.limit("5 per hour", methods=["POST"])
def resend_verification():
    """Send the email verification link again."""
    if current_user.email_verified_at is None:
        accounts.send_verification(current_user, links.verification_link(current_user))
    return jsonify(email=current_user.email, verified=current_user.email_verified_at is not None)


@bp.get("/me")
@bp.response(200, outputs.Account)
@login_required
def me():
    """The signed-in account."""
    return jsonify(serializers.user_to_dict(current_user, private=True))
