"""Invitations: an invite link credits the inviter once, only after the new fan confirms."""

import logging
import re

import sqlalchemy as sa
from conftest import PASSWORD

from contest.extensions import db
from contest.models import Notification, User


def test_an_invite_is_credited_once_after_verification(app, make_user, new_api, caplog, make_round):
    caplog.set_level(logging.INFO, logger="contest.mail")
    running = make_round("open", title="Elastico month")
    ana_user = make_user("ana")
    ana = new_api("ana")
    invite = ana.get("/api/v1/me/invite").get_json()
    assert invite["joined"] == 0 and invite["url"].endswith(f"/join/{invite['code']}")
    assert ana.get("/api/v1/me/invite").get_json()["code"] == invite["code"]  # stable
    newcomer = new_api()
    landing = newcomer.client.get(f"/join/{invite['code']}")
    # the landing page says who invited them and what is running, above the sign-up form
    assert landing.status_code == 200
    text = landing.data.decode()
    assert "@ana invited you to Ginga." in text and 'id="invitation"' in text
    assert (
        "Elastico month" in text
        and running.slug in text
        and "Voting closes" in text
        and "How it works" in text
    )
    assert 'name="username"' in text
    made = newcomer.post(
        "/api/v1/auth/register",
        {"username": "newbie", "email": "newbie@example.com", "password": PASSWORD},
    )
    assert made.status_code == 201
    with app.app_context():
        told = db.session.scalar(sa.select(sa.func.count()).where(Notification.kind == "invite"))
    assert told == 0 and ana.get("/api/v1/me/invite").get_json()["joined"] == 0  # not yet
    mail = next(r.getMessage() for r in caplog.records if "newbie@example.com" in r.getMessage())
    link = re.search(r"http://localhost(/verify/\S+)", mail).group(1)
    assert newcomer.client.get(link).status_code == 302
    assert newcomer.client.get(link).status_code == 302  # twice: credited once
    assert ana.get("/api/v1/me/invite").get_json()["joined"] == 1
    with app.app_context():
        notes = db.session.scalars(
            sa.select(Notification.text).where(
                Notification.kind == "invite", Notification.user_id == ana_user.id
            )
        ).all()
    assert notes == ["@newbie joined through your invite."]
    assert new_api().get("/api/v1/users/ana").get_json()["counts"]["invited"] == 1
    assert "joined through their invite" in new_api().client.get("/u/ana").data.decode()


def test_an_unknown_invite_code_is_ignored(app, new_api):
    answer = new_api().post(
        "/api/v1/auth/register",
        {"username": "solo", "email": "solo@example.com", "password": PASSWORD, "invite": "nope"},
    )
    assert answer.status_code == 201
    assert new_api().client.get("/join/nope").status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(sa.select(User.invited_by_id).where(User.username == "solo")) is None
        )


def test_an_invite_counts_only_once_the_new_account_is_old_enough(app, make_user, new_api):
    from datetime import timedelta

    from contest.accounts import invites
    from contest.models import utcnow

    make_user("ana")
    ana = new_api("ana")
    code = ana.get("/api/v1/me/invite").get_json()["code"]
    app.config["MIN_ACCOUNT_AGE_HOURS"] = 24
    with app.app_context():
        inviter = db.session.scalar(sa.select(User).where(User.username == "ana"))
        for n in range(4):  # four throwaway sign-ups, each confirmed at once
            user = User(
                username=f"throwaway{n}",
                email=f"t{n}@example.com",
                password_hash="x",
                invited_by_id=inviter.id,
                email_verified_at=utcnow(),
            )
            db.session.add(user)
            db.session.flush()
            invites.credit(user)
        db.session.commit()
    assert ana.get("/api/v1/me/invite").get_json()["joined"] == 0
    with app.app_context():
        assert invites.credit_matured() == 0
        assert invites.credit_matured(now=utcnow() + timedelta(hours=25)) == 4
    assert ana.get("/api/v1/me/invite").get_json()["joined"] == 4
    assert code
