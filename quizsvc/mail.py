"""Emails to candidates (invitation, reminder), in the attempt's language, over SMTP.

QUIZSVC_SMTP_URL turns emails on: ``smtp://[user:password@]host[:port]`` (plain, port 25),
``smtp+starttls://...`` (STARTTLS, port 587) or ``smtps://...`` (TLS, port 465). The queue
sends them (quizsvc.delivery) with the retries of every delivery.
"""

import smtplib
import ssl
import time
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from flask import current_app
from flask_babel import format_datetime, gettext

from quizsvc import i18n

TIMEOUT_SECONDS = 30


def compose(kind: str, *, language: str, name: str, quiz: str, link: str, expires_at: datetime) -> tuple[str, str]:
    """Subject and plain-text body of an ``invitation`` or a ``reminder``."""
    with i18n.language(language):
        expires = format_datetime(expires_at, "yyyy-MM-dd HH:mm") + " UTC"
        if kind == "invitation":
            subject = gettext("Your interview quiz: %(quiz)s", quiz=quiz)
            opening = gettext('You are invited to take the quiz "%(quiz)s".', quiz=quiz)
        else:
            subject = gettext("Reminder: your interview quiz %(quiz)s closes soon", quiz=quiz)
            opening = gettext('You have not started the quiz "%(quiz)s" yet.', quiz=quiz)
        lines = [
            gettext("Hello %(name)s,", name=name),
            "",
            opening,
            gettext("Open this link to start: %(link)s", link=link),
            "",
            gettext("The invitation is open until %(expires)s.", expires=expires),
            gettext("This link is personal; do not share it."),
        ]
    return subject, "\n".join(lines) + "\n"


def send(*, to: str, subject: str, body: str) -> tuple[bool, str | None, int]:
    """Send one message; returns (sent, error, duration in ms). Never raises for SMTP trouble."""
    config = current_app.config
    url = urlsplit(config["QUIZSVC_SMTP_URL"])
    message = EmailMessage()
    message["From"] = config["QUIZSVC_MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="quizsvc")
    message.set_content(body)
    started = time.monotonic()
    try:
        if url.scheme == "smtps":
            client = smtplib.SMTP_SSL(
                url.hostname, url.port or 465, timeout=TIMEOUT_SECONDS, context=ssl.create_default_context()
            )
        else:
            client = smtplib.SMTP(
                url.hostname, url.port or (587 if "starttls" in url.scheme else 25), timeout=TIMEOUT_SECONDS
            )
        with client:
            if url.scheme == "smtp+starttls":
                client.starttls(context=ssl.create_default_context())
            if url.username:
                client.login(unquote(url.username), unquote(url.password or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        return False, f"{type(error).__name__}: {error}"[:500], int((time.monotonic() - started) * 1000)
    return True, None, int((time.monotonic() - started) * 1000)
