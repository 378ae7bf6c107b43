"""Entries and ratings over JSON."""

from flask import jsonify, url_for
from flask_login import current_user, login_required

from contest import links
from contest.api import inputs, outputs
from contest.api.blueprint import bp
from contest.community import comments, follows
from contest.database import reads_only
from contest.entries import answers
from contest.entries.access import get_visible_entry
from contest.entries.storage import get_storage
from contest.extensions import limiter
from contest.rounds import phases as rounds
from contest.rounds import rating_counts, ratings


def media_urls(entry):
    """(video_url, small_video_url, poster_url): signed bucket URLs with S3, the app's own
    routes on local disk. The small one is None until the clip has its small rendition."""
    storage = get_storage()
    video = small = poster = None
    if entry.has_video:
        key = entry.playback_key or entry.video_key
        kind = "video/mp4" if entry.playback_key else entry.content_type
        video = storage.media_url(key, kind) or url_for("entries.video", entry_id=entry.id)
        if entry.small_key:
            small = storage.media_url(entry.small_key, "video/mp4") or url_for(
                "entries.small_video", entry_id=entry.id
            )
    if entry.poster_key:
        poster = storage.media_url(entry.poster_key, "image/jpeg") or url_for(
            "entries.poster", entry_id=entry.id
        )
    return video, small, poster


def entries_to_dicts(entries, user, following=False):
    """The JSON of a list of entries, with what each needs read once for the whole list:
    comment and pending counts, answers, the fan's own ratings, the rounds' priors (and,
    with following, whether the fan follows each author)."""
    entries = list(entries)
    ids = [e.id for e in entries]
    batch = {
        "comment_counts": comments.count_comments(ids),
        "pending_counts": rating_counts.pending(entries),
        "answered": answers.answered_by(ids),
        "mine": ratings.my_ratings(user, entries) if user.is_authenticated else {},
        "priors": ratings.round_priors(entries),
    }
    followed = None
    if following:
        followed = follows.followed_among(user, {e.author_id for e in entries})
    return [
        entry_to_dict(e, user, **batch) | (following_author(user, e, followed) if following else {})
        for e in entries
    ]


def entry_to_dict(
    entry, user, comment_counts=None, pending_counts=None, answered=None, mine=None, priors=None
):
    """An entry's JSON; lists call entries_to_dicts, which reads what every entry needs once
    for the whole list."""
    video_url, small_video_url, poster_url = media_urls(entry)
    if comment_counts is None:
        comment_counts = comments.count_comments([entry.id])
    if pending_counts is None:
        pending_counts = rating_counts.pending([entry])
    data = {
        "id": entry.id,
        "round_id": entry.round_id,
        "url": url_for("entries.entry_page", entry_id=entry.id),
        "title": entry.title,
        "description": entry.description,
        "author": links.fan_name(entry.author),
        "status": entry.status,
        "video_url": video_url,
        "small_video_url": small_video_url,
        "poster_url": poster_url,
        "duration": entry.duration,
        "width": entry.width,
        "height": entry.height,
        "created_at": entry.created_at.isoformat(),
        "rating": ratings.public_summary(entry, (priors or {}).get(entry.round_id)),
        "pending": _pending(entry, pending_counts),
        "finalist": entry.finalist,
        "comments": comment_counts.get(entry.id, 0),
        "answers": entry.answers_id,
        "answered_by": (answered or answers.answered_by([entry.id])).get(entry.id, []),
    }
    if user.is_authenticated:
        data["my_rating"] = (
            mine.get(entry.id) if mine is not None else ratings.my_rating(user, entry)
        )
        data["counts_from"] = _counts_from(user)
        if user.id == entry.author_id or user.is_moderator:
            data["status_reason"] = entry.reason
    return data


@bp.get("/entries/<int:entry_id>")
@bp.response(200, outputs.Entry)
def get_entry(entry_id):
    """An entry anyone may see (a live one), or one's own, or any for moderators."""
    entry = get_visible_entry(current_user, entry_id)
    return jsonify(entry_to_dict(entry, current_user) | following_author(current_user, entry))


def following_author(user, entry, followed=None):
    """{"following_author": bool} for a signed-in fan and someone else's clip (judge mode's
    Follow pill, whether the clip came from the queue or from a link), else {}. `followed`:
    the ids among a list's authors the fan follows, read once for the list."""
    if not user.is_authenticated or entry.author_id == user.id:
        return {}
    if followed is None:
        followed = follows.followed_among(user, {entry.author_id})
    return {"following_author": entry.author_id in followed}


@bp.put("/entries/<int:entry_id>/rating")
@reads_only  # the rating writer commits it
@bp.response(200, outputs.RatingAnswer)
@login_required
@limiter.limit("120 per minute", methods=["PUT"])
@bp.arguments(inputs.Rating())
def put_rating(data, entry_id):
    """Rate an entry 1 to 5 stars (or change one's rating) while voting is open."""
    summary = ratings.cast_rating(current_user, entry_id, data["stars"])
    return jsonify(rating=summary, my_rating=data["stars"], counts_from=_counts_from(current_user))


def _counts_from(user):
    """When the fan's ratings start to count, or None when they already do."""
    if ratings.counts_now(user):
        return None
    return ratings.counts_from(user).isoformat()


def _pending(entry, pending_counts):
    """{count, counts_from} of young accounts' ratings, shown apart; None when there are none."""
    if rounds.is_blind(entry.round) or entry.id not in pending_counts:
        return None
    n, first = pending_counts[entry.id]
    return {"count": n, "counts_from": first.isoformat()}


@bp.delete("/entries/<int:entry_id>/rating")
@reads_only
@bp.response(200, outputs.RatingAnswer)
@login_required
def delete_rating(entry_id):
    """Withdraw one's rating while voting is open."""
    return jsonify(rating=ratings.remove_rating(current_user, entry_id), my_rating=None)
