from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from contest import links
from contest.accounts import invites
from contest.community import follows, notifications, profiles, push
from contest.crews import membership as crew_membership
from contest.entries.storage import get_storage
from contest.errors import ContestError, NotFound
from contest.models.push import PUSH_KINDS
from contest.pages.community.blueprint import bp
from contest.pages.community.forms import ProfileForm, settings_form


@bp.app_context_processor
def unread_notifications():
    if current_user.is_authenticated:
        return {"unread_count": notifications.unread_count(current_user)}
    return {"unread_count": 0}


@bp.get("/u/<username>")
def profile(username):
    user = follows.get_user(username)
    return render_template(
        "community/profile.html",
        data=profiles.profile(user),
        crew=crew_membership.crew_of(user.id),
        invite_code=invites.invite_code(user)
        if current_user.is_authenticated and current_user.id == user.id
        else None,
        following=follows.is_following(current_user, user),
        avatar_url=links.avatar_url(user),
    )


@bp.get("/u/<username>/avatar.jpg")
def avatar(username):
    user = follows.get_user(username)
    if not user.avatar_key:
        raise NotFound(_l("No avatar."), code="no_avatar")
    return get_storage().serve(user.avatar_key, "image/jpeg")


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def edit_profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            if form.avatar.data:  # first: a refused picture leaves the profile untouched
                profiles.set_avatar(current_user, form.avatar.data.stream)
            profiles.update_profile(
                current_user, {f: getattr(form, f).data or "" for f in profiles.FIELDS}
            )
        except ContestError as error:
            form.avatar.errors.append(error.message)
        else:
            flash(_("Profile saved."))
            return redirect(url_for("community.profile", username=current_user.username))
    status = 400 if request.method == "POST" else 200
    return render_template("community/edit_profile.html", form=form), status


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def notification_settings():
    form = settings_form(notifications.settings(current_user))()
    if form.validate_on_submit():
        notifications.update_settings(
            current_user, {k: getattr(form, k).data for k in notifications.KIND_LABELS}
        )
        flash(_("Notification settings saved."))
        return redirect(url_for("community.notification_list"))
    return render_template(
        "community/settings.html",
        form=form,
        push_on=bool(current_app.config.get("VAPID_PUBLIC_KEY")),
        push_kinds=PUSH_KINDS,
        push_chosen=push.kinds_of(current_user),
    )


@bp.get("/feed")
@login_required
def feed():
    page = request.args.get("page", 1, type=int) or 1
    entries, more = follows.feed(current_user, max(page, 1))
    return render_template(
        "community/feed.html",
        entries=entries,
        page=page,
        more=more,
        suggestions=follows.suggestions(current_user),
    )


@bp.get("/notifications")
@login_required
def notification_list():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = notifications.list_notifications(current_user, page)
    unread_ids = {n.id for n in rows if n.read_at is None}
    # drawn before they are marked read: the commit would expire every row, one reload each
    page_html = render_template(
        "community/notifications.html", rows=rows, unread_ids=unread_ids, page=page
    )
    notifications.mark_all_read(current_user)
    return page_html
