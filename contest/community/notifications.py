"""In-app notifications, delivered live and stored; a daily email digest for those who want it."""

import logging
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from contest import events
from contest.errors import Invalid
from contest.events import Notified
from contest.extensions import db
from contest.i18n import in_language_of
from contest.mail import send_mail
from contest.models import Notification, NotificationSetting, User, utcnow
from contest.models.social import NOTIFICATION_KINDS
from contest.texts import Text, as_text, stored

log = logging.getLogger(__name__)
KIND_LABELS = {
    "follow": _l("Someone follows you"),
    "comment": _l("Comments on your entries"),
    "mention": _l("Someone mentions you in a comment"),
    "entry_live": _l("Your entry went live"),
    "entry_rejected": _l("Your entry was not accepted"),
    "results": _l("Results of rounds you entered"),
    "theme": _l("A theme you proposed or voted for is selected"),
    "crew": _l("Your crew: requests to join, and your request answered"),
    "answer": _l("Someone answers your skill"),
    "invite": _l("A fan joins through your invite"),
    "moderation": _l("Moderators acted on your entries or reports"),
}
PAGE_SIZE = 20


def target(kind, key, anchor=""):
    """What a notification points at: an entry, a fan, a round or its results."""
    return f"{kind}:{key}" + (f"#{anchor}" if anchor else "")


def notify(user_id, kind, text, target=""):
    """Store a notification and push it to the user's open pages (committed by the caller).

    text is a Text: stored translatable, pushed in the reader's language, and shown in the
    language of whoever reads it later.
    """
    text = as_text(text)
    english, message = stored(text)
    note = Notification(user_id=user_id, kind=kind, text=english, message=message, target=target)
    db.session.add(note)
    db.session.flush()
    with in_language_of(db.session.get(User, user_id)):
        payload = {"id": note.id, "kind": kind, "text": str(text)}
    events.record(Notified(user_id, payload, target))
    return note


def unread_count(user):
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def list_notifications(user, page=1):
    """Newest first, PAGE_SIZE a page."""
    return db.paginate(
        sa.select(Notification)
        .where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page=page,
        per_page=PAGE_SIZE,
        error_out=False,
        count=False,  # the bell shows one page; nobody asks how many pages there are
    ).items


def mark_all_read(user):
    db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    db.session.commit()


def settings(user):
    """{kind: "in_app" | "digest"} for every kind."""
    chosen = {
        s.kind: s.email_digest
        for s in db.session.scalars(
            sa.select(NotificationSetting).where(NotificationSetting.user_id == user.id)
        )
    }
    return {kind: "digest" if chosen.get(kind) else "in_app" for kind in NOTIFICATION_KINDS}


def update_settings(user, data):
    """Set kinds to "in_app" or "digest"; unknown kinds or values change nothing."""
    if not isinstance(data, dict) or not data:
        raise Invalid(_l('Send {kind: "in_app" | "digest"}.'), code="invalid_settings")
    for kind, value in data.items():
        if kind not in NOTIFICATION_KINDS or value not in ("in_app", "digest"):
            raise Invalid(
                Text(
                    "%(kind)s: choose in_app or digest for one of %(kinds)s.",
                    kind=kind,
                    kinds=", ".join(NOTIFICATION_KINDS),
                ),
                code="invalid_settings",
            )
    for kind, value in data.items():
        row = db.session.scalar(
            sa.select(NotificationSetting).where(
                NotificationSetting.user_id == user.id, NotificationSetting.kind == kind
            )
        )
        if row is None:
            row = NotificationSetting(user_id=user.id, kind=kind)
            db.session.add(row)
        row.email_digest = value == "digest"
    db.session.commit()
    return settings(user)


_UNSUBSCRIBE_SALT = "ginga-unsubscribe"


def unsubscribe_token(user_id):
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT).dumps(
        user_id
    )


def unsubscribe(token):
    """Stop every email digest of the fan a digest's unsubscribe link names (RFC 8058: one
    request, no sign-in); returns the fan, or None for a link that is not ours."""
    try:
        user_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_UNSUBSCRIBE_SALT).loads(
            token
        )
    except BadSignature:
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None:
        return None
    db.session.execute(
        sa.update(NotificationSetting)
        .where(NotificationSetting.user_id == user.id)
        .values(email_digest=False)
    )
    db.session.commit()
    return user


def _digest_reason(headers):
    reason = gettext("You get this because you chose a daily summary in your settings.")
    if headers:
        reason += f" {gettext('Stop them:')} {headers['List-Unsubscribe'][1:-1]}"
    return reason


def send_digests(now=None, unsubscribe_link=None):
    """Email each fan who chose a digest one message with what is new; at most one a day.
    `unsubscribe_link(token)` builds the one-click link (List-Unsubscribe, RFC 8058)."""
    now = now or utcnow()
    day_ago = now - timedelta(days=1)
    sent = 0
    wanted = db.session.execute(
        sa.select(NotificationSetting.user_id, NotificationSetting.kind).where(
            NotificationSetting.email_digest.is_(True)
        )
    ).all()
    kinds_by_user = {}
    for user_id, kind in wanted:
        kinds_by_user.setdefault(user_id, set()).add(kind)
    for user_id, kinds in kinds_by_user.items():
        user = db.session.get(User, user_id)
        if user is None or user.is_banned:
            continue
        if user.last_digest_at and user.last_digest_at > day_ago:
            continue
        notes = db.session.scalars(
            sa.select(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.kind.in_(kinds),
                Notification.emailed_at.is_(None),
                Notification.read_at.is_(None),
            )
            .order_by(Notification.created_at)
        ).all()
        if not notes:
            continue
        headers = {}
        if unsubscribe_link is not None:
            link = unsubscribe_link(unsubscribe_token(user.id))
            headers = {
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
        with in_language_of(user):  # the fan's chosen language, else English
            send_mail(
                user.email,
                ngettext("Ginga: %(num)d new for you", "Ginga: %(num)d new for you", len(notes)),
                "\n".join(f"- {n.display_text}" for n in notes)
                + "\n\n"
                + gettext("See them all on Ginga."),
                headers=headers,
                reason=gettext("You get this because you chose a daily summary in your settings.")
                + (
                    f" {gettext('Stop them:')} {headers['List-Unsubscribe'][1:-1]}"
                    if headers
                    else ""
                ),
            )
        for note in notes:
            note.emailed_at = now
        user.last_digest_at = now
        db.session.commit()
        sent += 1
    return sent
