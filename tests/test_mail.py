"""Mail never fails a request: it is recorded, then delivered by the job queue to a real SMTP
server (aiosmtpd on 127.0.0.1), retried while the server is down, sent once."""

import re
import time

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, Api
from smtp_server import MailServer, SilentServer

from contest import mail
from contest.extensions import db
from contest.models import OutgoingMail, User

FAST_RETRIES = {"MAIL_RETRY_DELAYS": "0.3,0.3,0.3,0.3", "MAIL_TIMEOUT": 1}


def _register(app, name):
    api = Api(app.test_client())
    started = time.monotonic()
    answer = api.post(
        "/api/v1/auth/register",
        {"username": name, "email": f"{name}@example.com", "password": PASSWORD},
    )
    return api, answer, time.monotonic() - started


def _until(app, wanted, timeout=15):
    """The mail rows once `wanted(rows)` holds (the job marks a row after the server took it)."""
    deadline = time.monotonic() + timeout
    while not wanted(rows := _rows(app)):
        assert time.monotonic() < deadline, rows
        time.sleep(0.05)
    return rows


def _text(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def _rows(app):
    with app.app_context():
        return db.session.execute(
            sa.select(OutgoingMail.to, OutgoingMail.status, OutgoingMail.attempts)
        ).all()


def test_a_sign_up_mails_its_link_through_smtp(app, smtp):
    app.config.update(smtp.config(), **FAST_RETRIES)
    api, answer, took = _register(app, "ana")
    assert answer.status_code == 201 and took < 2
    [message] = smtp.wait_for("ana@example.com")
    assert re.fullmatch(r"<[0-9a-f]{32}@localhost>", message["Message-ID"])
    text = _text(message)
    link = re.search(r"http://localhost(/verify/\S+)", text).group(1)
    assert "this address was given to a Ginga account" in text  # the reason, in a line
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f'href="http://localhost{link}"' in html
    assert api.client.get(link).status_code == 302
    assert api.get("/api/v1/me").get_json()["email_verified"] is True
    assert _until(app, lambda rows: rows[0][1] == "sent") == [("ana@example.com", "sent", 1)]


def test_with_the_server_down_sign_up_answers_at_once_and_the_mail_comes_later(app):
    server = MailServer()  # its port, not listening yet
    app.config.update(server.config(), **FAST_RETRIES)
    try:
        api, answer, took = _register(app, "bea")
        assert answer.status_code == 201 and took < 2
        _until(app, lambda rows: any(a >= 1 and s == "queued" for _, s, a in rows))
        server.start()
        [message] = server.wait_for("bea@example.com")
        assert "/verify/" in _text(message)
        [(to, status, attempts)] = _until(app, lambda rows: rows[0][1] == "sent")
        assert attempts >= 2
    finally:
        server.stop()


def test_a_server_that_never_answers_holds_no_request(app):
    silent = SilentServer()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=silent.port, **FAST_RETRIES)
    try:
        answers = [_register(app, f"fan{n}") for n in range(3)]
        assert all(a.status_code == 201 and took < 2 for _, a, took in answers)
        forgot = Api(app.test_client())
        started = time.monotonic()
        sent = forgot.post("/api/v1/auth/password/forgot", {"email": "fan0@example.com"})
        assert sent.status_code == 202 and time.monotonic() - started < 2
        # 5 tries of 1 s each, 0.3 s apart
        rows = _until(app, lambda rows: {s for _, s, _ in rows} == {"failed"}, timeout=30)
        assert {attempts for _, _, attempts in rows} == {5}
    finally:
        silent.stop()


def test_a_mail_is_sent_once_however_often_its_job_runs(app, smtp):
    app.config.update(smtp.config())
    with app.app_context():
        mail_id = mail.send_mail("once@example.com", "Once", "Only once.")
    smtp.wait_for("once@example.com")
    _until(app, lambda rows: rows[0][1] == "sent")
    with app.app_context():
        assert mail.deliver(mail_id) == "sent"  # a second run of the job: nothing sent
        assert mail.deliver(mail_id) == "sent"
    time.sleep(0.3)
    assert len([m for m in smtp.received if m["To"] == "once@example.com"]) == 1


def test_a_refused_recipient_fails_at_once_and_says_which_request(app, smtp, caplog):
    app.config.update(smtp.config(), **FAST_RETRIES)

    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 5.1.1 no such mailbox"

    smtp.controller.handler = Refusing()
    smtp.controller.smtpd.event_handler = Refusing()
    with app.test_request_context("/"):
        from flask import g

        g.request_id = "req-1234"
        mail_id = mail.send_mail("nobody@example.com", "Hi", "Hello.")
    rows = _until(app, lambda rows: rows[0][1] == "failed")
    assert rows == [("nobody@example.com", "failed", 1)]
    assert any("req-1234" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
    assert mail_id


def test_digests_carry_a_one_click_unsubscribe(app, smtp, make_user, new_api):
    from contest import links
    from contest.community import notifications
    from contest.texts import Text

    app.config.update(smtp.config())
    ana = make_user("ana")
    api = new_api("ana")
    settings = api.put("/api/v1/notifications/settings", {"comment": "digest"})
    assert settings.status_code == 200, settings.get_json()
    with app.app_context():
        notifications.notify(ana.id, "comment", Text("bob commented on your clip."))
        db.session.commit()
        assert notifications.send_digests(unsubscribe_link=links.unsubscribe_link) == 1
    [message] = smtp.wait_for("ana@example.com")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip().strip("<>")
    path = link.removeprefix("http://localhost")
    assert "Stop them" in new_api().client.get(path).data.decode()  # GET only asks
    stopped = app.test_client().post(path, data={"List-Unsubscribe": "One-Click"})  # no cookie
    assert stopped.status_code == 200
    assert api.get("/api/v1/notifications/settings").get_json()["comment"] == "in_app"
    assert app.test_client().post(path[:-3] + "xyz").status_code == 400


def test_flask_mail_test_sends_one_message(app, smtp, runner):
    app.config.update(smtp.config())
    result = runner.invoke(args=["mail", "test", "ops@example.com"])
    assert result.exit_code == 0, result.output
    assert "sent" in result.output
    [message] = smtp.wait_for("ops@example.com")
    assert "Ginga" in message["Subject"]


@pytest.mark.parametrize("config_overrides", [{"MAIL_SERVER": None}])
def test_without_a_server_mail_goes_to_the_log(app, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="contest.mail")
    with app.app_context():
        mail.send_mail("log@example.com", "Logged", "Into the log.")
        row = db.session.scalar(sa.select(OutgoingMail))
        assert row.status == "logged"
    assert any("mail to log@example.com" in r.getMessage() for r in caplog.records)
    assert User  # (models import kept for the tests above)
