"""Sessions the server knows: logout, logout-all, a new password and a ban end them; old
cookies and remember-me tokens replayed afterwards are refused; a banned fan's socket closes."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, Api
from helpers import wait_for

from contest.extensions import db
from contest.models import UserSession


def sign_in(app, username, remember=True):
    """A browser signed in with "keep me signed in": (its Api, its session cookie, its token)."""
    browser = Api(app.test_client())
    answer = browser.post(
        "/api/v1/auth/login", {"login": username, "password": PASSWORD, "remember": remember}
    )
    assert answer.status_code == 200
    remember_token = browser.client.get_cookie("remember_token")
    return (
        browser,
        browser.client.get_cookie("session").value,
        remember_token.value if remember_token else None,
    )


def replay(app, session=None, remember=None):
    """A new browser holding copied cookies; answers GET /api/v1/me's status."""
    thief = app.test_client()
    if session:
        thief.set_cookie("session", session)
    if remember:
        thief.set_cookie("remember_token", remember)
    return thief.get("/api/v1/me").status_code


def test_cookies_copied_before_logout_stop_working_after_it(app, make_user):
    make_user("ana")
    browser, session, token = sign_in(app, "ana")
    assert replay(app, session=session) == 200 and replay(app, remember=token) == 200
    assert browser.post("/api/v1/auth/logout").status_code == 204
    assert replay(app, session=session) == 401
    assert replay(app, remember=token) == 401


def test_the_remember_token_changes_at_every_sign_in(app, make_user):
    make_user("ana")
    tokens = {sign_in(app, "ana")[2] for _ in range(3)}
    assert len(tokens) == 3


def test_logout_all_ends_every_session_of_the_fan_only(app, make_user):
    make_user("ana")
    make_user("bob")
    phone, phone_session, phone_token = sign_in(app, "ana")
    laptop, laptop_session, _ = sign_in(app, "ana")
    bob, _, _ = sign_in(app, "bob")
    assert laptop.post("/api/v1/auth/logout-all").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 401
    assert replay(app, session=phone_session) == 401
    assert replay(app, remember=phone_token) == 401
    assert replay(app, session=laptop_session) == 401
    assert bob.get("/api/v1/me").status_code == 200


def test_a_password_reset_ends_every_session(app, make_user):
    from contest.accounts import passwords
    from contest.models import User

    make_user("ana")
    _, session, token = sign_in(app, "ana")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "ana"))
        passwords.reset_password(passwords.reset_token(user), "a brand new secret")
    assert replay(app, session=session) == 401 and replay(app, remember=token) == 401


def test_a_ban_ends_sessions_and_closes_the_fans_socket(app, make_user, socket_client):
    make_user("mod", role="moderator")
    make_user("ana")
    moderator, _, _ = sign_in(app, "mod")
    browser, session, token = sign_in(app, "ana")
    sio = socket_client(browser.client)
    watcher = socket_client()  # an anonymous viewer stays connected
    answer = moderator.post("/api/v1/moderation/users/ana", {"action": "ban", "reason": "abuse"})
    assert answer.status_code == 200, answer.get_json()
    assert wait_for(lambda: not sio.is_connected())
    assert watcher.is_connected()
    assert browser.get("/api/v1/me").status_code == 401
    assert replay(app, session=session) == 401 and replay(app, remember=token) == 401


def test_the_signed_out_event_reaches_the_fans_other_pages(app, make_user, socket_client):
    make_user("ana")
    phone, _, _ = sign_in(app, "ana")
    laptop, _, _ = sign_in(app, "ana")
    sio = socket_client(phone.client)
    laptop.post("/api/v1/auth/logout-all")
    assert wait_for(lambda: not sio.is_connected())


@pytest.mark.parametrize("config_overrides", [{"SESSION_DAYS": 30}])
def test_a_session_older_than_session_days_is_over(app, make_user):
    make_user("ana")
    browser, session, token = sign_in(app, "ana")
    with app.app_context():
        row = db.session.scalar(sa.select(UserSession))
        row.created_at -= timedelta(days=31)
        db.session.commit()
    assert browser.get("/api/v1/me").status_code == 401
    assert replay(app, remember=token) == 401


def test_the_settings_page_signs_out_everywhere(app, make_user):
    from helpers import csrf_of

    make_user("ana")
    phone, _, _ = sign_in(app, "ana")
    laptop = app.test_client()
    laptop.post(
        "/login",
        data={
            "csrf_token": csrf_of(laptop.get("/login")),
            "login": "ana",
            "password": PASSWORD,
        },
    )
    page = laptop.get("/settings/account")
    assert page.status_code == 200 and b"2 devices" in page.data
    answer = laptop.post("/settings/account/logout-all", data={"csrf_token": csrf_of(page)})
    assert answer.status_code == 302
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/settings/account").status_code == 302  # to the sign-in page


def test_a_session_used_from_another_browser_is_no_longer_fresh(app, make_user):
    """Flask-Login's session protection still tells browsers apart with the identifier
    remembered per (address, User-Agent): ana's own browser keeps a fresh session, the same
    cookie sent by another User-Agent marks it not fresh."""
    make_user("ana")
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = "phone A"
    browser = Api(client)
    assert browser.post("/api/v1/auth/login", {"login": "ana", "password": PASSWORD}).status_code
    for agent, fresh in [("phone A", True), ("phone A", True), ("laptop B", False)]:
        client.environ_base["HTTP_USER_AGENT"] = agent
        assert client.get("/api/v1/me").status_code == 200
        with client.session_transaction() as session:
            assert session.get("_fresh") is fresh, agent
    client.environ_base["HTTP_USER_AGENT"] = "phone A"
    assert "session" not in client.get("/api/v1/me").headers.get("Set-Cookie", "")


def test_a_page_answered_after_sign_in_does_not_sign_the_fan_out(app, make_user):
    """A request sent with the sign-in page's cookie (the service worker fetching its shell, a
    script's call) and answered after the sign-in must not set a cookie: the browser would
    keep it over the signed-in one, and the fan's next page would be anonymous."""
    make_user("ana")
    browser = Api(app.test_client())
    assert browser.client.get("/login").status_code == 200
    before = browser.client.get_cookie("session").value  # the sign-in page's CSRF token
    assert browser.post("/api/v1/auth/login", {"login": "ana", "password": PASSWORD}).status_code
    late = app.test_client()
    late.set_cookie("session", before)
    for path in ["/offline?lang=en", "/", "/api/v1/csrf", "/api/v1/me"]:
        answer = late.get(path)
        assert answer.status_code in (200, 401), path
        assert "session=" not in answer.headers.get("Set-Cookie", ""), path
    assert browser.client.get("/api/v1/me").status_code == 200  # still signed in
