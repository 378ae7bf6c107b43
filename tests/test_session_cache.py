"""The session cache: signed-in requests skip the database, yet every change is seen at once.

In one process the cache is told directly; across processes the fans' generations live in
Redis. A ban, a role, a profile edit and a logout take effect on the very next request.
"""

import os
import uuid

import pytest
import sqlalchemy as sa
from helpers import sql_statements

from contest.extensions import db
from contest.models import User

REDIS_URL = os.environ.get("REDIS_URL")


def test_a_warm_session_asks_the_database_nothing(app, api, make_user):
    make_user("ana")
    api.login("ana")
    for _ in range(2):  # whose session it is, then the fan's row at a known generation
        assert api.get("/api/v1/me").status_code == 200
    with sql_statements(app) as seen:
        answer = api.get("/api/v1/me")
    assert answer.status_code == 200 and answer.get_json()["username"] == "ana"
    assert seen == []


def test_a_cached_fan_joins_the_database_session_a_request_opens(app, api, make_user):
    """Served from the cache, the fan is a detached copy until the request opens a database
    session: then it belongs to it, so a change to the fan is saved like any other."""
    from flask import g
    from flask_login import current_user

    make_user("ana")
    api.login("ana")
    for _ in range(2):
        api.get("/api/v1/me")
    cookies = "; ".join(f"{c.key}={c.value}" for c in api.client._cookies.values())
    with app.test_request_context("/api/v1/me", headers={"Cookie": cookies}):
        app.preprocess_request()
        fan = current_user._get_current_object()
        assert fan.username == "ana" and not db.session.registry.has()
        assert sa.inspect(fan).detached and fan in g.set_aside
        fan.bio = "rabona"  # before any session: the change rides along when it opens
        db.session.commit()
    with app.app_context():
        assert (
            db.session.execute(sa.select(User.bio).where(User.username == "ana")).scalar_one()
            == "rabona"
        )
    assert api.get("/api/v1/me").get_json()["bio"] == "rabona"


def test_changes_are_seen_on_the_very_next_request(app, api, new_api, make_user):
    make_user("mod", role="moderator")
    make_user("ana")
    api.login("ana")
    for _ in range(3):
        api.get("/api/v1/me")
    assert api.patch("/api/v1/me", {"bio": "elastico every day"}).status_code == 200
    assert api.get("/api/v1/me").get_json()["bio"] == "elastico every day"
    with app.app_context():  # a change made elsewhere in this process (a CLI, a job)
        db.session.execute(
            sa.select(User).where(User.username == "ana")
        ).scalar_one().role = "moderator"
        db.session.commit()
    assert api.get("/api/v1/me").get_json()["role"] == "moderator"
    moderator = new_api("mod")
    with app.app_context():
        db.session.execute(sa.select(User).where(User.username == "ana")).scalar_one().role = "fan"
        db.session.commit()
    api.get("/api/v1/me")
    api.get("/api/v1/me")
    banned = moderator.post("/api/v1/moderation/users/ana", {"action": "ban", "reason": "abuse"})
    assert banned.status_code == 200, banned.get_json()
    assert api.get("/api/v1/me").status_code == 401


def test_logout_is_seen_by_a_copy_of_the_cookie(app, api, make_user):
    make_user("ana")
    api.login("ana")
    for _ in range(3):
        api.get("/api/v1/me")
    stolen = app.test_client()
    for cookie in api.client._cookies.values():
        stolen.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    assert stolen.get("/api/v1/me").status_code == 200
    assert api.post("/api/v1/auth/logout").status_code in (200, 204)
    assert stolen.get("/api/v1/me").status_code == 401


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set: no shared generations")
def test_a_ban_on_one_process_refuses_the_next_request_on_another(start_server, make_user):
    settings = {
        "REDIS_URL": REDIS_URL,
        "SOCKETIO_CHANNEL": f"ginga-cache-{uuid.uuid4().hex[:10]}",
        "JOB_QUEUE": "threads",
    }
    make_user("mod", role="moderator")
    make_user("ana")
    a, b = start_server(**settings), start_server(**settings)
    ana = b.session("ana")
    for _ in range(5):  # B now serves Ana from its cache
        assert ana.get(f"{b.url}/api/v1/me", timeout=5).status_code == 200
    mod = a.session("mod")
    edited = ana.patch(f"{b.url}/api/v1/me", json={"bio": "rainbow flick"}, timeout=5)
    assert edited.status_code == 200
    ana_on_a = a.session("ana")
    assert ana_on_a.get(f"{a.url}/api/v1/me", timeout=5).json()["bio"] == "rainbow flick"
    ban = {"action": "ban", "reason": "abuse"}
    banned = mod.post(f"{a.url}/api/v1/moderation/users/ana", json=ban, timeout=10)
    assert banned.status_code == 200, banned.text
    assert ana.get(f"{b.url}/api/v1/me", timeout=5).status_code == 401
