from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from contest import links
from contest.accounts import users as accounts
from contest.database import writes
from contest.errors import ContestError
from contest.extensions import limiter
from contest.pages.auth.blueprint import bp
from contest.pages.auth.forms import LoginForm, RegisterForm


def _safe_next():
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if target.startswith("/") and not target.startswith("//") and not parts.netloc:
        return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"], key_func=get_remote_address)
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.login.data, form.password.data)
        except ContestError as error:
            form.login.errors.append(error.message)
        else:
            login_user(user, remember=form.remember.data)
            return redirect(_safe_next())
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"], key_func=get_remote_address)
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_user(form.username.data, form.email.data, form.password.data)
        except ContestError as error:
            field = error.code.split("_")[-1] if error.code.startswith("invalid_") else None
            target = getattr(form, field, None) if field else None
            if error.code == "email_taken":
                target = form.email
            (target or form.username).errors.append(error.message)
        else:
            accounts.send_verification(user, links.verification_link(user))
            login_user(user)
            flash(_("Confirm your email with the link we sent to rate and comment."))
            flash(_("Welcome to Ginga, %(name)s!", name=user.username))
            return redirect(_safe_next())
    status = 400 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


@bp.get("/verify/<token>")
@writes
def verify_email(token):
    try:
        user = accounts.verify_email(token)
    except ContestError as error:
        return render_template("error.html", status=400, message=error.message), 400
    flash(
        _(
            "Thanks %(name)s: your email is confirmed. You can rate and comment now.",
            name=user.username,
        )
    )
    return redirect(url_for("main.home"))


@bp.post("/logout")
def logout():
    logout_user()
    return redirect(url_for("main.home"))
