"""Web Push over JSON: the VAPID public key, and a browser's subscription with its kinds."""

from flask import jsonify
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from marshmallow import Schema, fields, validate

from contest.api.blueprint import bp
from contest.api.parsing import Input, error
from contest.community import push
from contest.errors import NotFound
from contest.extensions import limiter
from contest.models.push import PUSH_KINDS


class SubscriptionBody(Input):
    subscription = fields.Dict(
        required=True,
        metadata=error("invalid_subscription", "Send the browser's PushSubscription.", missing=True)
        | {"description": "PushSubscription.toJSON(): {endpoint, keys: {p256dh, auth}}"},
    )
    kinds = fields.List(
        fields.String(),
        load_default=list(PUSH_KINDS),
        metadata=error("invalid_kinds", "kinds is a list of push kinds.")
        | {"description": "any of " + ", ".join(PUSH_KINDS)},
    )


class EndpointBody(Input):
    endpoint = fields.String(
        required=True, metadata=error("invalid_subscription", "Send the endpoint.", missing=True)
    )


class Key(Schema):
    public_key = fields.String(required=True)


class Subscribed(Schema):
    endpoint = fields.String(required=True)
    kinds = fields.List(fields.String(), required=True)


@bp.get("/push/key")
@bp.response(200, Key)
def push_key():
    """The VAPID public key browsers subscribe with (409 push_off when not set up)."""
    return jsonify(public_key=push.public_key())


@bp.post("/push/subscriptions")
@bp.arguments(SubscriptionBody())
@bp.response(201, Subscribed)
@login_required
@limiter.limit("30 per hour", methods=["POST"])
def subscribe(data):
    """Keep this browser's push subscription, for the kinds the fan chose."""
    row = push.subscribe(current_user, data["subscription"], data["kinds"])
    return jsonify(endpoint=row.endpoint, kinds=row.kinds), 201


class EndpointQuery(Input):
    endpoint = fields.String(
        required=True,
        validate=validate.Length(max=2048),
        metadata=error("invalid_subscription", "Send the endpoint.", missing=True),
    )


@bp.get("/push/subscription")
@bp.arguments(EndpointQuery(), location="query")
@bp.response(200, Subscribed)
@login_required
def this_subscription(query):
    """What this browser (its endpoint) is subscribed for: the settings show each device's
    own state. 404 push_not_subscribed when it is not subscribed."""
    kinds = push.kinds_on(current_user, query["endpoint"])
    if kinds is None:
        raise NotFound(
            _l("This device gets no notifications from Ginga."), code="push_not_subscribed"
        )
    return jsonify(endpoint=query["endpoint"], kinds=list(kinds))


@bp.delete("/push/subscriptions")
@bp.arguments(EndpointBody())
@bp.response(204)
@login_required
def unsubscribe(data):
    """Stop pushing to this browser."""
    push.unsubscribe(current_user, data["endpoint"])
    return "", 204
