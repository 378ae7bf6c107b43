"""Web Push: fans opt in per kind from settings; jobs send with pywebpush (VAPID); an endpoint
that answers 404 or 410 is gone, and so is its subscription. Payloads are in the fan's language.
"""

import base64
import json
import logging
import re
from datetime import timedelta

import sqlalchemy as sa
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pywebpush import WebPushException, webpush

from contest.community import push_endpoints, push_http
from contest.errors import Conflict, Invalid
from contest.extensions import db
from contest.i18n import in_language_of
from contest.models import Entry, PushSubscription, Rating, Round, User, utcnow
from contest.models.push import PUSH_KINDS

log = logging.getLogger(__name__)
# the notification kinds each push kind carries ("closing" is its own reminder)
FROM_NOTIFICATIONS = {
    "entry_live": "clip",
    "entry_rejected": "clip",
    "results": "results",
    "theme": "theme",
    "answer": "answer",
}
KEY_RE = re.compile(r"^[A-Za-z0-9_\-=]{16,200}$")


def public_key():
    key = current_app.config.get("VAPID_PUBLIC_KEY")
    if not key or not current_app.config.get("VAPID_PRIVATE_KEY"):
        raise Conflict(_l("Push notifications are not set up on this site."), code="push_off")
    return key


def make_keys():
    """A new VAPID key pair as (public, private), both base64url (for `flask push keys`)."""
    private = ec.generate_private_key(ec.SECP256R1())
    raw = private.private_numbers().private_value.to_bytes(32, "big")
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )

    def b64(data):
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return b64(point), b64(raw)


def _endpoint_rules():
    config = current_app.config
    return push_endpoints.hosts_from(config.get("PUSH_HOSTS")), bool(
        config.get("PUSH_ALLOW_PRIVATE")
    )


def subscribe(user, subscription, kinds):
    """Keep (or update) a browser's subscription with the kinds the fan chose."""
    public_key()
    sub = subscription if isinstance(subscription, dict) else {}
    endpoint, keys = sub.get("endpoint"), sub.get("keys") or {}
    try:
        push_endpoints.check(endpoint, *_endpoint_rules())
    except push_endpoints.RefusedEndpoint as why:
        raise Invalid(
            _l("The subscription has no usable endpoint: %(why)s.", why=str(why)),
            code="invalid_subscription",
        ) from None
    if not all(isinstance(keys.get(k), str) and KEY_RE.match(keys[k]) for k in ("p256dh", "auth")):
        raise Invalid(_l("The subscription's keys are missing."), code="invalid_subscription")
    if not isinstance(kinds, list) or not all(k in PUSH_KINDS for k in kinds):
        raise Invalid(
            _l("kinds is a list of clip, results, closing, theme and answer."),
            code="invalid_kinds",
        )
    row = db.session.scalar(
        sa.select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    )
    if row is not None and row.user_id != user.id:
        # an endpoint is one browser's; another account naming it would take its pushes
        db.session.rollback()
        raise Conflict(
            _l("This browser's subscription belongs to another account."),
            code="subscription_taken",
        )
    if row is None:
        row = PushSubscription(endpoint=endpoint, user_id=user.id)
        db.session.add(row)
    row.p256dh, row.auth = keys["p256dh"], keys["auth"]
    row.kinds = sorted(set(kinds))
    db.session.commit()
    return row


def unsubscribe(user, endpoint):
    db.session.execute(
        sa.delete(PushSubscription).where(
            PushSubscription.user_id == user.id, PushSubscription.endpoint == endpoint
        )
    )
    db.session.commit()


def kinds_on(user, endpoint):
    """The kinds a fan's browser (its endpoint) is subscribed for; None if it is not."""
    if not isinstance(endpoint, str):
        return None
    return db.session.scalar(
        sa.select(PushSubscription.kinds).where(
            PushSubscription.user_id == user.id, PushSubscription.endpoint == endpoint
        )
    )


def kinds_of(user):
    rows = db.session.scalars(
        sa.select(PushSubscription.kinds).where(PushSubscription.user_id == user.id)
    ).all()
    return sorted({k for kinds in rows for k in kinds})


def send(user_id, kind, title, body, url):
    """Push to every browser of this fan that opted into `kind`; returns how many took it."""
    config = current_app.config
    if not config.get("VAPID_PRIVATE_KEY"):
        return 0
    rows = [
        r
        for r in db.session.scalars(
            sa.select(PushSubscription).where(PushSubscription.user_id == user_id)
        )
        if kind in (r.kinds or [])
    ]
    delivered = 0
    payload = json.dumps({"title": title, "body": body, "url": url, "kind": kind})
    hosts, allow_private = _endpoint_rules()
    for row in rows:
        try:
            delivered += _send_one(row, payload, hosts, allow_private, config)
        except Exception as error:  # one endpoint's fault never stops the fan's others
            log.warning("push to %s failed: %s", row.endpoint[:60], error)
    db.session.commit()
    return delivered


def _send_one(row, payload, hosts, allow_private, config):
    """1 if the push service took it; 0 (and the subscription gone) if it refuses for good."""
    try:
        push_endpoints.check(row.endpoint, hosts, allow_private)
    except push_endpoints.RefusedEndpoint as why:  # stored before the rules, or rules changed
        log.warning("push subscription %s dropped: %s", row.id, why)
        db.session.delete(row)
        return 0
    sess = push_http.session(allow_private)
    try:
        with push_http.deadline(sess, config.get("PUSH_DEADLINE", 10)):
            webpush(
                {"endpoint": row.endpoint, "keys": {"p256dh": row.p256dh, "auth": row.auth}},
                data=payload,
                vapid_private_key=config["VAPID_PRIVATE_KEY"],
                vapid_claims={"sub": config["VAPID_SUBJECT"]},
                timeout=(5, 5),
                ttl=86400,
                requests_session=sess,
            )
    except WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in (404, 410):  # the browser dropped it: so do we
            db.session.delete(row)
            return 0
        raise
    return 1


def send_notification(user_id, kind, text, url):
    """A notification (its text already in the fan's language), pushed if they opted in."""
    push_kind = FROM_NOTIFICATIONS.get(kind)
    if push_kind is None:
        return 0
    return send(user_id, push_kind, "Ginga", text, url)


def closing_soon(now=None):
    """Rounds whose voting closes within 24 hours and whose fans were not reminded yet, with
    the fans who entered or judged them: [(round, [user ids])]. Marks them reminded."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Round).where(
            Round.voting_close_at > now,
            Round.voting_close_at <= now + timedelta(hours=24),
            Round.closing_reminded_at.is_(None),
            Round.voting_open_at <= now,
        )
    ).all()
    found = []
    for round_ in due:
        entered = sa.select(Entry.author_id).where(Entry.round_id == round_.id)
        judged = (
            sa.select(Rating.user_id)
            .join(Entry, Entry.id == Rating.entry_id)
            .where(Entry.round_id == round_.id)
        )
        fans = db.session.scalars(
            sa.select(PushSubscription.user_id)
            .where(PushSubscription.user_id.in_(entered.union(judged)))
            .distinct()
        ).all()
        round_.closing_reminded_at = now
        found.append((round_, fans))
    db.session.commit()
    return found


def remind(user_id, round_title, url):
    user = db.session.get(User, user_id)
    if user is None:
        return 0
    with in_language_of(user):
        body = _(
            "Voting in %(title)s closes within 24 hours: judge the last clips!", title=round_title
        )
        return send(user_id, "closing", "Ginga", body, url)
