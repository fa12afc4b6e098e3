"""Outgoing email through SMTP: compose from templates, deliver, or say that email is off."""

from indirect_work.mail.sender import (
    MailFailed,
    OutgoingEmail,
    absolute_url,
    compose,
    deliver,
    deliver_in_background,
    mail_enabled,
)

__all__ = [
    "MailFailed",
    "OutgoingEmail",
    "absolute_url",
    "compose",
    "deliver",
    "deliver_in_background",
    "mail_enabled",
]
