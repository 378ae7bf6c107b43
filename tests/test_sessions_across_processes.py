"""Two app processes behind one Redis: a ban on process A closes the fan's socket held open
on process B, even for a client that ignores the `signed_out` event (B's own sweep)."""

import os
import uuid

import pytest
import socketio as sio_client
from helpers import wait_for

REDIS_URL = os.environ.get("REDIS_URL")
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="REDIS_URL is not set: no Redis message queue between processes"
)


@pytest.fixture
def servers_config():
    """For the server processes only: the in-process app keeps no queue (the Socket.IO
    singleton would keep it, and later socket test clients refuse a queue)."""
    return {
        "REDIS_URL": REDIS_URL,
        "SOCKETIO_CHANNEL": f"ginga-sessions-{uuid.uuid4().hex[:10]}",
        "JOB_QUEUE": "threads",
        "SOCKET_SWEEP_SECONDS": 1,
    }


def test_a_ban_on_one_process_closes_the_socket_on_another(start_server, servers_config, make_user):
    make_user("mod", role="moderator")
    make_user("ana")
    a, b = start_server(**servers_config), start_server(**servers_config)
    ana = b.session("ana")
    client = sio_client.Client(reconnection=False)
    told = []
    client.on("signed_out", lambda data: told.append(data))  # heard, and ignored on purpose
    cookie = "; ".join(f"{c.name}={c.value}" for c in ana.cookies)
    client.connect(b.url, headers={"Cookie": cookie}, transports=["websocket"])
    watcher = sio_client.Client(reconnection=False)
    watcher.connect(b.url, transports=["websocket"])
    try:
        assert client.connected
        banned = a.session("mod").post(
            f"{a.url}/api/v1/moderation/users/ana",
            json={"action": "ban", "reason": "abuse"},
            timeout=10,
        )
        assert banned.status_code == 200, banned.text
        assert wait_for(lambda: told, timeout=10)  # the event crossed the message queue
        assert wait_for(lambda: not client.connected, timeout=10)  # and B closed the socket
        assert watcher.connected
        assert ana.get(f"{b.url}/api/v1/me", timeout=5).status_code == 401
    finally:
        for c in (client, watcher):
            if c.connected:
                c.disconnect()
