"""Mail that never fails a request: recorded in the request, delivered by the job queue.

`send_mail` writes the message as a row (`OutgoingMail`, with its Message-ID) and commits; once
committed, `MailQueued` puts `deliver` on the job queue (threads on the embedded default, RQ
with REDIS_URL). A request never waits on SMTP and never fails because of it. `deliver` claims
the row, speaks SMTP (implicit TLS with MAIL_USE_SSL, STARTTLS with MAIL_USE_TLS, a login with
MAIL_USERNAME / MAIL_PASSWORD, MAIL_TIMEOUT seconds a step), and marks it sent; on a failure it
tries again after MAIL_RETRY_DELAYS (1 min, 5 min, 30 min, 2 h), then marks it failed and logs
it with the request id that asked for it. A row already sent is never sent again.

Without MAIL_SERVER (a laptop) the mail is written to the log instead, at once.
"""

import html
import logging
import re
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from contest import request_log
from contest.events import MailQueued, record
from contest.extensions import db
from contest.models import OutgoingMail, utcnow

log = logging.getLogger(__name__)
_LINK = re.compile(r"https?://[^\s<>\"']+")


def send_mail(to, subject, body, headers=None, reason="", queue=True):
    """Record one mail (plain text, and HTML made from it) for delivery after this commit.

    `reason` is the one line under the signature saying why the fan gets it. Commits (the
    callers' own changes are committed already). queue=False: the caller delivers it now."""
    config = current_app.config
    site = config.get("SITE_URL", "http://127.0.0.1:5000").split(",")[0].strip().rstrip("/")
    footer = f"\n\n-- \nGinga · {site}" + (f"\n{reason}" if reason else "")
    text = f"{body}{footer}"
    domain = urlsplit(site).hostname or "ginga.invalid"
    row = OutgoingMail(
        message_id=f"<{uuid.uuid4().hex}@{domain}>",
        to=to,
        subject=str(subject)[:300],
        text=text,
        html=_html(body, site, reason),
        headers=dict(headers or {}),
        request_id=request_log.request_id() or "",
    )
    db.session.add(row)
    if not config.get("MAIL_SERVER"):
        row.status, row.sent_at = "logged", utcnow()
        log.info("mail to %s: %s\n%s", to, row.subject, text)
    elif queue:
        db.session.flush()
        record(MailQueued(row.id))
    db.session.commit()
    return row.id


def _html(body, site, reason):
    """The same words as HTML: paragraphs, links that can be tapped, the signature."""

    def linked(text):
        out, last = [], 0
        for match in _LINK.finditer(text):
            out.append(html.escape(text[last : match.start()]))
            url = html.escape(match.group(0))
            out.append(f'<a href="{url}">{url}</a>')
            last = match.end()
        out.append(html.escape(text[last:]))
        return "".join(out)

    paragraphs = "".join(
        f"<p>{linked(part).replace(chr(10), '<br>')}</p>" for part in body.split("\n\n") if part
    )
    why = f"<br>{html.escape(reason)}" if reason else ""
    return (
        '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">'
        f'{paragraphs}<p style="color:#666;font-size:13px">Ginga · '
        f'<a href="{html.escape(site)}">{html.escape(site)}</a>{why}</p></body></html>'
    )


def message_of(row, config):
    message = EmailMessage()
    message["From"] = config.get("MAIL_DEFAULT_SENDER") or "Ginga <ginga@localhost>"
    message["To"], message["Subject"] = row.to, row.subject
    message["Message-ID"] = row.message_id
    message["Date"] = formatdate(localtime=False)
    for name, value in (row.headers or {}).items():
        message[name] = value
    message.set_content(row.text)
    if row.html:
        message.add_alternative(row.html, subtype="html")
    return message


def connect(config):
    """An SMTP connection, secured and logged in as configured."""
    host, timeout = config["MAIL_SERVER"], config.get("MAIL_TIMEOUT", 10)
    if config.get("MAIL_USE_SSL"):
        port = config.get("MAIL_PORT") or 465
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=_tls(config))
    else:
        smtp = smtplib.SMTP(host, config.get("MAIL_PORT") or 25, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=_tls(config))
    try:
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _tls(config):
    context = ssl.create_default_context()
    if config.get("MAIL_TLS_INSECURE"):  # a test server's own certificate only
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


def retry_delays(config):
    return [float(d) for d in str(config.get("MAIL_RETRY_DELAYS", "")).split(",") if d.strip()]


def deliver(mail_id):
    """The job: send one recorded mail, once. Returns its state afterwards."""
    config = current_app.config
    row = db.session.get(OutgoingMail, mail_id)
    if row is None or row.status not in ("queued", "sending"):
        return row.status if row is not None else None
    # claim this try: a second job for the same mail (a retry racing a sweeper) finds it taken
    claimed = db.session.execute(
        sa.update(OutgoingMail)
        .where(
            OutgoingMail.id == mail_id,
            OutgoingMail.status == "queued",
            OutgoingMail.attempts == row.attempts,
        )
        .values(status="sending", attempts=row.attempts + 1)
    ).rowcount
    db.session.commit()
    if not claimed:
        return "taken"
    message = message_of(db.session.get(OutgoingMail, mail_id), config)
    db.session.commit()  # no transaction stays open while the mail server is talked to
    try:
        with connect(config) as smtp:
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        return _failed(db.session.get(OutgoingMail, mail_id), error, config)
    row = db.session.get(OutgoingMail, mail_id)
    row.status, row.sent_at, row.last_error = "sent", utcnow(), ""
    db.session.commit()
    return "sent"


def _failed(row, error, config):
    delays = retry_delays(config)
    refused = isinstance(error, smtplib.SMTPRecipientsRefused) or (
        isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600
    )
    row.last_error = f"{type(error).__name__}: {error}"[:500]
    if refused or row.attempts > len(delays):
        row.status = "failed"
        log.error(
            "mail %s to %s failed for good after %d tries (request %s): %s",
            row.message_id, row.to, row.attempts, row.request_id or "-", row.last_error,
        )  # fmt: skip
    else:
        row.status = "queued"
        delay = delays[row.attempts - 1]
        log.warning(
            "mail %s to %s not sent (try %d, again in %g s): %s",
            row.message_id, row.to, row.attempts, delay, row.last_error,
        )  # fmt: skip
        record(MailQueued(row.id, delay=delay))
    db.session.commit()
    return row.status


def check_server(config):
    """(ok, words) for `flask doctor`: connect, secure and log in as configured, then quit."""
    try:
        with connect(config) as smtp:
            smtp.noop()
    except smtplib.SMTPAuthenticationError as error:
        return False, f"the mail server refused MAIL_USERNAME / MAIL_PASSWORD ({error.smtp_code})"
    except (smtplib.SMTPException, OSError) as error:
        return False, f"the mail server does not answer as configured ({type(error).__name__})"
    return True, "the mail server accepts the settings"
