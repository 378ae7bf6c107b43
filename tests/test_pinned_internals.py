"""The library internals Ginga reaches into, each named, so that a new release that moves one
fails here with the internal's name rather than as a silent live feed or sign-in fault.

These packages are pinned exactly in requirements.in for that reason. The behaviour built on
them is tested end to end elsewhere: tests/test_live_frames.py (viewers under gevent with the
official Socket.IO client), tests/test_session_cache.py (signed-in requests from the cache).
"""

import inspect

import engineio
import pytest
import socketio
from engineio import packet as eio_packet
from engineio import socket as eio_socket
from socketio import packet as sio_packet

from contest.live_frames import FramedManager, FramedWebSocketMixin, text_frame


def _gevent_websocket_driver():
    gevent_driver = pytest.importorskip("engineio.async_drivers.gevent")
    return gevent_driver._async["websocket"]


def test_engineio_gevent_websocket_driver_keeps_what_the_frame_writer_uses():
    driver = _gevent_websocket_driver()
    source = "".join(inspect.getsource(cls) for cls in driver.__mro__ if cls is not object)
    # FramedWebSocketMixin.__call__ reads self.app.__self__ and send() writes to self.ws.sock
    assert "self.app = handler" in source, "engine.io's WebSocket driver no longer keeps .app"
    assert "self.ws = simple_websocket.Server" in source, "the driver no longer keeps .ws"
    assert callable(getattr(driver, "send", None)), "the driver has no send() to override"
    framed = type("Framed", (FramedWebSocketMixin, driver), {})
    assert framed.send is FramedWebSocketMixin.send


def test_simple_websocket_server_exposes_its_socket_and_state():
    import simple_websocket

    source = inspect.getsource(simple_websocket.ws.Base.__init__)
    assert "self.sock = sock" in source, "simple_websocket no longer keeps the raw socket"
    assert "self.connected" in source, "simple_websocket no longer says whether it is connected"


def test_engineio_socket_keeps_the_flags_and_queue_the_frame_writer_reads():
    source = inspect.getsource(eio_socket)
    for name in ("self.queue", "self.upgrading", "self.upgraded", "self.closing"):
        assert name in source, f"engine.io's Socket no longer has {name}"
    assert eio_packet.NOOP == 6 and eio_packet.MESSAGE == 4
    assert eio_packet.Packet(eio_packet.MESSAGE, "2").encode() == "42"


def test_engineio_server_keeps_its_socket_table_and_async_drivers():
    server = engineio.Server(async_mode="threading")
    assert isinstance(server.sockets, dict), "engine.io's Server no longer keeps .sockets"
    assert "websocket" in server._async, "engine.io's Server no longer has _async['websocket']"


def test_socketio_server_and_manager_keep_what_the_broadcast_uses():
    server = socketio.Server(async_mode="threading")
    assert server.packet_class is sio_packet.Packet
    assert callable(getattr(server, "_send_eio_packet", None)), "no Server._send_eio_packet"
    assert callable(getattr(socketio.Manager, "get_participants", None))
    ours = inspect.signature(FramedManager.emit).parameters
    theirs = inspect.signature(socketio.Manager.emit).parameters
    assert list(theirs)[:8] == list(ours)[:8], "socketio.Manager.emit's arguments changed"
    encoded = server.packet_class(sio_packet.EVENT, namespace="/", data=["rating", {}]).encode()
    frame = text_frame(eio_packet.Packet(eio_packet.MESSAGE, encoded).encode())
    assert frame[2:] == b'42["rating",{}]'


def test_sqlalchemy_builds_a_row_without_running_its_constructor():
    from sqlalchemy.orm import make_transient_to_detached
    from sqlalchemy.orm.instrumentation import manager_of_class

    from contest.models import User

    user = manager_of_class(User).new_instance()
    assert isinstance(user, User)
    user.id, user.username = 7, "someone"
    make_transient_to_detached(user)
    assert user.id == 7 and user.username == "someone"
