"""Trust: reports a fresh account cannot weaponise, uploads from confirmed addresses only,
@mentions that notify, and the headers that keep answers private."""

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from helpers import wait_for_event

from contest.extensions import db
from contest.models import Entry, Notification, User, utcnow


def reporters(make_user, new_api, names, verified=True):
    for name in names:
        make_user(name, verified=verified)
    return [new_api(name) for name in names]


@pytest.mark.parametrize("config_overrides", [{"MIN_ACCOUNT_AGE_HOURS": 24}])
def test_fresh_or_unverified_reporters_never_hide_an_entry(
    app, make_user, new_api, make_round, make_entry
):
    author = make_user("author")
    make_user("mod", role="moderator")
    entry = make_entry(make_round("open").id, author.id)
    fresh = reporters(make_user, new_api, ["new1", "new2"])  # verified, but minutes old
    unverified = reporters(make_user, new_api, ["raw1"], verified=False)
    for fan in fresh + unverified:
        answer = fan.post(f"/api/v1/entries/{entry.id}/reports", {"reason": "spam"})
        assert answer.status_code == 201, answer.get_json()
    assert new_api().get(f"/api/v1/entries/{entry.id}").status_code == 200  # still visible
    queue = new_api("mod").get("/api/v1/moderation/queue").get_json()["reported"]
    assert len(queue[0]["reports"]) == 3  # every report waits for moderators
    # three verified accounts old enough do hide it, and the author is told
    with app.app_context():
        for name in ("old1", "old2", "old3"):
            db.session.add(
                User(
                    username=name,
                    email=f"{name}@example.com",
                    password_hash="!",
                    email_verified_at=utcnow(),
                    created_at=utcnow() - timedelta(days=3),
                )
            )
        db.session.commit()
        ids = db.session.scalars(sa.select(User.id).where(User.username.like("old%"))).all()
    from contest.moderation.reports import report

    with app.app_context():
        for user_id in ids:
            report(db.session.get(User, user_id), "entry", entry.id, "spam")
        assert db.session.get(Entry, entry.id).status == "hidden"
        told = db.session.scalars(
            sa.select(Notification.text).where(Notification.user_id == author.id)
        ).all()
    assert any("Reports from fans hid your entry" in text for text in told)


def test_the_author_hears_when_a_moderator_decides(app, make_user, new_api, make_round, make_entry):
    author = make_user("author")
    make_user("mod", role="moderator")
    entry = make_entry(make_round("open").id, author.id, status="hidden")
    answer = new_api("mod").post(f"/api/v1/moderation/entries/{entry.id}", {"action": "restore"})
    assert answer.status_code == 200
    with app.app_context():
        texts = db.session.scalars(
            sa.select(Notification.text).where(Notification.user_id == author.id)
        ).all()
    assert any("visible again" in text for text in texts)


def test_uploading_needs_a_confirmed_email(make_user, new_api, make_round):
    make_user("raw", verified=False)
    round_ = make_round("open")
    answer = new_api("raw").post(
        "/api/v1/uploads",
        {"round_id": round_.id, "title": "Rabona", "filename": "a.mp4", "size": 1000},
    )
    assert answer.status_code == 403
    assert answer.get_json()["error"]["code"] == "email_not_verified"


def test_a_mention_notifies_the_fan_live(
    app, make_user, new_api, make_round, make_entry, socket_client
):
    author = make_user("author")
    bob = make_user("bob")
    make_user("ana")
    entry = make_entry(make_round("open").id, author.id, title="Elastico")
    bob_api = new_api("bob")
    sio = socket_client(bob_api.client)
    ana = new_api("ana")
    posted = ana.post(
        f"/api/v1/entries/{entry.id}/comments",
        {"body": "@Bob look at this! @author @ana @nobody_here"},
    )
    assert posted.status_code == 201
    pushed = wait_for_event(sio, "notification", lambda data: data["kind"] == "mention")
    assert "ana mentioned you on Elastico" in pushed["text"]
    assert pushed["url"].endswith(f"/entries/{entry.id}#c{posted.get_json()['id']}")
    with app.app_context():
        kinds = dict(
            db.session.execute(
                sa.select(Notification.user_id, Notification.kind).where(
                    Notification.kind.in_(["mention", "comment"])
                )
            ).all()
        )
    # Bob once; the author gets the comment notice only; Ana never hears of her own mention
    assert kinds == {bob.id: "mention", author.id: "comment"}
    settings = bob_api.get("/api/v1/notifications/settings").get_json()
    assert settings["mention"] == "in_app"
    assert bob_api.put("/api/v1/notifications/settings", {"mention": "digest"}).status_code == 200


def test_signed_in_api_answers_are_never_cached(api, new_api, make_user):
    make_user("ana")
    ana = new_api("ana")
    assert ana.get("/api/v1/me").headers["Cache-Control"] == "private, no-store"
    assert ana.get("/api/v1/rounds").headers["Cache-Control"] == "private, no-store"
    assert "no-store" not in api.get("/api/v1/rounds").headers.get("Cache-Control", "")


def test_socket_io_answers_carry_the_security_headers(client):
    answer = client.get("/socket.io/?EIO=4&transport=polling")
    assert answer.status_code == 200
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_nginx_sends_hsts_on_https():
    deploy = Path(__file__).parent.parent / "deploy"
    conf = (deploy / "nginx.conf").read_text()
    https = conf[conf.index("listen 443") :]
    assert https.count('add_header Strict-Transport-Security "max-age=63072000') == 1
    assert "include /srv/ginga/deploy/nginx/ginga-server.conf;" in https
    # a location with add_header of its own does not inherit the server's: /static/ repeats it
    server = (deploy / "nginx" / "ginga-server.conf").read_text()
    static = server[server.index("location /static/") :].split("}")[0]
    assert 'add_header Strict-Transport-Security "max-age=63072000' in static


def test_the_upload_page_asks_an_unverified_fan_to_confirm_first(make_user, new_api, make_round):
    make_round("open", title="Phone round")
    make_user("raw", verified=False)
    raw = new_api("raw")
    page = raw.client.get("/upload").data.decode()
    assert "Confirm your email address to upload" in page and "<progress" not in page
    sent = raw.client.post("/settings/account/verify", data={"csrf_token": raw.token()})
    assert sent.status_code == 302
