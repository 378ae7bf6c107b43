"""The account settings page: email, password, sessions, one's data, closing the account."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from contest import links
from contest.accounts import data as account_data
from contest.accounts import passwords, sessions
from contest.accounts import users as accounts
from contest.community import profiles
from contest.errors import ContestError
from contest.extensions import limiter
from contest.login import sign_out
from contest.pages.auth.blueprint import bp
from contest.pages.auth.forms import (
    ButtonForm,
    DataSaverForm,
    DeleteForm,
    EmailForm,
    PasswordForm,
)


def _page(status=200, **forms):
    forms.setdefault("password_form", PasswordForm(prefix="pw"))
    forms.setdefault("email_form", EmailForm(prefix="em"))
    forms.setdefault("delete_form", DeleteForm(prefix="del"))
    forms.setdefault("saver_form", DataSaverForm(prefix="ds", data_saver=current_user.data_saver))
    return render_template(
        "auth/account.html",
        button=ButtonForm(),
        session_count=sessions.count_sessions(current_user.id),
        **forms,
    ), status


@bp.get("/settings/account")
@login_required
def account():
    return _page()


@bp.post("/settings/account/password")
@login_required
@limiter.limit("10 per hour")
def change_password():
    form = PasswordForm(prefix="pw")
    if form.validate_on_submit():
        try:
            passwords.change_password(current_user, form.current_password.data, form.password.data)
        except ContestError as error:
            form.current_password.errors.append(error.message)
        else:
            flash(_("Your password is changed. Your other devices are signed out."))
            return redirect(url_for("auth.account"))
    return _page(400, password_form=form)


@bp.post("/settings/account/email")
@login_required
@limiter.limit("10 per hour")
def change_email():
    form = EmailForm(prefix="em")
    if form.validate_on_submit():
        try:
            user = accounts.change_email(current_user, form.email.data, form.password.data)
        except ContestError as error:
            target = form.email if error.code.endswith("email") else form.password
            (target or form.email).errors.append(error.message)
        else:
            if user.email_verified_at is None:
                accounts.send_verification(user, links.verification_link(user))
                flash(_("Check your email: we sent you a mail to go on."))
            return redirect(url_for("auth.account"))
    return _page(400, email_form=form)


@bp.post("/settings/account/verify")
@login_required
@limiter.limit("5 per hour")
def resend_verification():
    if ButtonForm().validate_on_submit() and current_user.email_verified_at is None:
        accounts.send_verification(current_user, links.verification_link(current_user))
        flash(_("We sent the link again to %(email)s.", email=current_user.email))
    return redirect(url_for("auth.account"))


@bp.post("/settings/account/data-saver")
@login_required
def data_saver():
    form = DataSaverForm(prefix="ds")
    if form.validate_on_submit():
        profiles.update_profile(current_user, {"data_saver": bool(form.data_saver.data)})
        if current_user.data_saver:
            flash(_("Data saver is on: clips play in 540p, at most about 1.3 MB per 15 seconds."))
        else:
            flash(_("Data saver is off: clips play in full quality unless your network is slow."))
        return redirect(url_for("auth.account"))
    return _page(400, saver_form=form)


@bp.post("/settings/account/logout-all")
@login_required
def logout_all():
    if ButtonForm().validate_on_submit():
        sessions.end_sessions(current_user.id)
        sign_out()
        flash(_("You are signed out everywhere."))
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.account"))


@bp.get("/settings/account/export")
@login_required
@limiter.limit("10 per hour")
def export():
    return links.export_file(current_user, account_data.export_data(current_user))


@bp.post("/settings/account/delete")
@login_required
@limiter.limit("10 per hour")
def delete_account():
    form = DeleteForm(prefix="del")
    if form.validate_on_submit():
        try:
            account_data.delete_account(current_user, form.password.data)
        except ContestError as error:
            form.password.errors.append(error.message)
        else:
            sign_out()
            flash(_("Your account is deleted. Thanks for playing."))
            return redirect(url_for("main.home"))
    return _page(400, delete_form=form)
