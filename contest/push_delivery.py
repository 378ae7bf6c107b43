"""Web Push delivery: after commit, a stored notification becomes a push job (the fan's own
language, a link to the right page); each scheduler tick reminds fans of rounds closing within
24 hours. Jobs run on the app's pool or RQ workers, like video processing."""

from flask import current_app

from contest import events, links
from contest.community import push
from contest.events import Notified


def _on_notified(event):
    if event.payload.get("kind") in push.FROM_NOTIFICATIONS:
        enqueue(
            push.send_notification,
            event.user_id,
            event.payload["kind"],
            event.payload["text"],
            links.target_url(event.target) or links.url("main.home"),
        )


def remind_closing():
    """A scheduled step: queue the closing reminders of rounds ending within 24 hours."""
    for round_, fans in push.closing_soon():
        url = links.url("main.judge_page", slug=round_.slug)
        for user_id in fans:
            enqueue(push.remind, user_id, round_.title, url)


def enqueue(func, *args):
    """On the app's job runner (jobs.py builds it; its tick calls remind_closing)."""
    return current_app.extensions["jobs"].enqueue(func, *args)


def init_app(app):
    events.subscribe(app, Notified, _on_notified)
