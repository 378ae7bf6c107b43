"""Session cookies are verified once per process, yet a forged, expired or edited cookie is
still refused, and what one request changes in its session never reaches another's."""

import time
from datetime import timedelta

import pytest
from flask import request

from contest.cookie_sessions import RememberingSessionInterface


def _warm(api):
    for _ in range(2):
        assert api.get("/api/v1/me").status_code == 200


def test_a_forged_cookie_is_refused_after_the_real_one_was_seen(app, api, client, make_user):
    make_user("ana")
    api.login("ana")
    _warm(api)
    real = client.get_cookie("session").value
    payload, signature = real.rsplit(".", 1)
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    client.set_cookie("session", forged)
    answer = api.get("/api/v1/me")
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "not_signed_in"
    client.set_cookie("session", real)
    assert api.get("/api/v1/me").status_code == 200


def test_an_expired_cookie_is_refused_even_when_remembered(app, api, make_user):
    make_user("ana")
    api.login("ana")
    _warm(api)
    interface = app.session_interface
    assert isinstance(interface, RememberingSessionInterface) and interface._verified
    lifetime = app.permanent_session_lifetime.total_seconds()
    interface.clock = lambda: time.time() + lifetime + 60
    try:
        assert api.get("/api/v1/me").status_code == 401
    finally:
        interface.clock = time.time
    app.permanent_session_lifetime = timedelta(seconds=-1)  # signed "in the future": refused
    assert api.get("/api/v1/me").status_code == 401


def test_a_change_to_one_requests_session_stays_its_own(app, api, client, make_user):
    make_user("ana")
    api.login("ana")
    _warm(api)
    cookie = f"session={client.get_cookie('session').value}"
    with app.test_request_context(headers={"Cookie": cookie}) as first:
        user_id = first.session["_user_id"]
        first.session["_user_id"] = "someone-else"
        first.session["flashes"] = [("message", "hi")]
    with app.test_request_context(headers={"Cookie": cookie}) as second:
        assert second.session["_user_id"] == user_id
        assert "flashes" not in second.session
    assert api.get("/api/v1/me").get_json()["username"] == "ana"


def test_a_cookie_holding_nested_values_is_copied_for_each_request(app):
    interface = RememberingSessionInterface()
    serializer = interface.get_signing_serializer(app)
    value = serializer.dumps({"flashes": [["message", "saved"]]})
    for _ in range(2):
        with app.test_request_context(headers={"Cookie": f"session={value}"}):
            from flask import request

            opened = interface.open_session(app, request)
            assert opened["flashes"] == [["message", "saved"]]
            opened["flashes"].append(["message", "mine only"])


def test_the_remembered_cookies_are_bounded(app):
    interface = RememberingSessionInterface(max_entries=3)
    serializer = interface.get_signing_serializer(app)
    from flask import request

    for i in range(10):
        value = serializer.dumps({"n": i})
        with app.test_request_context(headers={"Cookie": f"session={value}"}):
            assert interface.open_session(app, request)["n"] == i
        assert len(interface._verified) <= 3


def test_an_unchanged_session_is_not_written_again(api, make_user):
    make_user("ana")
    signed_in = api.post("/api/v1/auth/login", {"login": "ana", "password": "correct horse"})
    assert any(h.startswith("session=") for h in signed_in.headers.getlist("Set-Cookie"))
    read = api.get("/api/v1/me")
    assert read.status_code == 200 and read.get_json()["username"] == "ana"
    assert read.headers.getlist("Set-Cookie") == []  # nothing changed: no cookie written
    assert "Cookie" in read.headers["Vary"]  # the answer still depends on the cookie
    out = api.post("/api/v1/auth/logout")  # a change: the cookie is written (emptied)
    assert any(h.startswith("session=") for h in out.headers.getlist("Set-Cookie"))
    assert api.get("/api/v1/me").status_code == 401


def test_the_same_cookie_header_is_parsed_once_and_a_new_one_anew(app):
    with app.test_request_context("/", headers={"Cookie": "a=1; b=two"}):
        first = request.cookies
    with app.test_request_context("/", headers={"Cookie": "a=1; b=two"}):
        assert request.cookies is first  # shared: an immutable result
    with app.test_request_context("/", headers={"Cookie": "a=2"}):
        assert request.cookies.to_dict() == {"a": "2"}
        with pytest.raises(TypeError):
            request.cookies["a"] = "3"  # nobody can change what others share
    with app.test_request_context("/"):
        assert request.cookies.to_dict() == {}
