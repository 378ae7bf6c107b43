"""Fan profiles: details, avatar, their entries with ranks, counts and medals."""

import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from contest.accounts import invites
from contest.community import follows
from contest.entries.images import reencode_image
from contest.entries.storage import get_storage
from contest.errors import Invalid
from contest.extensions import db
from contest.i18n import check_language
from contest.models import Entry, Rating, Result, Round, Theme
from contest.rounds import ratings
from contest.texts import Text

FIELDS = {
    "display_name": 60,
    "bio": 1000,
    "country": 60,
    "favourite_position": 40,
    "favourite_club": 80,
}
AVATAR_SIZE = 256


def remember_language(user, code):
    """The picker: keep a signed-in fan's language choice on their account."""
    user.language = check_language(code)
    db.session.commit()


def update_profile(user, data):
    """Change profile fields; every value is checked before any is saved."""
    if not isinstance(data, dict) or not data:
        raise Invalid(_l("Send the fields to change."), code="invalid_profile")
    changes = {}
    for field, value in data.items():
        if field == "language":  # the interface language: one of i18n.LANGUAGES, or "" = browser
            if value != "":
                check_language(value)
            changes[field] = value
            continue
        if field == "data_saver":  # play the small renditions everywhere
            if not isinstance(value, bool):
                raise Invalid(
                    _l("data_saver must be true or false."), code="invalid_field", field=field
                )
            changes[field] = value
            continue
        if field not in FIELDS:
            raise Invalid(
                Text("%(field)s is not a profile field.", field=field),
                code="invalid_field",
                field=field,
            )
        if not isinstance(value, str):
            raise Invalid(
                Text("%(field)s must be text.", field=field), code="invalid_field", field=field
            )
        value = value.strip()
        if len(value) > FIELDS[field]:
            raise Invalid(
                Text(
                    "%(field)s is longer than %(limit)s characters.",
                    field=field,
                    limit=FIELDS[field],
                ),
                code="too_long",
                field=field,
            )
        changes[field] = value
    for field, value in changes.items():
        setattr(user, field, value)
    db.session.commit()
    return user


def set_avatar(user, stream):
    """Re-encode an uploaded image into a small square JPEG; anything else is refused."""
    key = f"avatars/{user.id}/{secrets.token_urlsafe(12)}.jpg"
    reencode_image(stream, key, (AVATAR_SIZE, AVATAR_SIZE))
    old, user.avatar_key = user.avatar_key, key
    db.session.commit()
    if old:
        get_storage().delete(old)
    return user


def profile(user):
    """Everything the profile page shows."""
    entries = db.session.scalars(
        sa.select(Entry)
        .where(Entry.author_id == user.id, Entry.status == "live")
        .order_by(Entry.created_at.desc())
    ).all()
    results = {
        r.entry_id: r
        for r in db.session.scalars(
            sa.select(Result)
            .join(Round, Round.id == Result.round_id)
            .where(Result.entry_id.in_([e.id for e in entries]), Round.published_at.is_not(None))
        )
    }
    rows = []
    for entry in entries:
        result = results.get(entry.id)
        rows.append(
            {
                "entry": entry,
                "rank": result.rank if result else None,
                # nothing during a blind finish: public_summary hides the score
                "score": result.score if result else ratings.public_summary(entry)["score"],
            }
        )
    followers, following = follows.counts(user)
    medals = [
        {"medal": r.medal, "rank": r.rank, "round": r.entry.round, "entry": r.entry}
        for r in results.values()
        if r.medal
    ]
    medals.sort(key=lambda m: (m["rank"], -m["round"].id))
    return {
        "user": user,
        "entries": rows,
        "followers": followers,
        "following": following,
        "ratings_given": db.session.scalar(
            sa.select(sa.func.count(Rating.id)).where(Rating.user_id == user.id)
        ),
        "medals": medals,
        "invited": invites.joined(user),
        # themes of theirs the organiser selected: a badge on the profile
        "themes": db.session.scalars(
            sa.select(Theme)
            .where(Theme.proposer_id == user.id, Theme.status == "selected")
            .order_by(Theme.month.desc())
        ).all(),
    }
