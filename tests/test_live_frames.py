"""Live events under gevent, framed once per broadcast (contest/live_frames.py): every viewer
gets every event of its room, in order, whether its socket takes them at once or not."""

import json
import os
import re
import socket
import uuid
from urllib.parse import urlsplit

import pytest
import requests
import socketio as sio_client
from helpers import wait_for
from servers import Gunicorn
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, Request, TextMessage
from wsproto.frame_protocol import FrameProtocol, Opcode

from contest.live_frames import text_frame

REDIS_URL = os.environ.get("REDIS_URL")
GEVENT = {"WORKER_CLASS": "gevent"}


@pytest.mark.parametrize(
    "text",
    ["", "2", "x" * 125, "x" * 126, "y" * 65535, "y" * 65536, "é" * 40000, '42["⚽ ทดสอบ 中文"]'],
)
def test_a_frame_is_what_a_websocket_client_reads(text):
    protocol = FrameProtocol(client=True, extensions=[])
    protocol.receive_bytes(text_frame(text) * 2)
    messages, parts = [], []
    for frame in protocol.received_frames():
        assert frame.opcode in (Opcode.TEXT, Opcode.CONTINUATION)
        parts.append(frame.payload)
        if frame.message_finished:
            messages.append("".join(parts))
            parts = []
    assert messages == [text, text]


def _deliveries(server):
    text = requests.get(
        f"{server.url}/metrics", headers={"Authorization": "Bearer tok"}, timeout=10
    ).text
    found = dict(re.findall(r'^ginga_live_deliveries_total\{path="(\w+)"\} (\S+)$', text, re.M))
    return {path: float(value) for path, value in found.items()}


def _viewer(server, room, transports=("websocket",)):
    client = sio_client.Client(reconnection=False)
    got = []
    client.on("rating", lambda data: got.append(data))
    client.connect(server.url, transports=list(transports))
    assert client.call("join", {"room": room}, timeout=5)["ok"]
    return client, got


# straight to WebSocket (our pages), and long-polling first then the upgrade (the client's default)
@pytest.mark.parametrize("transports", [("websocket",), ("polling", "websocket")])
def test_viewers_under_gevent_get_every_rating_event(
    start_server, make_user, make_round, make_entry, transports
):
    server = start_server(
        env=GEVENT, server_class=Gunicorn, METRICS_TOKEN="tok", JOB_QUEUE="threads"
    )
    author = make_user("author")
    entry = make_entry(make_round("open").id, author.id)
    viewers = [_viewer(server, f"entry:{entry.id}", transports) for _ in range(4)]
    for client, _ in viewers:
        wait_for(lambda client=client: client.transport() == "websocket", timeout=10)
    try:
        for i in range(6):
            make_user(f"fan{i}")
            fan = server.session(f"fan{i}")
            r = fan.put(f"{server.url}/api/v1/entries/{entry.id}/rating", json={"stars": 1 + i % 5})
            assert r.status_code == 200, r.text
        final = r.json()["rating"]
        for _, got in viewers:
            wait_for(lambda got=got: got and got[-1]["count"] == final["count"], timeout=10)
            counts = [event["count"] for event in got]
            assert counts == sorted(counts)  # never an older value after a newer one
            assert got[-1]["average"] == final["average"]
        assert _deliveries(server)["direct"] >= 4  # written straight to the idle viewers
    finally:
        for client, _ in viewers:
            client.disconnect()


class RawViewer:
    """A WebSocket viewer that can stop reading (a phone on a bad line): its socket fills."""

    def __init__(self, url, room, receive_buffer=4096):
        where = urlsplit(url)
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(20)
        self.sock.connect((where.hostname, where.port))
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.pending = []
        target = "/socket.io/?EIO=4&transport=websocket"
        self.sock.sendall(self.ws.send(Request(host=where.netloc, target=target)))
        assert self.next_message().startswith("0{")  # engine.io open
        self.send("40")
        assert self.next_message().startswith("40{")  # socket.io connect
        self.send('421["join",' + json.dumps({"room": room}) + "]")
        assert json.loads(self.next_message()[3:])[0]["ok"]

    def send(self, text):
        self.sock.sendall(self.ws.send(TextMessage(data=text)))

    def next_message(self):
        parts = []
        while True:
            while not self.pending:
                self.ws.receive_data(self.sock.recv(65536))
                self.pending.extend(self.ws.events())
            event = self.pending.pop(0)
            if isinstance(event, AcceptConnection):
                continue
            assert isinstance(event, TextMessage), event
            parts.append(event.data)
            if event.message_finished:
                message = "".join(parts)
                if message == "2":  # engine.io ping
                    self.send("3")
                    parts = []
                    continue
                return message

    def close(self):
        self.sock.close()


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: events come through Redis")
def test_a_viewer_that_stops_reading_gets_everything_later_and_holds_no_one_up(
    start_server, make_user, make_round, make_entry
):
    channel = f"ginga-frames-{uuid.uuid4().hex[:8]}"
    server = start_server(
        env=GEVENT,
        server_class=Gunicorn,
        METRICS_TOKEN="tok",
        REDIS_URL=REDIS_URL,
        SOCKETIO_CHANNEL=channel,
        JOB_QUEUE="threads",
    )
    entry = make_entry(make_round("open").id, make_user("author").id)
    room = f"entry:{entry.id}"
    slow = RawViewer(server.url, room)
    fast, got = _viewer(server, room)
    # another process broadcasting through Redis, as the rating writer of any process does
    emitter = sio_client.RedisManager(REDIS_URL, channel=channel, write_only=True)
    try:
        total, pad = 3000, "x" * 4000  # 12 MB: more than the slow viewer's socket can hold
        for seq in range(total):
            emitter.emit("rating", {"seq": seq, "pad": pad}, room=room, namespace="/")
        # the fast viewer gets all of it while the slow one reads nothing
        wait_for(lambda: len(got) == total, timeout=60)
        assert [event["seq"] for event in got] == list(range(total))
        deliveries = _deliveries(server)
        assert deliveries["queued"] > 0  # the slow viewer's socket was full: queued for it
        assert deliveries["direct"] > 0  # written straight while a socket had room
        assert deliveries["direct"] + deliveries["queued"] == 2 * total
        seqs = []
        while len(seqs) < total:
            message = slow.next_message()
            assert message.startswith("42")  # whole frames: a message, never a torn one
            event, data = json.loads(message[2:])
            assert event == "rating" and data["pad"] == pad
            seqs.append(data["seq"])
        assert seqs == list(range(total))
    finally:
        fast.disconnect()
        slow.close()
        emitter.redis.close()
