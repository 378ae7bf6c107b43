from flask import current_app, render_template, request
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from contest import links
from contest.community import comments, follows, likes
from contest.entries import answers, cards, uploads
from contest.entries.access import get_visible_entry
from contest.entries.storage import get_storage
from contest.errors import NotFound
from contest.extensions import db
from contest.models import Entry
from contest.models.types import MAX_ID
from contest.pages.entries.blueprint import bp
from contest.rounds import phases as rounds
from contest.rounds import rating_counts, ratings, results


@bp.get("/entries/<int:entry_id>")
def entry_page(entry_id):
    entry = get_visible_entry(current_user, entry_id)
    first_comments, more_comments = comments.list_comments(current_user, entry.id)
    young = current_user.is_authenticated and not ratings.counts_now(current_user)
    return render_template(
        "entries/entry.html",
        entry=entry,
        rating=ratings.summary(entry),
        my_rating=ratings.my_rating(current_user, entry),
        histogram=rating_counts.histogram(entry),
        blind=rounds.is_blind(entry.round),
        comments=first_comments,
        liked=likes.liked(current_user, [c.id for c in first_comments]),
        following=follows.is_following(current_user, entry.author),
        more_comments=more_comments,
        render_comment=links.render_comment,
        can_rate=current_user.is_authenticated and ratings.may_rate(current_user, entry),
        unverified=current_user.is_authenticated and not current_user.email_verified_at,
        finals_stage=ratings.stage_of(entry) == "finals",
        voting_open=rounds.accepts_votes(entry.round),
        pending=rating_counts.pending([entry]).get(entry.id),
        counts_from=ratings.counts_from(current_user) if young else None,
        answered=db.session.get(Entry, entry.answers_id) if entry.answers_id else None,
        answers=answers.answers_to(entry),
        can_answer=entry.status == "live"
        and rounds.accepts_entries(entry.round)
        and not (current_user.is_authenticated and current_user.id == entry.author_id),
    )


@bp.get("/entries/<int:entry_id>/card.jpg")
def share_card(entry_id):
    """The entry's share picture (Open Graph, 1200x630): poster, title, fan, rank or score."""
    entry = get_visible_entry(current_user, entry_id)
    lines = [f"@{links.fan_name(entry.author)} · {entry.round.title}"]
    result = results.result_of(entry)
    summary = ratings.public_summary(entry)
    if result is not None:
        lines.append(
            gettext("#%(rank)s · score %(score)s", rank=result.rank, score=f"{result.score:.2f}")
        )
    elif summary["count"]:
        lines.append(
            ngettext("%(num)d rating", "%(num)d ratings", summary["count"])
            + f" · {summary['average']:.1f}★"
        )
    key = cards.share_card("entry", entry.id, entry.poster_key, entry.title, lines)
    return get_storage().serve(key, "image/jpeg")


@bp.get("/entries/<int:entry_id>/video")
def video(entry_id):
    entry = get_visible_entry(current_user, entry_id)
    if not entry.has_video:
        raise NotFound(_l("This video is not available."), code="video_not_available")
    if entry.playback_key:
        return get_storage().serve(entry.playback_key, "video/mp4")
    return get_storage().serve(entry.video_key, entry.content_type or "video/mp4")


@bp.get("/entries/<int:entry_id>/small.mp4")
def small_video(entry_id):
    """The small rendition (540p) for slow networks and Data saver."""
    entry = get_visible_entry(current_user, entry_id)
    if not entry.has_video or not entry.small_key:
        raise NotFound(_l("This video is not available."), code="video_not_available")
    return get_storage().serve(entry.small_key, "video/mp4")


@bp.get("/entries/<int:entry_id>/poster.jpg")
def poster(entry_id):
    entry = get_visible_entry(current_user, entry_id)
    if not entry.poster_key:
        raise NotFound(_l("This entry has no poster yet."), code="poster_not_ready")
    return get_storage().serve(entry.poster_key, "image/jpeg")


@bp.get("/upload")
@login_required
def upload_page():
    open_rounds = [r for r in rounds.current_rounds() if rounds.accepts_entries(r)]
    chosen = request.args.get("round")
    if chosen:
        wanted = next((r for r in open_rounds if r.slug == chosen), None)
        if wanted is not None:
            open_rounds = [wanted] + [r for r in open_rounds if r is not wanted]
    again = None
    entry_id = request.args.get("entry", type=int)
    if entry_id:
        again = uploads.entry_to_send_again(current_user, entry_id)
    answering = None
    answers_id = request.args.get("answers", type=int)
    if answers_id and not again:
        wanted = db.session.get(Entry, answers_id) if 0 < answers_id <= MAX_ID else None
        if wanted is not None and wanted.status == "live" and wanted.author_id != current_user.id:
            answering = wanted
            open_rounds = [r for r in open_rounds if r.id == wanted.round_id]
    return render_template(
        "entries/upload.html",
        again=again,
        answering=answering,
        rounds=open_rounds,
        max_bytes=current_app.config["MAX_VIDEO_BYTES"],
        max_seconds=current_app.config["MAX_VIDEO_SECONDS"],
    )
