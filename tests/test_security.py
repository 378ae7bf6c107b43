"""Security headers on pages and API answers; Socket.IO only from the site's own origin."""

import pytest
import socketio as sio_client
from conftest import Api


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


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/api/v1/auth/logout"),
        ("PUT", "/api/v1/entries/{entry}/rating"),
        ("PATCH", "/api/v1/me"),
        ("DELETE", "/api/v1/entries/{entry}/rating"),
    ],
)
def test_every_state_change_needs_the_csrf_token_and_the_refusal_carries_the_headers(
    api, make_user, make_round, make_entry, method, path
):
    """The CSRF check runs only for the unsafe methods, and for every one of them."""
    author = make_user("author")
    make_user("ana")
    entry = make_entry(make_round("voting").id, author.id)
    api.login("ana")
    assert api.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 4}).status_code == 200
    url = path.format(entry=entry.id)
    refused = api.request(method, url, {"stars": 2, "bio": "x"}, csrf=False)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    assert refused.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in refused.headers["Content-Security-Policy"]
    assert refused.headers["Cache-Control"] == "private, no-store"  # a signed-in API answer
    shown = api.get(f"/api/v1/entries/{entry.id}")  # reads need no token
    assert shown.status_code == 200 and shown.get_json()["rating"]["count"] == 1
    assert api.get("/api/v1/me").get_json()["username"] == "ana"  # still signed in


def test_csrf_can_be_switched_off_after_start(app, api, make_user):
    make_user("ana")
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        r = api.post(
            "/api/v1/auth/login", {"login": "ana", "password": "correct horse"}, csrf=False
        )
        assert r.status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert api.post("/api/v1/auth/logout", csrf=False).status_code == 403


def test_an_answer_keeps_a_header_it_set_itself(client):
    """The defaults are added once, and only where the answer did not set the header."""
    r = client.get("/static/js/api.js")
    assert r.status_code == 200 and r.headers["X-Content-Type-Options"] == "nosniff"
    for name in ("Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"):
        assert len(r.headers.getlist(name)) == 1
    metrics = client.get("/metrics")  # sets its own WWW-Authenticate, gets the defaults too
    assert metrics.headers["X-Frame-Options"] == "DENY"


def test_a_verified_csrf_token_works_only_with_its_own_session(app, api, make_user):
    """Tokens seen before are remembered with their value: reused with another session, or sent
    as a forged header beside a form's good token, they are still refused."""
    make_user("ana")
    make_user("bob")
    api.login("ana")
    for _ in range(2):  # verified, then remembered
        assert api.patch("/api/v1/me", {"bio": "ana"}).status_code == 200
    bob = Api(app.test_client())
    bob.login("bob")
    stolen = bob.patch("/api/v1/me", {"bio": "x"}, csrf=False, headers={"X-CSRFToken": api.token()})
    assert stolen.status_code == 403 and stolen.get_json()["error"]["code"] == "csrf_failed"
    form = bob.client.post(  # a page form with bob's own token, and a forged header
        "/login",
        data={"csrf_token": bob.token(), "login": "bob", "password": "wrong password"},
        headers={"X-CSRFToken": "forged"},
    )
    assert form.status_code == 302  # the form's token passed (bob is signed in: sent home)
    forged = bob.patch("/api/v1/me", {"bio": "x"}, csrf=False, headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 403 and forged.get_json()["error"]["code"] == "csrf_failed"
    assert bob.patch("/api/v1/me", {"bio": "bob"}).status_code == 200


def test_over_https_a_remembered_token_still_needs_a_same_site_referrer(api, make_user):
    make_user("ana")
    https = {"base_url": "https://localhost"}
    good = {"Referer": "https://localhost/profile"}
    assert (
        api.post(
            "/api/v1/auth/login",
            {"login": "ana", "password": "correct horse"},
            headers=good,
            **https,
        ).status_code
        == 200
    )
    for _ in range(2):  # verified, then remembered
        assert api.patch("/api/v1/me", {"bio": "a"}, headers=good, **https).status_code == 200
    for referrer in ({}, {"Referer": "https://evil.example/"}):
        refused = api.patch("/api/v1/me", {"bio": "b"}, headers=referrer, **https)
        assert refused.status_code == 403, referrer
        assert refused.get_json()["error"]["code"] == "csrf_failed"


def test_answers_vary_on_language_and_cookie_but_static_files_do_not(client):
    for path in ("/", "/api/v1/rounds", "/api/v1/nowhere"):
        vary = [v.strip() for v in client.get(path).headers["Vary"].split(",")]
        assert sorted(vary) == ["Accept-Language", "Cookie"], path  # each once
    assert "Vary" not in client.get("/static/js/api.js").headers


def test_a_vary_the_answer_set_is_kept_and_completed():
    from contest.security import SecurityHeaders

    def answer(headers):
        def app(environ, start_response):
            start_response("200 OK", list(headers))
            return [b"ok"]

        seen = {}
        wrapped = SecurityHeaders(
            app, [("X-Frame-Options", "DENY")], vary="Accept-Language, Cookie"
        )
        wrapped({"PATH_INFO": "/x"}, lambda status, h, exc_info=None: seen.update(headers=h))
        return seen["headers"]

    merged = answer([("Vary", "Origin, cookie")])
    assert [v for n, v in merged if n == "Vary"] == ["Origin, cookie, Accept-Language"]
    assert [v for n, v in answer([("Vary", "*")]) if n == "Vary"] == ["*"]
    assert ("Vary", "Accept-Language, Cookie") in answer([])
