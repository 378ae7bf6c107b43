"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives, and one that
accepts connections and never answers."""

import email
import email.policy
import socket
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from servers import free_port


class _Keep:
    def __init__(self, received):
        self.received = received

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(message)
        return "250 OK"


class MailServer:
    """aiosmtpd on a free port; `login=(user, password)` makes it ask for that login."""

    def __init__(self, port=None, login=None):
        self.port = port or free_port()
        self.login = login
        self.received = []
        self.controller = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == tuple(self.login)
        return AuthResult(success=ok, handled=False)

    def start(self):
        options = {}
        if self.login:
            options = {
                "authenticator": self._authenticate,
                "auth_require_tls": False,
                "auth_required": True,
            }
        self.controller = Controller(
            _Keep(self.received), hostname="127.0.0.1", port=self.port, **options
        )
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def config(self, **extra):
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, **extra}

    def wait_for(self, to, count=1, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [m for m in self.received if m["To"] == to]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no mail to {to} within {timeout} s: {len(self.received)} in all")


class SilentServer:
    """Accepts TCP connections on a free port and never says a word (until stopped)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.accepted = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        self.sock.settimeout(0.2)
        while not self.stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(conn)

    def stop(self):
        self.stopping.set()
        self.thread.join(5)
        for conn in self.accepted:
            conn.close()
        self.sock.close()
