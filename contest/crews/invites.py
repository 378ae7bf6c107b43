"""Crew invitations: a member shares a link; whoever opens it may join, even a crew that
otherwise waits for its captain's approval (a member vouched for them).

The link carries a signed token naming the crew and the member who shared it, valid for
INVITE_DAYS. A member who leaves (or a crew that is hidden) makes their links stop working.
"""

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from contest.crews import membership
from contest.errors import NotFound
from contest.extensions import db
from contest.models import Crew, User

INVITE_DAYS = 30
_SALT = "crew-invite"


class InviteInvalid(NotFound):
    code = "crew_invite_invalid"
    default_message = _l("This crew invitation has expired or no longer works. Ask for a new link.")


def _serializer():
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def invite_token(member, crew):
    """The token of a crew invitation shared by one of its members."""
    mine = membership.crew_of(member.id)
    if mine is None or mine.id != crew.id:
        raise InviteInvalid()
    return _serializer().dumps([crew.id, member.id])


def read_invite(token, slug):
    """(crew, inviter) of a valid invitation to the crew with this slug."""
    try:
        crew_id, inviter_id = _serializer().loads(token, max_age=INVITE_DAYS * 86400)
    except (BadSignature, SignatureExpired, ValueError, TypeError):
        raise InviteInvalid() from None
    crew = db.session.get(Crew, crew_id) if isinstance(crew_id, int) else None
    inviter = db.session.get(User, inviter_id) if isinstance(inviter_id, int) else None
    if crew is None or inviter is None or crew.slug != slug or crew.hidden:
        raise InviteInvalid()
    still_in = membership.crew_of(inviter.id)
    if still_in is None or still_in.id != crew.id or inviter.deleted_at is not None:
        raise InviteInvalid()
    return crew, inviter


def join_by_invite(user, slug, token):
    """Join the crew of a valid invitation at once (approval or not); returns "member"."""
    crew, _inviter = read_invite(token, slug)
    return membership.join(user, crew.slug, invited=True)
