"""Live updates over Socket.IO: rooms, rating and leaderboard events, coalescing."""

import time

import pytest
from helpers import core, events, make_video, upload_video, wait_for

from contest import live


@pytest.fixture
def contest(make_user, make_round, make_entry, new_api):
    a, b = make_user("alice"), make_user("bob")
    make_user("voter")
    round_ = make_round("open")
    first = make_entry(round_.id, a.id, title="Rabona")
    second = make_entry(round_.id, b.id, title="Elastico")
    return {"round": round_, "first": first, "second": second, "voter": new_api("voter")}


def rated(voter, entry_id, stars):
    response = voter.put(f"/api/v1/entries/{entry_id}/rating", {"stars": stars})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_anonymous_viewer_of_an_entry_sees_the_rating_move(contest, socket_client):
    viewer = socket_client()
    entry = contest["first"]
    assert viewer.emit("join", {"room": f"entry:{entry.id}"}, callback=True) == {
        "ok": True,
        "room": f"entry:{entry.id}",
    }
    answer = rated(contest["voter"], entry.id, 5)
    got = wait_for(lambda: events(viewer, "rating"), timeout=5)
    assert core(got[-1]) == {"entry_id": entry.id, **answer["rating"]}


def test_round_viewers_get_rating_and_leaderboard_reordering(contest, socket_client):
    viewer = socket_client()
    viewer.emit("join", {"room": f"round:{contest['round'].id}"}, callback=True)
    rated(contest["voter"], contest["second"].id, 5)
    received = []

    def leaderboard_with_second_on_top():
        received.extend(viewer.get_received())
        boards = [e["args"][0] for e in received if e["name"] == "leaderboard"]
        return boards and boards[-1]["top"][0]["entry_id"] == contest["second"].id and boards[-1]

    board = wait_for(leaderboard_with_second_on_top, timeout=5)
    assert board["round_id"] == contest["round"].id
    assert [row["rank"] for row in board["top"]] == [1, 2]
    assert set(board["top"][0]) >= {"entry_id", "rank", "score", "count"}
    assert any(e["name"] == "rating" for e in received)
    # a rating for the other entry flips the order
    time.sleep(0.3)
    received.clear()
    make = contest["voter"]
    rated(make, contest["second"].id, 1)
    rated(make, contest["first"].id, 5)

    def first_on_top():
        received.extend(viewer.get_received())
        boards = [e["args"][0] for e in received if e["name"] == "leaderboard"]
        return boards and boards[-1]["top"][0]["entry_id"] == contest["first"].id

    wait_for(first_on_top, timeout=5)


def test_updates_are_coalesced_and_end_with_the_latest_value(
    contest, socket_client, new_api, make_user
):
    viewer = socket_client()
    entry = contest["first"]
    viewer.emit("join", {"room": f"entry:{entry.id}"}, callback=True)
    voters = []
    for i in range(6):
        make_user(f"fan{i}")
        voters.append(new_api(f"fan{i}"))
    start = time.monotonic()
    last = None
    for i in range(30):
        last = rated(voters[i % 6], entry.id, i % 5 + 1)["rating"]
    elapsed = time.monotonic() - start
    time.sleep(0.6)
    got = [e for e in events(viewer, "rating") if e["entry_id"] == entry.id]
    assert core(got[-1]) == {"entry_id": entry.id, **last}
    # at most one event per 250 ms window, plus the first and the trailing one
    assert len(got) <= elapsed / 0.25 + 2, (len(got), elapsed)
    assert len(got) < 30


def test_a_rounds_leaderboard_is_read_once_per_interval_and_ends_with_the_latest(
    make_user, make_round, make_entry, new_api, socket_client
):
    """Ratings on many clips of one round: one `rating` per clip, but the round's board is
    read and sent at most once per interval, and the last board shows every rating."""
    author = make_user("author")
    make_user("voter")
    round_ = make_round("voting")
    clips = [make_entry(round_.id, author.id, title=f"Clip {i}") for i in range(8)]
    viewer = socket_client()
    viewer.emit("join", {"room": f"round:{round_.id}"}, callback=True)
    voter = new_api("voter")
    start = time.monotonic()
    for stars, clip in enumerate(clips[2:], start=0):
        rated(voter, clip.id, stars % 5 + 1)
    elapsed = time.monotonic() - start
    rated_ids = {clip.id for clip in clips[2:]}
    received = []

    def every_rating_on_the_board():
        received.extend(viewer.get_received())
        boards = [e["args"][0] for e in received if e["name"] == "leaderboard"]
        counted = {row["entry_id"] for row in boards[-1]["top"] if row["count"]} if boards else ()
        return counted == rated_ids

    wait_for(every_rating_on_the_board, timeout=5)
    boards = [e for e in received if e["name"] == "leaderboard"]
    ratings = {e["args"][0]["entry_id"] for e in received if e["name"] == "rating"}
    assert ratings == rated_ids
    # the first board at once, then at most one per 250 ms window, plus the trailing one
    assert len(boards) <= elapsed / 0.25 + 2, (len(boards), elapsed)


def test_join_refusals(contest, socket_client, make_entry, make_user):
    viewer = socket_client()
    hidden = make_entry(contest["round"].id, make_user("zed").id, status="hidden")
    cases = [
        ({"room": "lobby"}, "invalid_room"),
        ({"room": "entry:abc"}, "invalid_room"),
        ("entry:1", "invalid_room"),
        ({"room": "entry:999999"}, "entry_not_found"),
        ({"room": f"entry:{hidden.id}"}, "entry_not_found"),
        ({"room": "round:999999"}, "round_not_found"),
    ]
    for data, code in cases:
        answer = viewer.emit("join", data, callback=True)
        assert answer["error"]["code"] == code, data
    rated(contest["voter"], hidden.id - 1, 4)  # an event elsewhere
    time.sleep(0.4)
    assert events(viewer, "rating") == []


def test_uploader_gets_entry_status_live(make_user, make_round, new_api, socket_client, tmp_path):
    make_user("ana")
    ana = new_api("ana")
    sio = socket_client(ana.client)
    entry_id = upload_video(ana, make_round("open").id, make_video(tmp_path))

    def went_live():
        return [e for e in events(sio, "entry_status") if e["status"] == "live"]

    assert wait_for(went_live, timeout=20)[0]["entry_id"] == entry_id


def test_a_failing_emit_never_stops_later_broadcasts(contest, socket_client, app, monkeypatch):
    viewer = socket_client()
    entry = contest["first"]
    viewer.emit("join", {"room": f"entry:{entry.id}"}, callback=True)
    real_emit = live.socketio.emit
    calls = {"n": 0}

    def flaky_emit(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ConnectionError("client socket is closed")  # what a dead client can raise
        return real_emit(*args, **kwargs)

    monkeypatch.setattr(live.socketio, "emit", flaky_emit)
    rated(contest["voter"], entry.id, 2)
    time.sleep(0.5)
    answer = rated(contest["voter"], entry.id, 4)
    got = wait_for(
        lambda: [e for e in events(viewer, "rating") if e["count"] == 1 and e["average"] == 4.0],
        timeout=5,
    )
    assert core(got[-1]) == {"entry_id": entry.id, **answer["rating"]}


def _websocket_upgrade(url):
    """Open a raw WebSocket to Socket.IO offering permessage-deflate, as every browser does;
    returns the handshake answer's headers and the first frame's first byte."""
    import base64
    import os
    import socket
    from urllib.parse import urlsplit

    where = urlsplit(url)
    with socket.create_connection((where.hostname, where.port), timeout=10) as conn:
        key = base64.b64encode(os.urandom(16)).decode()
        conn.sendall(
            (
                "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                f"Host: {where.netloc}\r\nOrigin: {url}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
            ).encode()
        )
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer) <= answer.index(b"\r\n\r\n") + 4:
            chunk = conn.recv(4096)
            assert chunk, answer
            answer += chunk
        head, _, frames = answer.partition(b"\r\n\r\n")
    status, *lines = head.decode().split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    return status, headers, frames[0]


@pytest.mark.parametrize("kind", ["threads", "gunicorn"])
def test_live_sockets_decline_compression(start_server, kind):
    """Events are a few hundred bytes: deflating each once per viewer cost more CPU than sending
    it, and a zlib state per open socket. The browser's offer is declined; the socket works."""
    from servers import Gunicorn, Server

    server = start_server(server_class=Gunicorn if kind == "gunicorn" else Server)
    status, headers, first = _websocket_upgrade(server.url)
    assert " 101 " in status, status
    assert "sec-websocket-extensions" not in headers, headers
    assert first == 0x81  # FIN, text, RSV1 clear: Engine.IO's open packet, not compressed
