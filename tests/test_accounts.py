"""Accounts: signing up, in and out, through the API, the pages and the CLI."""

import logging
import re

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, Api

from contest.extensions import db
from contest.models import User


def count_users(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(User.id)))


def register(api, username="ana", email=None, password="correct horse", **kw):
    return api.post(
        "/api/v1/auth/register",
        {
            "username": username,
            "email": email or f"{username}@example.com",
            "password": password,
        },
        **kw,
    )


def test_register_signs_in_and_me_answers(api):
    response = register(api, "Ana_10")
    assert response.status_code == 201
    assert response.get_json()["username"] == "ana_10"
    me = api.get("/api/v1/me").get_json()
    assert (
        me["username"] == "ana_10" and me["role"] == "fan" and me["email"] == "ana_10@example.com"
    )


def test_passwords_are_hashed_with_argon2id(api, app):
    register(api, "ana")
    with app.app_context():
        user = db.session.scalar(sa.select(User))
        assert (
            user.password_hash.startswith("$argon2id$")
            and "correct horse" not in user.password_hash
        )


def test_login_by_username_or_email_and_logout(api, new_api):
    register(api, "ana")
    other = new_api()
    assert (
        other.post("/api/v1/auth/login", {"login": "ANA", "password": "correct horse"}).status_code
        == 200
    )
    other2 = new_api()
    body = other2.post(
        "/api/v1/auth/login", {"login": "ana@example.com", "password": "correct horse"}
    )
    assert body.get_json()["role"] == "fan"
    assert other.post("/api/v1/auth/logout").status_code == 204
    assert other.get("/api/v1/me").status_code == 401
    assert other.get("/api/v1/me").get_json()["error"]["code"] == "not_signed_in"


def test_wrong_password_is_401(api, new_api):
    register(api, "ana")
    response = new_api().post("/api/v1/auth/login", {"login": "ana", "password": "wrong password"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "bad_credentials"


def test_register_refusals_store_nothing(api, app, new_api):
    register(api, "ana")
    cases = [
        (
            {"username": "ana", "email": "x@example.com", "password": "correct horse"},
            409,
            "username_taken",
        ),
        (
            {"username": "b", "email": "b@example.com", "password": "correct horse"},
            422,
            "invalid_username",
        ),
        (
            {"username": "bob<script>", "email": "b@example.com", "password": "correct horse"},
            422,
            "invalid_username",
        ),
        (
            {"username": "bob", "email": "not-an-email", "password": "correct horse"},
            422,
            "invalid_email",
        ),
        (
            {"username": "bob", "email": "b@example.com", "password": "short"},
            422,
            "invalid_password",
        ),
        ({"username": "bob", "email": "b@example.com"}, 422, "invalid_password"),
        (
            {"username": 5, "email": "b@example.com", "password": "correct horse"},
            422,
            "invalid_username",
        ),
    ]
    for body, status, code in cases:
        response = new_api().post("/api/v1/auth/register", body)
        assert response.status_code == status, (body, response.get_json())
        assert response.get_json()["error"]["code"] == code
    assert count_users(app) == 1


def test_bad_json_is_400(api, app):
    token = api.token()
    for data in (b"{not json", b"[1, 2]", b""):
        response = api.client.post(
            "/api/v1/auth/register",
            data=data,
            headers={"X-CSRFToken": token, "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "invalid_json"
    assert count_users(app) == 0


def test_csrf_token_is_required_for_state_changes(api, app):
    response = register(api, "ana", csrf=False)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "csrf_failed"
    response = register(api, "ana", headers={"X-CSRFToken": "forged"}, csrf=False)
    assert response.status_code == 403
    assert count_users(app) == 0


def test_unknown_api_path_and_method_answer_json(api):
    missing = api.get("/api/v1/nowhere")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    wrong = api.get("/api/v1/auth/login")
    assert wrong.status_code == 405 and wrong.get_json()["error"]["code"] == "method_not_allowed"


def test_register_login_logout_pages(client, app):
    page = client.get("/register")
    assert page.status_code == 200 and b'name="csrf_token"' in page.data
    token = page.data.split(b'name="csrf_token" type="hidden" value="')[1].split(b'"')[0].decode()
    response = client.post(
        "/register",
        data={
            "csrf_token": token,
            "username": "ana",
            "email": "ana@example.com",
            "password": "correct horse",
        },
    )
    assert response.status_code == 302
    home = client.get("/").data
    assert b"/u/ana" in home and b'action="/logout"' not in home  # sign out lives in Me
    assert b'id="sign-out"' in client.get("/u/ana").data
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert b"Sign in" in client.get("/").data
    page = client.get("/login")
    bad = client.post("/login", data={"csrf_token": token, "login": "ana", "password": "nope nope"})
    assert bad.status_code == 401 and b"not right" in bad.data  # 401: it counts toward limits
    good = client.post(
        "/login?next=/hall-of-fame",
        data={"csrf_token": token, "login": "ana", "password": "correct horse"},
    )
    assert good.status_code == 302 and good.headers["Location"].endswith("/hall-of-fame")


def test_page_forms_without_csrf_are_refused(client, app):
    response = client.post(
        "/register",
        data={"username": "ana", "email": "ana@example.com", "password": "correct horse"},
    )
    assert response.status_code == 403
    assert count_users(app) == 0


def test_login_redirect_refuses_other_sites(client, make_user):
    make_user("ana")
    page = client.get("/login")
    token = page.data.split(b'name="csrf_token" type="hidden" value="')[1].split(b'"')[0].decode()
    response = client.post(
        "/login?next=//evil.example/x",
        data={"csrf_token": token, "login": "ana", "password": "correct horse"},
    )
    assert response.headers["Location"] == "/"


def test_cli_creates_and_promotes_users(runner, app):
    result = runner.invoke(
        args=["users", "create", "mod", "--email", "mod@example.com", "--password", "correct horse"]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "promote", "mod", "moderator"])
    assert "now moderator" in result.output
    result = runner.invoke(args=["users", "promote", "ghost", "moderator"])
    assert result.exit_code != 0 and "No user named ghost" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(User.role).where(User.username == "mod")) == "moderator"


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True}])
def test_too_many_failed_sign_ins_for_one_account_get_429_with_retry_after(api, new_api, make_user):
    make_user("ana")
    make_user("bob")
    statuses = [
        api.post("/api/v1/auth/login", {"login": "ana", "password": "wrong password"})
        for _ in range(11)
    ]
    last = statuses[-1]
    assert [r.status_code for r in statuses[:10]] == [401] * 10
    assert last.status_code == 429 and last.get_json()["error"]["code"] == "rate_limited"
    assert int(last.headers["Retry-After"]) > 0
    # the email names the same account: its count is the same
    by_email = api.post("/api/v1/auth/login", {"login": "ana@example.com", "password": "x" * 8})
    assert by_email.status_code == 429
    # ... and the sign-in page shares it
    page = api.client.post(
        "/login", data={"csrf_token": api.token(), "login": "ana", "password": "x" * 8}
    )
    assert page.status_code == 429
    # the shared address: another fan behind it signs in normally
    bob = new_api().post("/api/v1/auth/login", {"login": "bob", "password": PASSWORD})
    assert bob.status_code == 200


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True}])
def test_forty_failures_for_one_account_leave_others_at_the_same_address_alone(
    api, new_api, make_user
):
    make_user("ana")
    fans = [make_user(f"fan{i}") for i in range(3)]
    for _ in range(40):
        api.post("/api/v1/auth/login", {"login": "ana", "password": "wrong password"})
    for fan in fans:
        for _ in range(3):  # successes never count, however many
            answer = new_api().post(
                "/api/v1/auth/login", {"login": fan.username, "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.get_json()


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True}])
def test_a_club_can_sign_up_together_from_one_address(app, new_api):
    for i in range(30):
        answer = register(new_api(), f"academy{i}")
        assert answer.status_code == 201, answer.get_json()
    assert count_users(app) == 30


def test_email_verification_gates_rating_and_commenting(
    api, app, make_user, make_round, make_entry, caplog
):
    import logging

    author = make_user("author")
    entry = make_entry(make_round("open").id, author.id)
    caplog.set_level(logging.INFO, logger="contest.mail")
    register(api, "newbie")
    mail = [r.getMessage() for r in caplog.records if "newbie@example.com" in r.getMessage()]
    assert mail and "/verify/" in mail[0]
    link = mail[0].split("http://localhost")[1].split()[0]
    refused = api.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 5})
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "email_not_verified"
    assert "newbie@example.com" in refused.get_json()["error"]["message"]
    comment = api.post(f"/api/v1/entries/{entry.id}/comments", {"body": "hi"})
    assert comment.status_code == 403
    bad = api.client.get("/verify/not-a-token")
    assert bad.status_code == 400 and b"not valid" in bad.data
    assert api.client.get(link).status_code == 302
    assert api.put(f"/api/v1/entries/{entry.id}/rating", {"stars": 5}).status_code == 200
    assert api.post("/api/v1/auth/verify/resend").get_json()["verified"] is True


def _client_at(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return Api(client)


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True}])
def test_the_owner_gets_in_while_an_attacker_is_locked_out(app, make_user, caplog):
    caplog.set_level(logging.INFO, logger="contest.mail")
    make_user("ana")
    phone = _client_at(app, "198.51.100.7")  # ana's own phone: signed in here before
    phone.login("ana")
    assert phone.post("/api/v1/auth/logout").status_code == 204
    attacker = _client_at(app, "203.0.113.66")
    tries = [
        attacker.post("/api/v1/auth/login", {"login": "ana", "password": "guess"}).status_code
        for _ in range(11)
    ]
    assert tries == [401] * 10 + [429]
    # the owner from another address, on a browser never used before
    assert (
        _client_at(app, "192.0.2.10")
        .post("/api/v1/auth/login", {"login": "ana", "password": PASSWORD})
        .status_code
        == 200
    )
    # ... and from her own phone, even behind the attacker's address (a shared Wi-Fi)
    phone.client.environ_base["REMOTE_ADDR"] = "203.0.113.66"
    assert (
        phone.post("/api/v1/auth/login", {"login": "ana", "password": PASSWORD}).status_code == 200
    )
    # she was mailed a one-time sign-in link when the lock tripped
    mails = [r.getMessage() for r in caplog.records if "mail to ana@example.com:" in r.getMessage()]
    assert len(mails) == 1 and "trying passwords" in mails[0]
    link = re.search(r"http://localhost(/login/link/\S+)", mails[0]).group(1)
    # (her sign-ins above opened newer sessions: a fresh link is what a locked-out owner gets)
    assert _client_at(app, "192.0.2.11").client.get(link).status_code == 400


@pytest.mark.parametrize("config_overrides", [{"RATELIMIT_ENABLED": True}])
def test_an_attack_from_many_addresses_locks_only_unknown_browsers(app, make_user, caplog):
    caplog.set_level(logging.INFO, logger="contest.mail")
    make_user("ana")
    phone = _client_at(app, "198.51.100.7")
    phone.login("ana")
    phone.post("/api/v1/auth/logout")
    for n in range(31):
        answer = _client_at(app, f"203.0.113.{n + 1}").post(
            "/api/v1/auth/login", {"login": "ana", "password": "guess"}
        )
    assert answer.status_code == 429
    stranger = _client_at(app, "192.0.2.10")
    refused = stranger.post("/api/v1/auth/login", {"login": "ana", "password": PASSWORD})
    assert refused.status_code == 429
    assert (
        phone.post("/api/v1/auth/login", {"login": "ana", "password": PASSWORD}).status_code == 200
    )
    phone.post("/api/v1/auth/logout")
    # the mailed link signs her in once on the new browser, by the page's button
    mails = [r.getMessage() for r in caplog.records if "mail to ana@example.com:" in r.getMessage()]
    assert len(mails) == 1  # once an hour, however many tries
    # the phone's sign-in made that link stale: ask for one as a locked-out owner would get it
    with app.app_context():
        from contest.accounts import signin_links
        from contest.models import User

        user = db.session.scalar(sa.select(User).where(User.username == "ana"))
        token = signin_links.link_token(user)
    page = stranger.client.get(f"/login/link/{token}")
    assert page.status_code == 200 and "@ana" in page.data.decode()
    signed = stranger.client.post(f"/login/link/{token}", data={"csrf_token": stranger.token()})
    assert signed.status_code == 302
    assert stranger.get("/api/v1/me").get_json()["username"] == "ana"
    again = _client_at(app, "192.0.2.12").post("/api/v1/auth/login/link", {"token": token})
    assert again.status_code == 400 and again.get_json()["error"]["code"] == "invalid_token"
