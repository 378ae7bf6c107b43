"""Profiles, follows, the feed, comments, browsing and notifications over JSON."""

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from contest.api import bp
from contest.api.body import json_body
from contest.api.entries import entry_to_dict
from contest.community import comments, follows, notifications, profiles
from contest.errors import Invalid
from contest.extensions import limiter
from contest.rounds import browse
from contest.rounds import phases as rounds


def _page():
    value = request.args.get("page", "1")
    if not value.isdigit() or int(value) < 1:
        raise Invalid(_l("page must be 1 or more."), code="invalid_page")
    return int(value)


@bp.get("/users/<username>")
def get_profile(username):
    user = follows.get_user(username)
    return jsonify(profiles.profile_to_dict(profiles.profile(user), current_user))


@bp.patch("/me")
@login_required
def edit_profile():
    profiles.update_profile(current_user, json_body())
    return jsonify(profiles.profile_to_dict(profiles.profile(current_user), current_user))


@bp.put("/me/avatar")
@login_required
@limiter.limit("20 per hour", methods=["PUT"])
def put_avatar():
    upload = request.files.get("avatar")
    stream = upload.stream if upload else request.stream
    profiles.set_avatar(current_user, stream)
    return jsonify(avatar_url=profiles.avatar_url(current_user))


@bp.post("/users/<username>/follow")
@login_required
@limiter.limit("60 per hour", methods=["POST"])
def follow(username):
    target = follows.follow(current_user, username)
    followers, _ = follows.counts(target)
    return jsonify(username=target.username, following=True, followers=followers)


@bp.delete("/users/<username>/follow")
@login_required
def unfollow(username):
    target = follows.unfollow(current_user, username)
    followers, _ = follows.counts(target)
    return jsonify(username=target.username, following=False, followers=followers)


@bp.get("/users/suggested")
def suggested():
    users = follows.suggestions(current_user)
    return jsonify(
        users=[
            {"username": u.username, "display_name": u.name, "avatar_url": profiles.avatar_url(u)}
            for u in users
        ]
    )


@bp.get("/feed")
@login_required
def feed():
    entries, more = follows.feed(current_user, _page())
    return jsonify(entries=[entry_to_dict(e, current_user) for e in entries], has_more=more)


@bp.get("/rounds/<int:round_id>/entries")
def round_entries(round_id):
    round_ = rounds.get_round(round_id)
    seed = str(current_user.id) if current_user.is_authenticated else request.args.get("seed", "")
    entries, more = browse.round_entries(round_, request.args.get("sort"), _page(), seed)
    return jsonify(
        entries=[entry_to_dict(e, current_user) for e in entries],
        has_more=more,
        sort=request.args.get("sort") or browse.default_sort(round_),
    )


@bp.get("/entries/<int:entry_id>/comments")
def list_comments(entry_id):
    rows, more = comments.list_comments(current_user, entry_id, _page())
    return jsonify(comments=[comments.to_dict(c) for c in rows], has_more=more)


@bp.post("/entries/<int:entry_id>/comments")
@login_required
@limiter.limit("10 per minute", methods=["POST"])
def post_comment(entry_id):
    comment = comments.post_comment(current_user, entry_id, json_body().get("body"))
    return jsonify(comments.to_dict(comment)), 201


@bp.delete("/comments/<int:comment_id>")
@login_required
def delete_comment(comment_id):
    comments.delete_comment(current_user, comment_id)
    return "", 204


@bp.get("/notifications")
@login_required
def list_notifications():
    rows = notifications.list_notifications(current_user, _page())
    return jsonify(
        notifications=[notifications.to_dict(n) for n in rows],
        unread=notifications.unread_count(current_user),
    )


@bp.post("/notifications/read")
@login_required
def read_notifications():
    notifications.mark_all_read(current_user)
    return jsonify(unread=0)


@bp.get("/notifications/settings")
@login_required
def notification_settings():
    return jsonify(notifications.settings(current_user))


@bp.put("/notifications/settings")
@login_required
def update_notification_settings():
    return jsonify(notifications.update_settings(current_user, json_body()))
