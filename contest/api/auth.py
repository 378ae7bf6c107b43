"""Accounts over JSON: csrf, register, login, logout, me."""

from flask import jsonify
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf.csrf import generate_csrf

from contest.accounts import users as accounts
from contest.api import bp
from contest.api.body import json_body
from contest.extensions import limiter


@bp.get("/csrf")
def csrf_token():
    return jsonify(csrf_token=generate_csrf())


@bp.post("/auth/register")
@limiter.limit("10 per hour", methods=["POST"], key_func=get_remote_address)
def register():
    data = json_body()
    user = accounts.register_user(data.get("username"), data.get("email"), data.get("password"))
    accounts.send_verification(user)
    login_user(user)
    return jsonify(id=user.id, username=user.username, role=user.role), 201


@bp.post("/auth/login")
@limiter.limit("20 per minute", methods=["POST"], key_func=get_remote_address)
def login():
    data = json_body()
    user = accounts.authenticate(data.get("login"), data.get("password"))
    login_user(user, remember=bool(data.get("remember")))
    return jsonify(id=user.id, username=user.username, role=user.role)


@bp.post("/auth/logout")
@login_required
def logout():
    logout_user()
    return "", 204


@bp.post("/auth/verify/resend")
@login_required
@limiter.limit("5 per hour", methods=["POST"])
def resend_verification():
    if current_user.email_verified_at is None:
        accounts.send_verification(current_user)
    return jsonify(email=current_user.email, verified=current_user.email_verified_at is not None)


@bp.get("/me")
@login_required
def me():
    return jsonify(accounts.user_to_dict(current_user, private=True))
