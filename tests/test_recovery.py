"""Getting back into an account: forgotten passwords, new passwords, new addresses, the
verification mail again, and hashes upgraded at sign-in. Mailed links are read from the log."""

import re
import time

import sqlalchemy as sa
from conftest import PASSWORD
from werkzeug.security import generate_password_hash

from contest.extensions import db
from contest.models import User

NEW = "a brand new secret"


def link_in(mail, word):
    return re.search(r"http://localhost(/\S*" + word + r"\S*)", mail).group(1)


def test_forgot_answers_202_whatever_the_address_and_mails_only_real_accounts(
    api, make_user, mails
):
    make_user("ana")
    for email in ("ana@example.com", "nobody@example.com", "ANA@example.com "):
        answer = api.post("/api/v1/auth/password/forgot", {"email": email})
        assert answer.status_code == 202
        assert answer.get_json()["message"]
    assert len(mails("ana@example.com")) == 2 and not mails("nobody@example.com")
    assert "/password/reset/" in mails("ana@example.com")[0]


def test_reset_sets_the_password_once_and_ends_every_session(api, new_api, make_user, mails):
    make_user("ana")
    phone = new_api("ana")
    api.post("/api/v1/auth/password/forgot", {"email": "ana@example.com"})
    token = link_in(mails("ana@example.com")[0], "reset").rsplit("/", 1)[1]
    short = api.post("/api/v1/auth/password/reset", {"token": token, "password": "short"})
    assert short.status_code == 422 and short.get_json()["error"]["code"] == "invalid_password"
    done = api.post("/api/v1/auth/password/reset", {"token": token, "password": NEW})
    assert done.status_code == 200, done.get_json()
    assert phone.get("/api/v1/me").status_code == 401  # the old session ended
    again = api.post("/api/v1/auth/password/reset", {"token": token, "password": "another one!"})
    assert again.status_code == 400 and again.get_json()["error"]["code"] == "invalid_token"
    forged = {"token": token[:-2] + "xx", "password": NEW}
    tampered = api.post("/api/v1/auth/password/reset", forged)
    assert tampered.status_code == 400 and tampered.get_json()["error"]["code"] == "invalid_token"
    for body in ({"token": 5, "password": NEW}, {"password": NEW}):
        answer = api.post("/api/v1/auth/password/reset", body)
        assert answer.status_code in (400, 422) and answer.get_json()["error"]["code"] in (
            "invalid_token",
            "invalid_field",
        )
    wrong = new_api().post("/api/v1/auth/login", {"login": "ana", "password": PASSWORD})
    assert wrong.status_code == 401
    new_api().login("ana", NEW)


def test_a_reset_link_expires_after_an_hour(api, app, make_user, monkeypatch):
    from contest.accounts import passwords

    make_user("ana")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "ana"))
        with monkeypatch.context() as m:
            m.setattr(
                "itsdangerous.timed.TimestampSigner.get_timestamp",
                lambda self: int(time.time()) - passwords.RESET_MAX_AGE - 5,
            )
            token = passwords.reset_token(user)
    answer = api.post("/api/v1/auth/password/reset", {"token": token, "password": NEW})
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "invalid_token"


def test_the_reset_pages_end_to_end(client, make_user, mails):
    from helpers import csrf_of

    make_user("ana")
    page = client.get("/login")
    assert b"/password/forgot" in page.data
    form = client.get("/password/forgot")
    answer = client.post(
        "/password/forgot", data={"csrf_token": csrf_of(form), "email": "ana@example.com"}
    )
    assert answer.status_code == 302
    link = link_in(mails("ana@example.com")[0], "reset")
    form = client.get(link)
    assert form.status_code == 200
    answer = client.post(link, data={"csrf_token": csrf_of(form), "password": NEW})
    assert answer.status_code == 302 and answer.location.endswith("/login")
    used = client.post(link, data={"csrf_token": csrf_of(form), "password": "again again"})
    assert used.status_code == 400 and b"not valid" in used.data
    token = csrf_of(client.get("/login"))
    signed_in = client.post("/login", data={"csrf_token": token, "login": "ana", "password": NEW})
    assert signed_in.status_code == 302


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(new_api, make_user):
    make_user("ana")
    laptop, phone = new_api("ana"), new_api("ana")
    wrong = laptop.put("/api/v1/me/password", {"current_password": "not it!!", "password": NEW})
    assert wrong.status_code == 403 and wrong.get_json()["error"]["code"] == "wrong_password"
    short = laptop.put("/api/v1/me/password", {"current_password": PASSWORD, "password": "x"})
    assert short.status_code == 422
    assert phone.get("/api/v1/me").status_code == 200  # refusals changed nothing
    done = laptop.put("/api/v1/me/password", {"current_password": PASSWORD, "password": NEW})
    assert done.status_code == 200
    assert laptop.get("/api/v1/me").status_code == 200  # this session stays
    assert phone.get("/api/v1/me").status_code == 401  # every other one ended
    new_api().login("ana", NEW)


def test_resend_and_a_new_email_address_that_must_be_confirmed(new_api, api, make_user, mails):
    api.post(
        "/api/v1/auth/register",
        {"username": "ana", "email": "ana@example.com", "password": PASSWORD},
    )
    resent = api.post("/api/v1/auth/verify/resend")
    assert resent.status_code == 202 and resent.get_json()["verified"] is False
    assert len(mails("ana@example.com")) == 2
    assert api.client.get(link_in(mails("ana@example.com")[1], "verify")).status_code == 302
    assert api.get("/api/v1/me").get_json()["email_verified"] is True
    wrong = api.put("/api/v1/me/email", {"email": "ana@new.example", "password": "nope nope"})
    assert wrong.status_code == 403
    make_user("bob")
    taken = api.put("/api/v1/me/email", {"email": "bob@example.com", "password": PASSWORD})
    assert taken.status_code == 409
    changed = api.put("/api/v1/me/email", {"email": "Ana@New.example", "password": PASSWORD})
    assert changed.status_code == 200
    assert changed.get_json() == {"email": "ana@new.example", "verified": False}
    assert api.get("/api/v1/me").get_json()["email_verified"] is False
    assert "/verify/" in mails("ana@new.example")[0]
    assert "ana@new.example" in mails("ana@example.com")[-1]  # the old address is told
    assert api.client.get(link_in(mails("ana@new.example")[0], "verify")).status_code == 302
    assert api.get("/api/v1/me").get_json()["email_verified"] is True


def test_an_older_hash_is_upgraded_at_the_next_sign_in(app, make_user, new_api):
    make_user("ana")
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == "ana"))
        user.password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256")
        db.session.commit()
    new_api("ana")
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash).where(User.username == "ana"))
    assert stored.startswith("$argon2id$")
    new_api("ana")  # and the new hash works


def test_sign_in_checks_a_hash_whether_or_not_the_account_exists(api, make_user, monkeypatch):
    from argon2 import PasswordHasher

    make_user("ana")
    checked = []
    real = PasswordHasher.verify
    monkeypatch.setattr(
        PasswordHasher, "verify", lambda self, h, p: checked.append(h) or real(self, h, p)
    )
    for login in ("ana", "nobody", "nobody@example.com"):
        answer = api.post("/api/v1/auth/login", {"login": login, "password": "wrong password"})
        assert answer.status_code == 401
        assert answer.get_json()["error"]["code"] == "bad_credentials"
    assert len(checked) == 3 and all(h.startswith("$argon2id$") for h in checked)


def test_sign_up_with_a_taken_email_answers_like_a_new_one_and_mails_the_owner(
    app, new_api, make_user, mails
):
    make_user("ana")
    fresh = new_api().post(
        "/api/v1/auth/register",
        {"username": "newfan", "email": "new@example.com", "password": PASSWORD},
    )
    taken = new_api().post(
        "/api/v1/auth/register",
        {"username": "other", "email": "ANA@example.com", "password": PASSWORD},
    )
    assert fresh.status_code == taken.status_code == 201
    assert set(fresh.get_json()) == set(taken.get_json())
    assert "already" in mails("ana@example.com")[-1]
    with app.app_context():
        assert db.session.scalar(sa.select(User.id).where(User.username == "other")) is None
    # a taken username stays explicit: usernames are public
    name = new_api().post(
        "/api/v1/auth/register",
        {"username": "ana", "email": "x@example.com", "password": PASSWORD},
    )
    assert name.status_code == 409 and name.get_json()["error"]["code"] == "username_taken"
