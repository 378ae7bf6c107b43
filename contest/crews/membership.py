"""Creating crews, joining, leaving, approving and handing captaincy on.

A fan belongs to at most one crew at a time: joining another leaves the first. A crew is
open (anyone joins) or by approval (a request waits for the captain).
"""

import re
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from contest.accounts.users import require_verified
from contest.community import notifications
from contest.entries.images import reencode_image
from contest.entries.storage import get_storage
from contest.errors import Conflict, Forbidden, Invalid, NotFound
from contest.extensions import db
from contest.models import Crew, CrewMember, CrewResult, Round, User, utcnow
from contest.texts import Text

MAX_NAME = 60
MAX_HOME = 80


class CrewBusy(Conflict):
    code = "crew_busy"
    default_message = _l("Your crew changed while you joined: look again and try once more.")


def _slugify(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:50] or "crew"


def _text(value, field, limit, required=False):
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(Text("%(field)s must be text.", field=field), code=f"invalid_{field}")
    value = " ".join(value.split())
    if (required and not value) or len(value) > limit:
        raise Invalid(
            Text("%(field)s is 1 to %(num)s characters.", field=field, num=limit),
            code=f"invalid_{field}",
            field=field,
        )
    return value


def get_crew(slug, viewer=None):
    """A crew anyone may see (hidden crews only for moderators)."""
    crew = (
        db.session.scalar(sa.select(Crew).where(Crew.slug == slug.lower()))
        if isinstance(slug, str)
        else None
    )
    if crew is not None and crew.hidden:
        moderator = viewer is not None and viewer.is_authenticated and viewer.is_moderator
        crew = crew if moderator else None
    if crew is None:
        raise NotFound(_l("No such crew."), code="crew_not_found")
    return crew


def crew_of(user_id):
    """The crew a fan is a member of, or None."""
    return db.session.scalar(
        sa.select(Crew)
        .join(CrewMember, CrewMember.crew_id == Crew.id)
        .where(CrewMember.user_id == user_id, CrewMember.status == "member")
    )


def members(crew, status="member"):
    return db.session.scalars(
        sa.select(CrewMember)
        .where(CrewMember.crew_id == crew.id, CrewMember.status == status)
        .order_by(CrewMember.joined_at, CrewMember.id)
    ).all()


def _leave_current(user_id, keep_crew_id=None):
    """Leave one's crew (a captain's crew gets the longest-standing member as captain)."""
    current = crew_of(user_id)
    if current is None or current.id == keep_crew_id:
        return
    db.session.execute(
        sa.delete(CrewMember).where(CrewMember.crew_id == current.id, CrewMember.user_id == user_id)
    )
    if current.captain_id == user_id:
        successor = db.session.scalar(
            sa.select(CrewMember.user_id)
            .where(CrewMember.crew_id == current.id, CrewMember.status == "member")
            .order_by(CrewMember.joined_at, CrewMember.id)
        )
        if successor is None:
            db.session.execute(sa.delete(CrewMember).where(CrewMember.crew_id == current.id))
            current.hidden = True  # nobody left: the crew goes quiet, its name stays taken
        else:
            current.captain_id = successor


def leave_any(user_id):
    """Leave one's crew, whatever it is (a closed account)."""
    _leave_current(user_id)


def create_crew(user, name, home=None, open_=True):
    """A verified fan creates a crew and captains it (leaving any other crew)."""
    require_verified(user)
    name = _text(name, "name", MAX_NAME, required=True)
    home = _text(home, "home", MAX_HOME)
    if db.session.scalar(sa.select(Crew.id).where(Crew.name_key == name.lower())):
        raise Conflict(_l("A crew with that name exists."), code="crew_name_taken")
    base, slug, n = _slugify(name), None, 1
    slug = base
    while db.session.scalar(sa.select(Crew.id).where(Crew.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    _leave_current(user.id)
    crew = Crew(
        slug=slug, name=name, name_key=name.lower(), home=home, open=bool(open_), captain_id=user.id
    )
    db.session.add(crew)
    db.session.flush()
    db.session.execute(
        sa.delete(CrewMember).where(CrewMember.user_id == user.id, CrewMember.status == "pending")
    )
    db.session.add(CrewMember(crew_id=crew.id, user_id=user.id, status="member"))
    try:
        db.session.commit()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise Conflict(_l("A crew with that name exists."), code="crew_name_taken") from None
    return crew


def join(user, slug, invited=False):
    """Join an open crew (leaving one's crew), or ask to join one by approval; invited (a
    member's valid invitation, see crews/invites.py) joins either kind at once.

    Returns "member" or "pending". The same fan's joins sent at once (a double tap, many tabs)
    meet at the unique rows: the first wins, the others answer as it did, or 409 if the fan's
    membership moved in between."""
    require_verified(user)
    crew = get_crew(slug, user)
    try:
        return _join(user, crew, invited)
    except sa.exc.IntegrityError:
        db.session.rollback()
    row = db.session.scalar(
        sa.select(CrewMember).where(CrewMember.crew_id == crew.id, CrewMember.user_id == user.id)
    )
    if row is not None:
        return row.status
    raise CrewBusy()


def _join(user, crew, invited=False):
    # one membership change of this fan at a time (a join leaves the other crew: two joins at
    # once would otherwise lock the two crews' rows in opposite orders)
    db.session.execute(sa.select(User.id).where(User.id == user.id).with_for_update())
    row = db.session.scalar(
        sa.select(CrewMember).where(CrewMember.crew_id == crew.id, CrewMember.user_id == user.id)
    )
    if row is not None and row.status == "member":
        return "member"
    if not crew.open and not invited:
        if row is None:
            db.session.add(CrewMember(crew_id=crew.id, user_id=user.id, status="pending"))
            db.session.flush()
            notifications.notify(
                crew.captain_id,
                "crew",
                Text("%(name)s asks to join %(crew)s.", name=user.username, crew=crew.name),
                notifications.target("crew", crew.slug),
            )
            db.session.commit()
        return "pending"
    _leave_current(user.id)
    if row is None:
        db.session.add(CrewMember(crew_id=crew.id, user_id=user.id, status="member"))
    else:
        row.status, row.joined_at = "member", utcnow()
    db.session.commit()
    return "member"


def approve(captain, slug, username):
    """The captain lets a fan who asked in (they leave their previous crew)."""
    crew = _captained(captain, slug)
    row = _row(crew, username)
    if row.status == "pending":
        _leave_current(row.user_id, keep_crew_id=crew.id)
        row.status, row.joined_at = "member", utcnow()
        notifications.notify(
            row.user_id,
            "crew",
            Text("You are in %(crew)s!", crew=crew.name),
            notifications.target("crew", crew.slug),
        )
        db.session.commit()
    return crew


def remove(actor, slug, username):
    """Leave a crew (oneself), or remove a member or a request (the captain)."""
    crew = get_crew(slug, actor)
    row = _row(crew, username)
    if row.user_id != actor.id and crew.captain_id != actor.id:
        raise Forbidden(_l("Only the captain can remove members."), code="not_captain")
    if row.status == "member":
        _leave_current(row.user_id)
    else:
        db.session.delete(row)
    db.session.commit()
    return crew


def hand_captaincy(captain, slug, username):
    crew = _captained(captain, slug)
    row = _row(crew, username)
    if row.status != "member":
        raise Conflict(_l("Only members can captain the crew."), code="not_a_member")
    crew.captain_id = row.user_id
    db.session.commit()
    return crew


def _captained(user, slug):
    crew = get_crew(slug, user)
    if crew.captain_id != user.id:
        raise Forbidden(_l("Only the captain can do that."), code="not_captain")
    return crew


def _row(crew, username):
    row = (
        db.session.scalar(
            sa.select(CrewMember)
            .join(User, User.id == CrewMember.user_id)
            .where(CrewMember.crew_id == crew.id, User.username == username.lower())
        )
        if isinstance(username, str)
        else None
    )
    if row is None:
        raise NotFound(_l("That fan is not in this crew."), code="member_not_found")
    return row


def set_badge(captain, slug, stream):
    """The crew's badge: any picture, re-encoded to a 256x256 JPEG (like avatars)."""
    crew = _captained(captain, slug)
    key = f"crews/{crew.id}/badge-{secrets.token_urlsafe(8)}.jpg"
    reencode_image(stream, key, (256, 256))
    old, crew.badge_key = crew.badge_key, key
    db.session.commit()
    if old:
        get_storage().delete(old)
    return crew


def medals(crew):
    """The crew's podium places in published rounds: [(rank, round)], best first."""
    return db.session.execute(
        sa.select(CrewResult.rank, Round)
        .join(Round, Round.id == CrewResult.round_id)
        .where(
            CrewResult.crew_id == crew.id,
            CrewResult.rank <= 3,
            Round.published_at.is_not(None),
        )
        .order_by(CrewResult.rank, Round.voting_close_at.desc())
    ).all()
