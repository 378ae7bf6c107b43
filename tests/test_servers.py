"""Real server processes: events crossing processes through Redis, and dead clients."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import uuid

import pytest
import socketio as sio_client
from helpers import core, wait_for

REDIS_URL = os.environ.get("REDIS_URL")


def watcher(server, room):
    """A real Socket.IO client (websocket transport) that joined a room; collects `rating`."""
    client = sio_client.Client(reconnection=False)
    got = []
    client.on("rating", lambda data: got.append(data))
    client.connect(server.url, transports=["websocket"], wait_timeout=10)
    assert client.call("join", {"room": room}, timeout=5)["ok"]
    return client, got


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no Redis message queue to test")
def test_an_event_in_one_process_reaches_a_client_of_another(
    start_server, make_user, make_round, make_entry
):
    channel = f"ginga-test-{uuid.uuid4().hex[:8]}"
    one = start_server(REDIS_URL=REDIS_URL, SOCKETIO_CHANNEL=channel)
    two = start_server(REDIS_URL=REDIS_URL, SOCKETIO_CHANNEL=channel)
    author = make_user("author")
    make_user("voter")
    entry = make_entry(make_round("open").id, author.id)
    client, got = watcher(two, f"entry:{entry.id}")
    try:
        voter = one.session("voter")
        r = voter.put(f"{one.url}/api/v1/entries/{entry.id}/rating", json={"stars": 5}, timeout=5)
        assert r.status_code == 200, r.text
        wait_for(lambda: got, timeout=10)
        assert core(got[-1]) == {"entry_id": entry.id, **r.json()["rating"]}
    finally:
        client.disconnect()


DEAD_CLIENT = textwrap.dedent("""
    import sys, time, socketio
    c = socketio.Client(reconnection=False)
    c.connect(sys.argv[1], transports=["websocket"])
    print(c.call("join", {"room": sys.argv[2]}), flush=True)
    time.sleep(60)
""")


def test_a_dead_client_never_stops_broadcasts(start_server, make_user, make_round, make_entry):
    server = start_server()
    author = make_user("author")
    for name in ("voter", "other"):
        make_user(name)
    entry = make_entry(make_round("open").id, author.id)
    room = f"entry:{entry.id}"
    dead = subprocess.Popen(
        [sys.executable, "-c", DEAD_CLIENT, server.url, room], stdout=subprocess.PIPE, text=True
    )
    try:
        assert "'ok': True" in dead.stdout.readline()
        client, got = watcher(server, room)
        dead.send_signal(signal.SIGKILL)  # a phone dropping off the network mid-stream
        dead.wait()
        voter, other = server.session("voter"), server.session("other")
        last = None
        for i in range(12):
            api = voter if i % 2 else other
            r = api.put(
                f"{server.url}/api/v1/entries/{entry.id}/rating",
                json={"stars": i % 5 + 1},
                timeout=5,
            )
            assert r.status_code == 200
            last = r.json()["rating"]
            threading.Event().wait(0.1)
        wait_for(lambda: got and core(got[-1]) == {"entry_id": entry.id, **last}, timeout=10)
        client.disconnect()
    finally:
        if dead.poll() is None:
            dead.kill()
            dead.wait()
