"""Email through the standard library's ``smtplib``: a plain-text and an HTML part from templates.

An email is composed inside the app (templates, settings, links) into an :class:`OutgoingEmail`,
then delivered. Delivery needs nothing of the app, so it can run after the request's data is
committed or on a thread. With no ``IW_SMTP_HOST`` email is off: :func:`mail_enabled` says so and
:func:`deliver` sends nothing. Emails carry no tracking pixel, no remote image and no patient data.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from flask import current_app, has_request_context, render_template, request, url_for

log = logging.getLogger(__name__)


class MailFailed(Exception):
    """The SMTP server could not be reached or refused the message."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to deliver, read from the app's settings when the email is composed."""

    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    timeout: int
    #: Further tries after a temporary failure (no answer, or a 4xx reply), waiting longer each time.
    retries: int
    retry_seconds: float


@dataclass(frozen=True)
class OutgoingEmail:
    """A composed email and the server to hand it to."""

    message: EmailMessage
    smtp: SmtpSettings | None

    @property
    def to(self) -> str:
        return str(self.message["To"])


def mail_enabled() -> bool:
    """True when an SMTP host is configured."""
    return bool(current_app.config.get("IW_SMTP_HOST"))


def _smtp_settings() -> SmtpSettings | None:
    config = current_app.config
    if not config.get("IW_SMTP_HOST"):
        return None
    return SmtpSettings(
        host=config["IW_SMTP_HOST"],
        port=int(config["IW_SMTP_PORT"]),
        username=config.get("IW_SMTP_USERNAME") or None,
        password=config.get("IW_SMTP_PASSWORD") or None,
        starttls=bool(config.get("IW_SMTP_STARTTLS")),
        timeout=int(config.get("IW_SMTP_TIMEOUT_SECONDS") or 10),
        retries=int(config.get("IW_SMTP_RETRIES") or 0),
        retry_seconds=float(config.get("IW_SMTP_RETRY_SECONDS") or 0),
    )


def compose(*, to: str, subject: str, template: str, **context: Any) -> OutgoingEmail:
    """Render ``mail/<template>.txt`` and ``mail/<template>.html`` into one multipart email."""
    context = {"subject": subject, **context}
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["IW_MAIL_FROM"]
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=_sender_domain())
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(render_template(f"mail/{template}.txt", **context))
    message.add_alternative(render_template(f"mail/{template}.html", **context), subtype="html")
    return OutgoingEmail(message, _smtp_settings())


def _sender_domain() -> str:
    sender = str(current_app.config["IW_MAIL_FROM"])
    return sender.rsplit("@", 1)[-1].strip("> ") or "localhost"


def deliver(email: OutgoingEmail, *, retries: int | None = None) -> bool:
    """Hand the email to the SMTP server; False when email is off, :class:`MailFailed` on failure.

    A temporary failure (the server cannot be reached, drops the connection, or answers 4xx) is
    tried again up to ``retries`` times (default ``IW_SMTP_RETRIES``), waiting ``IW_SMTP_RETRY_SECONDS``,
    then twice that, and so on; a permanent refusal (5xx) is not.
    """
    smtp = email.smtp
    if smtp is None:
        log.info("email is off (no IW_SMTP_HOST): not sending %r", email.message["Subject"])
        return False
    tries = 1 + (smtp.retries if retries is None else retries)
    for attempt in range(tries):
        try:
            _send(smtp, email.message)
            return True
        except (OSError, smtplib.SMTPException) as exc:
            if attempt + 1 >= tries or not _temporary(exc):
                raise MailFailed(f"{type(exc).__name__}: {exc}") from exc
            log.warning("email not accepted (%s), trying again", exc)
            time.sleep(smtp.retry_seconds * 2**attempt)
    return False  # pragma: no cover - the loop returns or raises


def _send(smtp: SmtpSettings, message: EmailMessage) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as server:
        if smtp.starttls:
            server.starttls(context=ssl.create_default_context())
        if smtp.username:
            server.login(smtp.username, smtp.password or "")
        server.send_message(message)


def _temporary(exc: Exception) -> bool:
    """True for a failure worth trying again: no connection, or a 4xx reply."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, OSError | smtplib.SMTPServerDisconnected)


def deliver_in_background(email: OutgoingEmail) -> None:
    """Deliver on a thread, so the answer to the request takes the same time whether or not it sent."""

    def run() -> None:
        try:
            deliver(email)
        except MailFailed as exc:
            log.warning("email to a user could not be sent: %s", exc)

    threading.Thread(target=run, name="iw-mail", daemon=True).start()


def absolute_url(endpoint: str, **values: Any) -> str:
    """A link for an email: ``IW_BASE_URL`` plus the route's path, never the request's Host header.

    Without ``IW_BASE_URL`` (development and tests only: production refuses it when email is on)
    the request's own address is used, or ``http://localhost`` outside a request.
    """
    base = current_app.config.get("IW_BASE_URL")
    if has_request_context():
        return (base or request.host_url).rstrip("/") + url_for(endpoint, **values)
    with current_app.test_request_context("/", base_url=base or "http://localhost"):
        return str(url_for(endpoint, _external=True, **values))
