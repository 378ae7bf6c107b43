from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from contest import links
from contest.accounts import invites, passwords, signin_links
from contest.accounts import users as accounts
from contest.database import writes
from contest.errors import ContestError
from contest.login import recovery_limits, sign_in, sign_out, signin_limits, signup_limits
from contest.pages.auth.blueprint import bp
from contest.pages.auth.forms import ForgotForm, LoginForm, RegisterForm, ResetForm
from contest.rounds import phases as rounds


def _next():
    return links.local_path(request.args.get("next"))


@bp.route("/login", methods=["GET", "POST"])
@signin_limits
def login():
    if current_user.is_authenticated:
        return redirect(_next())
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.login.data, form.password.data)
        except ContestError as error:
            form.login.errors.append(error.message)
            status = error.status  # 401 for a wrong password: it counts toward the limits
        else:
            sign_in(user, remember=form.remember.data)
            return redirect(_next())
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@recovery_limits
def signin_link(token):
    """The mailed one-time link: a button (mail scanners follow links, they do not post)."""
    try:
        user = signin_links.user_of_link(token)
    except ContestError as error:
        return render_template("error.html", status=400, message=error.message), 400
    form = FlaskForm()
    if form.validate_on_submit():
        sign_out()
        sign_in(user)
        flash(_("Welcome back, %(name)s!", name=user.username))
        return redirect(url_for("main.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/signin_link.html", form=form, user=user), status


@bp.route("/register", methods=["GET", "POST"])
@signup_limits
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_user(
                form.username.data,
                form.email.data,
                form.password.data,
                invited_by=invites.inviter(session.get("invite")),
            )
        except ContestError as error:
            field = error.code.split("_")[-1] if error.code.startswith("invalid_") else None
            target = getattr(form, field, None) if field else None
            (target or form.username).errors.append(error.message)
        else:
            if user is None:  # the address has an account: its owner was mailed
                flash(_("Check your email: we sent you a mail to go on."))
                return redirect(url_for("auth.login"))
            accounts.send_verification(user, links.verification_link(user, _next()))
            sign_in(user)
            flash(_("Check your email: we sent you a mail to go on."))
            flash(_("Welcome to Ginga, %(name)s!", name=user.username))
            return redirect(_next())
    status = 400 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


@bp.get("/join/<code>")
def join(code):
    """An invite link: remembered for the sign-up, which credits the inviter once confirmed."""
    inviter = invites.inviter(code)
    if inviter is None or current_user.is_authenticated:
        return redirect(url_for("main.home"))
    session["invite"] = code
    running = next((r for r in rounds.current_rounds() if rounds.accepts_votes(r)), None)
    running = running or next(iter(rounds.current_rounds()), None)
    return render_template(
        "auth/register.html", form=RegisterForm(), inviter=inviter, running=running
    )


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
    return redirect(_next())


@bp.post("/logout")
def logout():
    sign_out()
    return redirect(url_for("main.home"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@recovery_limits
def forgot_password():
    form = ForgotForm()
    if form.validate_on_submit():
        passwords.send_reset(form.email.data, links.reset_link)
        flash(_("If an account has this address, we sent it a link."))
        return redirect(url_for("auth.login"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@recovery_limits
def reset_password(token):
    form = ResetForm()
    if form.validate_on_submit():
        try:
            passwords.reset_password(token, form.password.data)
        except ContestError as error:
            if error.code == "invalid_token":
                return render_template("error.html", status=400, message=error.message), 400
            form.password.errors.append(error.message)
        else:
            sign_out()
            flash(_("Your password is changed: sign in with it."))
            return redirect(url_for("auth.login"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/reset.html", form=form), status
