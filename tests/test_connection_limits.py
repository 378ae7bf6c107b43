"""One client cannot take a process's threads with live connections: past 10 per address or
3 per session the next is refused at once (429, JSON), and the site keeps answering."""

import time

import pytest
import requests
import websocket
from servers import Gunicorn

CAPS = {"SOCKETS_PER_ADDRESS": 10, "SOCKETS_PER_SESSION": 3}


def _open(url, cookie=None):
    """A raw engine.io websocket; its first frame is engine.io's open packet."""
    ws = websocket.create_connection(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket",
        timeout=5,
        cookie=cookie,
    )
    assert ws.recv().startswith("0{")
    return ws


def test_a_hundred_sockets_from_one_client_leave_the_site_answering(start_server):
    server = start_server(server_class=Gunicorn, **CAPS)  # 32 threads
    held, refused = [], 0
    try:
        for _ in range(100):
            try:
                held.append(_open(server.url))
            except websocket.WebSocketBadStatusException as error:
                assert error.status_code == 429
                refused += 1
        assert len(held) == 10 and refused == 90
        started = time.monotonic()
        health = requests.get(server.url + "/healthz", timeout=5)
        assert health.status_code == 200 and time.monotonic() - started < 1
        answer = requests.get(server.url + "/socket.io/?EIO=4&transport=polling", timeout=5)
        assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
        assert answer.json()["error"]["code"] == "too_many_connections"
        held.pop().close()  # one closes: one more may open
        deadline = time.monotonic() + 5
        while True:
            try:
                held.append(_open(server.url))
                break
            except websocket.WebSocketBadStatusException:
                assert time.monotonic() < deadline, "a closed socket never gave its place back"
                time.sleep(0.05)
    finally:
        for ws in held:
            ws.close()


def test_one_session_holds_at_most_three(start_server, make_user):
    make_user("ana")
    server = start_server(server_class=Gunicorn, **CAPS)
    session = server.session("ana", password="correct horse")
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    held = [_open(server.url, cookie) for _ in range(3)]
    try:
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            _open(server.url, cookie)
        assert refused.value.status_code == 429
        held.append(_open(server.url))  # the same address without that session still may
    finally:
        for ws in held:
            ws.close()
