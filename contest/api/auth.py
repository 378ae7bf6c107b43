"""Accounts over JSON: csrf, sign-up, sign-in and out, recovery, changes, data rights."""

from flask import jsonify, session
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from contest import links
from contest.accounts import data as account_data
from contest.accounts import invites, passwords, sessions, signin_links
from contest.accounts import users as accounts
from contest.api import account_inputs as inputs
from contest.api import outputs, serializers
from contest.api.blueprint import bp
from contest.extensions import limiter
from contest.login import recovery_limits, sign_in, sign_out, signin_limits, signup_limits


@bp.get("/csrf")
@bp.response(200, outputs.Csrf)
def csrf_token():
    """A CSRF token for the X-CSRFToken header."""
    return jsonify(csrf_token=generate_csrf())


@bp.post("/auth/register")
@bp.arguments(inputs.Register())
@bp.response(201, outputs.Account)
@signup_limits
def register(data):
    """Create an account and sign in.

    An address that already has an account creates nothing: its owner is mailed, and the
    answer is a 201 like any sign-up (with `id` null, and no session), so that sign-up does
    not tell who has an account here. A taken username stays a 409: usernames are public.
    """
    code = data.get("invite") or session.get("invite")
    user = accounts.register_user(
        data["username"], data["email"], data["password"], invited_by=invites.inviter(code)
    )
    if user is None:
        return jsonify(id=None, username=data["username"].strip().lower(), role="fan"), 201
    accounts.send_verification(user, links.verification_link(user))
    sign_in(user)
    return jsonify(id=user.id, username=user.username, role=user.role), 201


@bp.post("/auth/login")
@bp.arguments(inputs.Login())
@bp.response(200, outputs.Account)
@signin_limits
def login(data):
    """Sign in with username or email (a new session, and a new remember-me token)."""
    user = accounts.authenticate(data["login"], data["password"])
    sign_in(user, remember=data["remember"])
    return jsonify(id=user.id, username=user.username, role=user.role)


@bp.post("/auth/login/link")
@bp.arguments(inputs.SigninLink())
@bp.response(200, outputs.Account)
@recovery_limits
def login_with_link(data):
    """Sign in with the one-time link mailed when the account was under attack."""
    user = signin_links.user_of_link(data["token"])
    sign_out()
    sign_in(user)
    return jsonify(id=user.id, username=user.username, role=user.role)


@bp.post("/auth/logout")
@bp.response(204)
@login_required
def logout():
    """Sign out: this session ends on the server, its cookies stop working."""
    sign_out()
    return "", 204


@bp.post("/auth/logout-all")
@bp.response(204)
@login_required
def logout_all():
    """Sign out everywhere: every session of the account ends, open sockets close."""
    sessions.end_sessions(current_user.id)
    sign_out()
    return "", 204


@bp.post("/auth/verify/resend")
@bp.response(202, outputs.Verification)
@login_required
@limiter.limit("5 per hour", methods=["POST"])
@bp.arguments(inputs.ResendQuery(), location="query")
def resend_verification(query):
    """Send the email verification link again; ?next= (a path on this site, such as the clip
    being judged) is where the link carries the fan once confirmed."""
    if current_user.email_verified_at is None:
        link = links.verification_link(current_user, query["next"])
        accounts.send_verification(current_user, link)
    verified = current_user.email_verified_at is not None
    return jsonify(email=current_user.email, verified=verified), 202


@bp.post("/auth/password/forgot")
@bp.arguments(inputs.ForgotPassword())
@bp.response(202, outputs.Message)
@recovery_limits
def forgot_password(data):
    """Mail a reset link (one hour, single use) if an account has this address: always 202."""
    passwords.send_reset(data["email"], links.reset_link)
    return jsonify(message=_("If an account has this address, we sent it a link.")), 202


@bp.post("/auth/password/reset")
@bp.arguments(inputs.ResetPassword())
@bp.response(200, outputs.Message)
@recovery_limits
def reset_password(data):
    """Set a new password with a mailed token; every session of the account ends."""
    passwords.reset_password(data["token"], data["password"])
    return jsonify(message=_("Your password is changed: sign in with it."))


@bp.get("/me")
@bp.response(200, outputs.Account)
@login_required
def me():
    """The signed-in account."""
    return jsonify(serializers.user_to_dict(current_user._get_current_object(), private=True))


@bp.get("/me/invite")
@bp.response(200, outputs.Invite)
@login_required
def my_invite():
    """The fan's invite link, and how many fans joined through it."""
    code = invites.invite_code(current_user)
    return jsonify(
        code=code,
        url=links.site_url("auth.join", code=code),
        joined=invites.joined(current_user),
    )


@bp.put("/me/password")
@bp.arguments(inputs.ChangePassword())
@bp.response(200, outputs.Message)
@login_required
@limiter.limit("10 per hour", methods=["PUT"])
def change_password(data):
    """A new password (the current one required); every other session ends."""
    passwords.change_password(current_user, data["current_password"], data["password"])
    return jsonify(message=_("Your password is changed."))


@bp.put("/me/email")
@bp.arguments(inputs.ChangeEmail())
@bp.response(200, outputs.Verification)
@login_required
@limiter.limit("10 per hour", methods=["PUT"])
def change_email(data):
    """A new email address (the password required): it must be confirmed again."""
    user = accounts.change_email(current_user, data["email"], data["password"])
    if user.email_verified_at is None:
        accounts.send_verification(user, links.verification_link(user))
    return jsonify(email=user.email, verified=user.email_verified_at is not None)


@bp.get("/me/export")
@bp.response(200, outputs.Export)
@login_required
@limiter.limit("10 per hour")
def export():
    """Everything Ginga holds about the fan, as a JSON file."""
    return links.export_file(current_user, account_data.export_data(current_user))


@bp.delete("/me")
@bp.arguments(inputs.DeleteAccount())
@bp.response(204)
@login_required
@limiter.limit("10 per hour", methods=["DELETE"])
def delete_account(data):
    """Close the account for good (the password confirms it)."""
    account_data.delete_account(current_user, data["password"])
    sign_out()
    return "", 204
