"""Live connections per client: a cap per address and per session, checked before Socket.IO.

Every open websocket (and every long-poll waiting for its next event) holds a gthread thread
or a gevent greenlet for as long as it lasts. One anonymous client opening 100 websockets took
all of a process's threads: the 101st hung and /healthz timed out for 30 s. Here each request
under /socket.io/ counts against its client's address (SOCKETS_PER_ADDRESS, 10) and, when it
carries one, its session cookie (SOCKETS_PER_SESSION, 3) while it is in flight; one over is
answered at once with 429 and a JSON error, and never reaches engine.io.

This is a WSGI middleware inside ProxyFix (so the address is the fan's, not nginx's), and the
counts are per process: with several processes behind nginx, nginx's limit_conn caps the whole
site (deploy/nginx.conf).
"""

import hashlib
import json
import threading

from werkzeug.wsgi import ClosingIterator


class ConnectionLimits:
    def __init__(self, app, per_address, per_session, cookie_name="session", path="/socket.io"):
        self.app = app
        self.per_address, self.per_session = per_address, per_session
        self.cookie = cookie_name + "="
        self.path = path
        self._counts = {}
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        if not environ.get("PATH_INFO", "").startswith(self.path):
            return self.app(environ, start_response)
        keys = self._keys(environ)
        if not self._take(keys):
            return self._refuse(start_response)
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._release(keys)
            raise
        return ClosingIterator(result, lambda: self._release(keys))

    def open_for(self, address):
        """How many live connections this address holds now (for tests and metrics)."""
        return self._counts.get(("address", address), 0)

    def _keys(self, environ):
        keys = [(("address", environ.get("REMOTE_ADDR", "")), self.per_address)]
        for part in environ.get("HTTP_COOKIE", "").split(";"):
            part = part.strip()
            if part.startswith(self.cookie) and len(part) > len(self.cookie):
                digest = hashlib.sha256(part.encode()).hexdigest()[:32]
                keys.append((("session", digest), self.per_session))
                break
        return keys

    def _take(self, keys):
        with self._lock:
            if any(limit and self._counts.get(key, 0) >= limit for key, limit in keys):
                return False
            for key, _limit in keys:
                self._counts[key] = self._counts.get(key, 0) + 1
            return True

    def _release(self, keys):
        with self._lock:
            for key, _limit in keys:
                left = self._counts.get(key, 0) - 1
                if left > 0:
                    self._counts[key] = left
                else:
                    self._counts.pop(key, None)

    @staticmethod
    def _refuse(start_response):
        body = json.dumps(
            {
                "error": {
                    "code": "too_many_connections",
                    "message": "Too many live connections from this device or network: "
                    "close a tab or two and try again.",
                }
            }
        ).encode()
        start_response(
            "429 Too Many Requests",
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                ("Retry-After", "10"),
                ("Cache-Control", "no-store"),
            ],
        )
        return [body]
