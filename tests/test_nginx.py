"""deploy/nginx/ in front of a real gunicorn: sockets capped, slowloris and slow bodies held
and cut by nginx (the site keeps answering), upload parts still streamed to the app, and
nginx's own refusals in the API's JSON shape. Needs Debian's nginx (skips without it)."""

import http.client
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import requests
import websocket
from servers import Gunicorn, free_port

DEPLOY = Path(__file__).resolve().parent.parent / "deploy" / "nginx"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(not NGINX, reason="no nginx here (apt-get install nginx)")


class Nginx:
    """nginx in one foreground process on 127.0.0.1, with the deployed http and server files
    (only the checkout's path changed), in front of `upstream_port`."""

    def __init__(self, folder, upstream_port):
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.body_temp = folder / "body"
        self.body_temp.mkdir()
        root = str(DEPLOY.parent.parent)
        server_conf = folder / "ginga-server.conf"
        server_conf.write_text(
            (DEPLOY / "ginga-server.conf").read_text().replace("/srv/ginga", root)
        )
        (folder / "nginx.conf").write_text(
            f"""
daemon off;
master_process off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {self.body_temp};
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {DEPLOY}/ginga-http.conf;
    upstream ginga {{ server 127.0.0.1:{upstream_port}; keepalive 8; }}
    server {{
        listen 127.0.0.1:{self.port};
        include {server_conf};
    }}
}}
"""
        )
        self.process = subprocess.Popen(
            [NGINX, "-c", str(folder / "nginx.conf"), "-p", str(folder)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = (
                        (folder / "error.log").read_text()
                        if (folder / "error.log").exists()
                        else ""
                    )
                    raise RuntimeError(f"nginx did not start: {log}") from None
                time.sleep(0.05)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def site(start_server, tmp_path):
    app_server = start_server(
        server_class=Gunicorn, PROXY_HOPS=1, SOCKETS_PER_ADDRESS=10, SOCKETS_PER_SESSION=3
    )  # 32 threads
    (tmp_path / "nginx").mkdir()
    front = Nginx(tmp_path / "nginx", app_server.port)
    yield front
    front.stop()


def _healthy_within(url, seconds=1.0):
    started = time.monotonic()
    answer = requests.get(url + "/healthz", timeout=5)
    took = time.monotonic() - started
    assert answer.status_code == 200 and took < seconds, (answer.status_code, took)
    return True


def test_sockets_are_capped_and_the_site_answers(site):
    held, refused = [], 0
    try:
        for _ in range(40):
            try:
                ws = websocket.create_connection(
                    site.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket",
                    timeout=5,
                    # nginx passes Host without the port, as on 443: the page's origin then
                    origin="http://127.0.0.1",
                )
                assert ws.recv().startswith("0{")
                held.append(ws)
            except websocket.WebSocketBadStatusException as error:
                assert error.status_code == 429
                refused += 1
        assert len(held) == 10 and refused == 30
        assert _healthy_within(site.url)
        over = requests.get(site.url + "/socket.io/?EIO=4&transport=polling", timeout=5)
        assert over.status_code == 429 and over.json()["error"]["code"]
    finally:
        for ws in held:
            ws.close()


def test_slowloris_and_slow_bodies_are_held_by_nginx_and_cut(site):
    """More slow clients than gunicorn has threads (32): the site still answers at once."""
    slow = []
    try:
        for _n in range(60):  # headers that never end
            sock = socket.create_connection(("127.0.0.1", site.port), timeout=5)
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1")
            slow.append(sock)
        for _n in range(40):  # a body that stops after a few bytes
            sock = socket.create_connection(("127.0.0.1", site.port), timeout=5)
            sock.sendall(
                b"POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b'Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"lo'
            )
            slow.append(sock)
        assert _healthy_within(site.url)
        # this address is at its cap (429, JSON); another fan's address is served at once
        capped = requests.get(site.url + "/api/v1/rounds", timeout=5)
        assert capped.status_code == 429 and capped.json()["error"]["code"] == "rate_limited"
        other = http.client.HTTPConnection(
            "127.0.0.1", site.port, timeout=5, source_address=("127.0.0.2", 0)
        )
        started = time.monotonic()
        other.request("GET", "/api/v1/rounds", headers={"Host": "127.0.0.1"})
        assert other.getresponse().status == 200 and time.monotonic() - started < 1
        other.close()
        # nginx cuts them after client_header_timeout / client_body_timeout (10 s)
        deadline = time.monotonic() + 25
        for sock in slow:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                data = sock.recv(4096)
            except TimeoutError:
                pytest.fail("a slow client was still connected after 25 s")
            except ConnectionResetError:
                data = b""
            # closed, timed out (408), or refused at once for being over the address's cap
            assert data == b"" or data[:12] in (b"HTTP/1.1 408", b"HTTP/1.1 400", b"HTTP/1.1 429")
    finally:
        for sock in slow:
            sock.close()


def test_upload_parts_stream_to_the_app_other_bodies_are_buffered(site, make_user, make_round):
    """A part reaches the app while it is still arriving (the app answers a part over its
    size before the body is sent); any other body is read whole by nginx first."""
    make_user("ana")
    round_ = make_round("open")
    api = requests.Session()
    api.headers["X-CSRFToken"] = api.get(site.url + "/api/v1/csrf", timeout=5).json()["csrf_token"]
    signed_in = api.post(
        site.url + "/api/v1/auth/login", json={"login": "ana", "password": "correct horse"}
    )
    assert signed_in.status_code == 200
    body = {"round_id": round_.id, "title": "Streamed", "filename": "a.mp4", "size": 6000}
    started = api.post(site.url + "/api/v1/uploads", json={**body, "content_type": "video/mp4"})
    assert started.status_code == 201, started.text
    part = started.json()["parts"][0]["url"]
    path = "/" + part.split("://", 1)[-1].split("/", 1)[1] if "://" in part else part
    cookies = "; ".join(f"{c.name}={c.value}" for c in api.cookies)

    def begin(method, path, size):
        sock = socket.create_connection(("127.0.0.1", site.port), timeout=3)
        sock.sendall(
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookies}\r\n"
            f"X-CSRFToken: {api.headers['X-CSRFToken']}\r\n"
            f"Content-Type: application/octet-stream\r\nContent-Length: {size}\r\n\r\n".encode()
            + b"\0" * 1000
        )
        return sock

    def spooled():
        """Request bodies nginx holds on disk now (it unlinks them at once: read its fds)."""
        fds = Path(f"/proc/{site.process.pid}/fd")
        found = []
        for fd in fds.iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith(str(site.body_temp)):
                found.append(target)
        return found

    # a part far over UPLOAD_PART_SIZE: the app refuses it from its headers, mid-body
    streaming = begin("PUT", path, 2_000_000)
    answer = streaming.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413") and b"request_id" in answer  # the app's answer
    streaming.close()
    assert spooled() == []  # and nothing went to nginx's disk
    # the same start of a body anywhere else: nginx waits for all of it, on its disk
    buffered = begin("POST", "/api/v1/auth/login", 2_000_000)
    buffered.sendall(b"\0" * 200_000)
    deadline = time.monotonic() + 5
    while not spooled():
        if time.monotonic() > deadline:
            buffered.settimeout(1)
            pytest.fail(f"nginx did not buffer an ordinary body: {buffered.recv(4096)[:300]}")
        time.sleep(0.05)
    buffered.settimeout(1)
    with pytest.raises(TimeoutError):
        buffered.recv(4096)  # no answer: the app has not seen it
    buffered.close()
    # and a whole part still goes through
    whole = api.put(
        site.url + path, data=b"\0" * 6000, headers={"Content-Type": "application/octet-stream"}
    )
    assert whole.status_code == 200, whole.text


def test_nginx_refusals_carry_the_json_error_shape(site):
    long_url = requests.get(site.url + "/api/v1/rounds?q=" + "x" * 9000, timeout=5)
    assert long_url.status_code == 414
    assert long_url.json()["error"]["code"] == "uri_too_long"
    big_header = requests.get(site.url + "/api/v1/rounds", headers={"X-Big": "y" * 9000}, timeout=5)
    assert big_header.status_code == 400 and big_header.json()["error"]["message"]
    too_big = requests.post(site.url + "/api/v1/auth/login", data=b"x" * (10 * 1024 * 1024))
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"
