"""Profiles, follows, the feed, comments, browsing and notifications over JSON."""

from flask import jsonify, request
from flask_login import current_user, login_required

from contest import links
from contest.api import community_outputs, inputs, outputs, serializers
from contest.api.blueprint import bp
from contest.api.entries import entries_to_dicts
from contest.api.parsing import picture_body
from contest.community import comments, follows, likes, notifications, profiles
from contest.extensions import limiter
from contest.rounds import browse
from contest.rounds import phases as rounds


@bp.get("/users/<username>")
@bp.response(200, community_outputs.Profile)
def get_profile(username):
    """A fan's profile: details, counts, medals and entries."""
    user = follows.get_user(username)
    return jsonify(serializers.profile_to_dict(profiles.profile(user), current_user))


@bp.patch("/me")
@bp.response(200, community_outputs.Profile)
@login_required
@bp.arguments(inputs.ProfileEdit())
def edit_profile(data):
    """Edit one's profile and interface language."""
    profiles.update_profile(current_user, data)
    return jsonify(serializers.profile_to_dict(profiles.profile(current_user), current_user))


@bp.put("/me/avatar")
@bp.doc(requestBody=picture_body("avatar"))
@bp.response(200, community_outputs.Avatar)
@login_required
@limiter.limit("20 per hour", methods=["PUT"])
def put_avatar():
    upload = request.files.get("avatar")
    stream = upload.stream if upload else request.stream
    profiles.set_avatar(current_user, stream)
    return jsonify(avatar_url=links.avatar_url(current_user))


@bp.post("/users/<username>/follow")
@bp.response(200, community_outputs.FollowAnswer)
@login_required
@limiter.limit("60 per hour", methods=["POST"])
def follow(username):
    target = follows.follow(current_user, username)
    followers, _ = follows.counts(target)
    return jsonify(username=target.username, following=True, followers=followers)


@bp.delete("/users/<username>/follow")
@bp.response(200, community_outputs.FollowAnswer)
@login_required
def unfollow(username):
    target = follows.unfollow(current_user, username)
    followers, _ = follows.counts(target)
    return jsonify(username=target.username, following=False, followers=followers)


@bp.get("/users/suggested")
@bp.response(200, community_outputs.Suggestions)
def suggested():
    """Fans worth following."""
    users = follows.suggestions(current_user)
    return jsonify(
        users=[
            {"username": u.username, "display_name": u.name, "avatar_url": links.avatar_url(u)}
            for u in users
        ]
    )


@bp.get("/feed")
@bp.response(200, outputs.EntryPage)
@login_required
@bp.arguments(inputs.PageQuery(), location="query")
def feed(query):
    """Entries of the fans one follows, newest first."""
    entries, more = follows.feed(current_user, query["page"])
    return jsonify(
        entries=entries_to_dicts(entries, current_user),
        has_more=more,
    )


@bp.get("/rounds/<int:round_id>/entries")
@bp.response(200, outputs.EntryPage)
@bp.arguments(inputs.EntriesQuery(), location="query")
def round_entries(query, round_id):
    """A round's entries: shuffled per viewer during voting, or sorted."""
    round_ = rounds.get_round(round_id)
    seed = str(current_user.id) if current_user.is_authenticated else query.get("seed", "")
    sort = query.get("sort")
    entries, more = browse.round_entries(round_, sort, query["page"], seed)
    return jsonify(
        entries=entries_to_dicts(entries, current_user),
        has_more=more,
        sort=sort or browse.default_sort(round_),
    )


@bp.get("/entries/<int:entry_id>/comments")
@bp.response(200, community_outputs.CommentPage)
@bp.arguments(inputs.PageQuery(), location="query")
def list_comments(query, entry_id):
    """An entry's comments, newest first."""
    rows, more = comments.list_comments(current_user, entry_id, query["page"])
    mine = likes.liked(current_user, [c.id for c in rows])
    return jsonify(
        comments=[serializers.comment_to_dict(c, c.id in mine) for c in rows], has_more=more
    )


@bp.post("/entries/<int:entry_id>/comments")
@bp.response(201, community_outputs.Comment)
@login_required
@limiter.limit("10 per minute", methods=["POST"])
@bp.arguments(inputs.CommentBody())
def post_comment(data, entry_id):
    """Comment on a live entry."""
    comment = comments.post_comment(current_user, entry_id, data["body"])
    return jsonify(serializers.comment_to_dict(comment)), 201


@bp.put("/comments/<int:comment_id>/like")
@bp.response(200, community_outputs.CommentLikeAnswer)
@login_required
@limiter.limit("300 per hour", methods=["PUT"])
def like_comment(comment_id):
    """Like a comment (again changes nothing); its count moves live."""
    comment = likes.like(current_user, comment_id)
    return jsonify(id=comment.id, likes=comment.likes, liked=True)


@bp.delete("/comments/<int:comment_id>/like")
@bp.response(200, community_outputs.CommentLikeAnswer)
@login_required
@limiter.limit("300 per hour", methods=["DELETE"])
def unlike_comment(comment_id):
    """Take a like back."""
    comment = likes.unlike(current_user, comment_id)
    return jsonify(id=comment.id, likes=comment.likes, liked=False)


@bp.delete("/comments/<int:comment_id>")
@bp.response(204)
@login_required
def delete_comment(comment_id):
    comments.delete_comment(current_user, comment_id)
    return "", 204


@bp.get("/notifications")
@bp.response(200, community_outputs.Notifications)
@login_required
@bp.arguments(inputs.PageQuery(), location="query")
def list_notifications(query):
    """One's notifications, newest first, and how many are unread."""
    rows = notifications.list_notifications(current_user, query["page"])
    return jsonify(
        notifications=[serializers.notification_to_dict(n) for n in rows],
        unread=notifications.unread_count(current_user),
    )


@bp.post("/notifications/read")
@bp.response(200, community_outputs.Unread)
@login_required
def read_notifications():
    notifications.mark_all_read(current_user)
    return jsonify(unread=0)


@bp.get("/notifications/settings")
@bp.response(200, community_outputs.Settings)
@login_required
def notification_settings():
    return jsonify(notifications.settings(current_user))


@bp.put("/notifications/settings")
@bp.response(200, community_outputs.Settings)
@login_required
@bp.arguments(inputs.NotificationSettings())
def update_notification_settings(data):
    """Choose, per kind, in-app only or a daily email digest."""
    return jsonify(notifications.update_settings(current_user, data))
