"""A fan's data rights: everything we hold about them as one export, and closing the account.

Closing keeps what others' history needs and nothing personal: the user row stays, emptied
and renamed, so published results and comments read "deleted fan"; ratings and entries leave
every round whose results are not published yet (its aggregates equal a recount after).
"""

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from contest.accounts.passwords import password_matches
from contest.accounts.sessions import end_sessions
from contest.crews import membership
from contest.entries.storage import get_storage
from contest.errors import Forbidden
from contest.events import RatingChanged, record
from contest.extensions import db
from contest.models import (
    Comment,
    CrewMember,
    Entry,
    Follow,
    Notification,
    NotificationSetting,
    PushSubscription,
    Rating,
    Report,
    Round,
    Theme,
    ThemeVote,
    User,
    utcnow,
)
from contest.rounds import ratings

ACCOUNT_GONE = _l("The fan deleted their account.")


def _when(value):
    return value.isoformat() if value else None


def export_data(user):
    """Everything stored about this fan, and nothing about anyone else, as plain values."""
    return {
        **_themes_and_crew(user),
        "profile": _profile(user),
        **_contributions(user),
        **_social(user),
    }


def _all(query):
    return db.session.scalars(query).all()


def _profile(user):
    return {
        "username": user.username,
        "email": user.email,
        "email_verified_at": _when(user.email_verified_at),
        "display_name": user.display_name,
        "bio": user.bio,
        "country": user.country,
        "favourite_position": user.favourite_position,
        "favourite_club": user.favourite_club,
        "language": user.language,
        "data_saver": user.data_saver,
        "role": user.role,
        "created_at": _when(user.created_at),
    }


def _themes_and_crew(user):
    proposals = _all(sa.select(Theme).where(Theme.proposer_id == user.id).order_by(Theme.id))
    voted = _all(
        sa.select(ThemeVote.theme_id).where(ThemeVote.user_id == user.id).order_by(ThemeVote.id)
    )
    crew = membership.crew_of(user.id)
    return {
        "crew": {"slug": crew.slug, "name": crew.name} if crew else None,
        "theme_proposals": [
            {"id": t.id, "month": t.month, "title": t.title, "brief": t.brief, "votes": t.votes}
            for t in proposals
        ],
        "theme_votes": list(voted),
    }


def _contributions(user):
    """The fan's entries, ratings and comments."""
    entries = _all(sa.select(Entry).where(Entry.author_id == user.id).order_by(Entry.id))
    rated = db.session.execute(
        sa.select(Rating.entry_id, Rating.stars, Rating.stage, Rating.created_at)
        .where(Rating.user_id == user.id)
        .order_by(Rating.id)
    ).all()
    comments = _all(sa.select(Comment).where(Comment.author_id == user.id).order_by(Comment.id))
    return {
        "entries": [
            {
                "id": e.id,
                "round_id": e.round_id,
                "title": e.title,
                "description": e.description,
                "status": e.status,
                "created_at": _when(e.created_at),
            }
            for e in entries
        ],
        "ratings": [
            {"entry_id": entry_id, "stars": stars, "stage": stage, "at": _when(at)}
            for entry_id, stars, stage, at in rated
        ],
        "comments": [
            {"id": c.id, "entry_id": c.entry_id, "body": c.body, "at": _when(c.created_at)}
            for c in comments
        ],
    }


def _social(user):
    """Whom the fan follows, what they reported, what they were told."""
    following = db.session.execute(
        sa.select(User.username, Follow.created_at)
        .join(Follow, Follow.followed_id == User.id)
        .where(Follow.follower_id == user.id, User.deleted_at.is_(None))
    ).all()
    reports = _all(sa.select(Report).where(Report.reporter_id == user.id).order_by(Report.id))
    notes = _all(
        sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    )
    return {
        "following": [{"username": name, "since": _when(at)} for name, at in following],
        "reports": [
            {
                "target_type": r.target_type,
                "target_id": r.target_id,
                "reason": r.reason,
                "text": r.text,
                "status": r.status,
                "at": _when(r.created_at),
            }
            for r in reports
        ],
        "notifications": [
            {"kind": n.kind, "text": n.text, "target": n.target, "at": _when(n.created_at)}
            for n in notes
        ],
    }


def _unpublished_rounds():
    return sa.select(Round.id).where(Round.published_at.is_(None))


def delete_account(user, password):
    """Close a fan's account for good (their password confirms it)."""
    if not isinstance(password, str) or not password_matches(user, password):
        db.session.rollback()
        raise Forbidden(_l("Your password is not right."), code="wrong_password")
    open_rounds = _unpublished_rounds()
    rated = db.session.execute(
        sa.select(Rating.id, Entry.id, Entry.round_id)
        .join(Entry, Entry.id == Rating.entry_id)
        .where(Rating.user_id == user.id, Entry.round_id.in_(open_rounds))
    ).all()
    # lock the entries in id order, as the rating writer does, before moving their aggregates
    touched = sorted({(entry_id, round_id) for _, entry_id, round_id in rated})
    db.session.scalars(
        sa.select(Entry.id)
        .where(Entry.id.in_([e for e, _ in touched]))
        .order_by(Entry.id)
        .with_for_update()
    ).all()
    db.session.execute(sa.delete(Rating).where(Rating.id.in_([r for r, _, _ in rated])))
    ratings.resync([entry_id for entry_id, _ in touched])
    for entry_id, round_id in touched:
        record(RatingChanged(entry_id, round_id))

    storage, gone = get_storage(), []
    for entry in db.session.scalars(
        sa.select(Entry).where(Entry.author_id == user.id, Entry.round_id.in_(open_rounds))
    ):
        gone += entry.stored_keys
        entry.set_status("rejected", ACCOUNT_GONE)  # "rejected": no stored file, never shown
    if user.avatar_key:
        gone.append(user.avatar_key)

    db.session.execute(
        sa.delete(Follow).where((Follow.follower_id == user.id) | (Follow.followed_id == user.id))
    )
    db.session.execute(sa.delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(sa.delete(NotificationSetting).where(NotificationSetting.user_id == user.id))
    end_sessions(user.id, commit=False)
    membership.leave_any(user.id)  # a captain's crew passes to its longest-standing member
    db.session.execute(sa.delete(CrewMember).where(CrewMember.user_id == user.id))
    db.session.execute(sa.delete(PushSubscription).where(PushSubscription.user_id == user.id))
    user.username = f"deleted-{user.id}"  # not a valid username: nobody can take it
    user.email = f"deleted-{user.id}@deleted.invalid"
    user.password_hash = "!"  # matches no password
    user.display_name = user.bio = user.country = user.language = ""
    user.favourite_position = user.favourite_club = ""
    user.avatar_key, user.role, user.trusted, user.invite_code = None, "fan", False, None
    user.deleted_at = utcnow()
    db.session.commit()
    for key in gone:
        if key:
            storage.delete(key)
