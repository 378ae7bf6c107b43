"""The HTTP client pushes go out through: resolved and checked at connection time, no
redirects, and a wall-clock deadline for the whole send.

requests-hardened resolves the endpoint's host when the connection opens, refuses a private,
loopback, link-local, multicast or reserved address, and connects to the address it checked
(so a name that resolves to a public address for the check and to 127.0.0.1 a moment later
cannot slip through). requests' timeouts are per read: an endpoint that trickles a header line
every few seconds held a job for 96 s. `deadline` shuts the connection down when the whole
send has taken too long, wherever it is (connecting, TLS, writing or reading).
"""

import socket
import threading
from contextlib import contextmanager

from requests.adapters import HTTPAdapter
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter_adapter import IPFilterAdapter


class TooSlow(Exception):
    """The push service did not answer within the send's deadline."""


class _Watched:
    """Adapter mix-in: remembers every connection it opens, so they can be cut."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections = []

    def get_connection_with_tls_context(self, *args, **kwargs):
        pool = super().get_connection_with_tls_context(*args, **kwargs)
        if not getattr(pool, "_watched", False):
            new_conn, connections = pool._new_conn, self.connections

            def watched():
                conn = new_conn()
                connections.append(conn)
                return conn

            pool._new_conn, pool._watched = watched, True
        return pool

    def cut(self):
        for conn in self.connections:
            sock = getattr(conn, "sock", None)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class _WatchedFilter(_Watched, IPFilterAdapter):
    pass


class _WatchedPlain(_Watched, HTTPAdapter):
    pass


def session(allow_private=False):
    """A requests session for one send: no redirects, addresses checked unless allowed."""
    config = Config(
        ip_filter_enable=False,
        ip_filter_allow_loopback_ips=False,
        never_redirect=True,
        default_timeout=(5, 5),
    )
    sess = HTTPSession(config)
    for prefix in ("http://", "https://"):
        if allow_private:
            adapter = _WatchedPlain()
        else:
            adapter = _WatchedFilter(is_https_proto=prefix == "https://")
        sess.mount(prefix, adapter)
    return sess


@contextmanager
def deadline(sess, seconds):
    """Cut every connection of `sess` once `seconds` have passed; TooSlow if that happened."""
    fired = threading.Event()

    def cut():
        fired.set()
        for adapter in sess.adapters.values():
            if isinstance(adapter, _Watched):
                adapter.cut()

    timer = threading.Timer(seconds, cut)
    timer.daemon = True
    timer.start()
    try:
        yield
    except Exception:
        if fired.is_set():
            raise TooSlow(f"no answer within {seconds:g} s") from None
        raise
    else:
        # a cut connection can read as an answer that ended early: it still took too long
        if fired.is_set():
            raise TooSlow(f"no answer within {seconds:g} s")
    finally:
        timer.cancel()
        sess.close()
