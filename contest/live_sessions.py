"""Open sockets of signed-in fans close when their session ends.

Each process remembers which of its sockets belong to which server session. When sessions end
(sign out everywhere, a new password, a ban, a closed account), the process that ended them
sweeps its sockets at once and tells the fan's pages (`signed_out`, through the message queue
to every process); every process also sweeps its own sockets every SOCKET_SWEEP_SECONDS, so a
socket held open on another process closes within that time even if its page ignores the
event. A sweep is one query over the session ids this process holds.
"""

import logging
import threading

from flask import current_app, request
from flask_login import current_user

from contest import events, metrics
from contest.accounts import sessions
from contest.database import read_only_context
from contest.events import SessionsEnded
from contest.extensions import db, socketio

log = logging.getLogger(__name__)


class SocketSessions:
    def __init__(self, app):
        self.app = app
        self.interval = app.config["SOCKET_SWEEP_SECONDS"]
        self._sockets = {}  # socket sid -> server session id
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread = None
        self._stopped = False

    def add(self, sid, session_id):
        with self._lock:
            self._sockets[sid] = session_id
            if self.interval and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._loop, name="ginga-sockets")
                self._thread.daemon = True
                self._thread.start()

    def remove(self, sid):
        with self._lock:
            self._sockets.pop(sid, None)

    def stop(self):
        self._stopped = True
        self._wake.set()

    def sweep(self):
        """Disconnect this process's sockets whose sessions ended; returns how many."""
        with self._lock:
            held = dict(self._sockets)
        if not held:
            return 0
        with self.app.app_context():
            read_only_context()
            try:
                alive = sessions.alive(held.values())
            finally:
                db.session.remove()
        ended = [sid for sid, session_id in held.items() if session_id not in alive]
        for sid in ended:
            self.remove(sid)
            try:
                socketio.server.disconnect(sid, namespace="/", ignore_queue=True)
            except Exception:  # already gone
                log.debug("socket %s was already closed", sid)
        return len(ended)

    def _loop(self):
        while not self._stopped:
            self._wake.wait(self.interval)
            if self._stopped:
                return
            try:
                self.sweep()
            except Exception:  # the sweeper must outlive a database hiccup
                log.exception("sweeping sockets failed")


def on_connect():
    if current_user.is_authenticated:
        current_app.extensions["socket_sessions"].add(request.sid, current_user.session_id)


def on_disconnect(*reason):
    metrics.WEBSOCKETS.dec()
    current_app.extensions["socket_sessions"].remove(request.sid)


def _on_sessions_ended(event):
    try:
        socketio.emit("signed_out", {}, to=f"user:{event.user_id}")
    except Exception:
        log.exception("telling user %s their sessions ended failed", event.user_id)
    current_app.extensions["socket_sessions"].sweep()


def init_app(app):
    app.extensions["socket_sessions"] = SocketSessions(app)
    socketio.on_event("disconnect", on_disconnect)
    events.subscribe(app, SessionsEnded, _on_sessions_ended)
