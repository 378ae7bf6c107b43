"""Security headers on pages and API answers; Socket.IO only from the site's own origin."""

import pytest
import socketio as sio_client


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/rounds", "/api/v1/nowhere"])
def test_headers_on_pages_and_api(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_carry_no_inline_script(client, make_round):
    make_round("open")
    for path in ("/", "/login", "/register", "/hall-of-fame"):
        html = client.get(path).data.decode()
        assert "<script>" not in html and " on" + "submit=" not in html and "onclick=" not in html


def test_session_cookie_is_httponly_and_samesite_lax(api, make_user):
    make_user("ana")
    response = api.post("/api/v1/auth/login", {"login": "ana", "password": "correct horse"})
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_secure_cookies_when_served_over_https(app, make_user, new_api):
    app.config["SESSION_COOKIE_SECURE"] = True
    make_user("ana")
    response = new_api().post("/api/v1/auth/login", {"login": "ana", "password": "correct horse"})
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "Secure" in cookie


def test_socketio_refuses_other_origins(start_server):
    server = start_server()
    friend = sio_client.Client(reconnection=False)
    friend.connect(server.url, transports=["polling"], headers={"Origin": server.url})
    assert friend.connected
    friend.disconnect()
    stranger = sio_client.Client(reconnection=False)
    with pytest.raises(sio_client.exceptions.ConnectionError):
        stranger.connect(
            server.url,
            transports=["polling"],
            headers={"Origin": "http://evil.example"},
            wait_timeout=5,
        )
