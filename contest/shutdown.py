"""Graceful shutdown: on SIGTERM a server process stops taking work and leaves nothing half done.

The server (gunicorn) stops accepting connections and lets requests in flight finish; here the
app, at the same moment, says it is not ready (/readyz answers 503, so the load balancer stops
sending), lets the rating writer commit the batch it has taken and answers every rating still
queued with 503 `rating_unavailable` (the fan's page retries on another process), closes its
websockets with a proper close (clients reconnect to another process), and stops its timers.
No acknowledged rating is lost: a rating is acknowledged only after its commit.
"""

import logging
import signal
import threading

from contest.extensions import socketio

log = logging.getLogger(__name__)


def drain(app, writer_timeout=20):
    """Everything the app does when its process is asked to stop (idempotent)."""
    if app.extensions.get("draining"):
        return
    app.extensions["draining"] = True
    drained = _drained(app)
    try:
        _drain(app, writer_timeout)
    finally:
        drained.set()


def wait_drained(app, timeout=30):
    """Wait for a drain under way to finish: the process must not exit halfway through it.
    (Under gevent the worker's own stop can end before the drain's greenlet has run to its end,
    and what is left of it, its log line or the websockets' close, would be cut off.)"""
    drained = app.extensions.get("drained")
    if drained is not None:
        drained.wait(timeout)


def _drained(app):
    """The event a drain sets when it has finished (one per app)."""
    return app.extensions.setdefault("drained", threading.Event())


def _drain(app, writer_timeout):
    writer = app.extensions["rating_writer"]
    refused = writer.close()
    idle = writer.wait_idle(writer_timeout)
    log.info(
        "shutting down: %d queued rating(s) refused, writer %s",
        refused,
        "idle" if idle else "still committing",
    )
    for name in ("live", "socket_sessions", "theme_votes"):
        service = app.extensions.get(name)
        if service is not None:
            service.stop()
    eio = socketio.server.eio
    for client in list(eio.sockets.values()):
        try:  # a close packet: the client reconnects (to another process) by itself
            client.close(wait=False, reason=eio.reason.SERVER_DISCONNECT)
        except Exception:  # never let a broken socket stop the shutdown
            log.exception("closing a websocket failed")
    jobs = app.extensions.get("jobs")
    if jobs is not None:
        jobs.shutdown(wait=False)


def on_sigterm(app, previous=None):
    """Drain on SIGTERM, in a thread (a signal handler must not block), then call `previous`
    (the server's own handler, which stops accepting and waits for requests in flight)."""

    def handler(signum, frame):
        _drained(app)  # made before the worker can exit, so its exit waits for the drain
        threading.Thread(target=drain, args=(app,), name="ginga-drain", daemon=True).start()
        if callable(previous):
            previous(signum, frame)

    signal.signal(signal.SIGTERM, handler)
