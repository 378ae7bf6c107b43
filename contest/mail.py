"""Sending mail: SMTP when MAIL_SERVER is set, otherwise the mail is written to the log."""

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


def send_mail(to, subject, body):
    """Send one plain-text mail (development: log it)."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info("mail to %s: %s\n%s", to, subject, body)
        return
    message = EmailMessage()
    message["From"] = config.get("MAIL_DEFAULT_SENDER") or "ginga@localhost"
    message["To"], message["Subject"] = to, subject
    message.set_content(body)
    with smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 25), timeout=20) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        smtp.send_message(message)
