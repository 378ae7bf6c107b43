"""Live events framed once per broadcast under gevent: a room's viewers get the same bytes.

python-socketio encodes a room's event once, but then every viewer's engine.io socket queues
it, a writer greenlet per viewer wakes up (a gevent Timeout per packet), encodes it again, and
wsproto frames it again. At 2,000 viewers that was most of the server's CPU (bench/fanout.py).

Here the WebSocket frame is built once per broadcast and written straight to each viewer's
socket, without blocking, when nothing else is on its way to that viewer. Otherwise (a slow
viewer whose socket is full, a ping being written, a polling client, an upgrade under way) the
packet takes engine.io's usual queue, so the order of what a viewer receives never changes.
Only under gevent: a check-then-write is atomic between greenlets (no switch happens in
between), which is what keeps the order exact; with threads the usual path is kept.
"""

import struct
from socket import MSG_DONTWAIT

import socketio
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from contest import metrics

DIRECT, QUEUED = metrics.LIVE_DELIVERIES.labels("direct"), metrics.LIVE_DELIVERIES.labels("queued")


def text_frame(text):
    """One final, unmasked WebSocket text frame (RFC 6455, 5.2): what a server sends."""
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


class _Framed(bytes):
    """Bytes that are already WebSocket framing: written as they are."""


class _Rest:
    """What a viewer's socket did not take of a frame written straight to it. It goes first in
    the viewer's engine.io queue, so its writer sends it before anything else."""

    packet_type = eio_packet.NOOP

    def __init__(self, data):
        self.data = _Framed(data)

    def encode(self, b64=False):
        return self.data


class FramedWebSocketMixin:
    """Mixed into engine.io's gevent WebSocket driver: keeps the viewer's WebSocket reachable
    from its engine.io socket, writes whole frames with sendall, and knows when it is busy."""

    ws = None
    busy = False
    cooperative = ()  # socket classes that wait on EAGAIN unless their timeout is 0.0 (gevent's)

    def __call__(self, environ, start_response):
        socket = self.app.__self__  # the handler is the engine.io socket's bound method
        socket.framed = self
        try:
            return super().__call__(environ, start_response)
        finally:
            socket.framed = None

    def send(self, message):
        """The viewer's writer greenlet sends through here (pings, queued events, a rest)."""
        if not isinstance(message, str):
            if not isinstance(message, _Framed):
                return super().send(message)
            data = message
        else:
            data = text_frame(message)
        if not self.ws.connected:
            raise OSError("the WebSocket is closed")
        self.busy = True
        try:
            self.ws.sock.sendall(data)
        finally:
            self.busy = False

    def write_now(self, socket, frame):
        """Write `frame` now if nothing is on its way to this viewer and its socket takes it
        without waiting. True when written (the rest, if the socket took only part of it, is
        queued first); False when the caller must queue the packet as usual."""
        ws = self.ws
        if (
            self.busy
            or ws is None
            or not ws.connected
            or not socket.upgraded
            or socket.upgrading
            or socket.closing
            or not socket.queue.empty()
        ):
            return False
        try:
            sent = self._send_at_once(ws.sock, frame)
        except OSError:  # BlockingIOError (full) or a broken socket: the usual path decides
            return False
        if sent < len(frame):
            socket.queue.put(_Rest(frame[sent:]))
        return True

    def _send_at_once(self, sock, frame):
        """What the socket takes now, never waiting: BlockingIOError when it takes nothing."""
        if isinstance(sock, self.cooperative):
            return sock.send(frame, MSG_DONTWAIT, 0.0)
        return sock.send(frame, MSG_DONTWAIT)


class FramedManager(socketio.Manager):
    """A client manager whose broadcasts (no acknowledgement asked) are framed once."""

    def emit(
        self, event, data, namespace, room=None, skip_sid=None, callback=None, to=None, **kwargs
    ):
        if callback is not None or namespace not in self.rooms:
            return super().emit(event, data, namespace, room, skip_sid, callback, to, **kwargs)
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(
            sio_packet.EVENT, namespace=namespace, data=[event, *args]
        ).encode()
        if isinstance(encoded, list):  # binary attachments: the usual path
            return super().emit(event, data, namespace, room, skip_sid, callback, to, **kwargs)
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        packet = eio_packet.Packet(eio_packet.MESSAGE, encoded)
        frame = text_frame(packet.encode())
        sockets, direct, queued = self.server.eio.sockets, 0, 0
        for sid, eio_sid in self.get_participants(namespace, to or room):
            if sid in skip:
                continue
            socket = sockets.get(eio_sid)
            framed = getattr(socket, "framed", None)
            if framed is not None and framed.write_now(socket, frame):
                direct += 1
            else:
                self.server._send_eio_packet(eio_sid, packet)
                queued += 1
        DIRECT.inc(direct)
        QUEUED.inc(queued)


class FramedRedisManager(socketio.RedisManager, FramedManager):
    """The Redis queue's manager: what arrives from Redis is broadcast by FramedManager.emit
    (PubSubManager hands it to the next emit in line, which is FramedManager's)."""


def client_manager(redis_url, channel):
    """The client manager for a gevent server: through Redis when it is configured."""
    if redis_url:
        return FramedRedisManager(redis_url, channel=channel)
    return FramedManager()


def install(server):
    """Use the framing WebSocket driver in this Socket.IO server's engine.io (gevent only)."""
    from gevent.socket import socket as gevent_socket  # only under gevent

    eio = server.eio
    driver = type(
        "FramedWebSocket",
        (FramedWebSocketMixin, eio._async["websocket"]),
        {"cooperative": (gevent_socket,)},
    )
    eio._async = {**eio._async, "websocket": driver}
