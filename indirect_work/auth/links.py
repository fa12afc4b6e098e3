"""Invitation and password reset links: single use, expiring, stored as a SHA-256 hash, audited.

A link carries 256 random bits (``secrets.token_urlsafe(32)``); only its hash is stored, so a copy of
the database opens no account. Issuing a link retires the person's earlier unused links; using one
sets the password with the usual rules, retires every other link and signs the person out of every
session (``set_password`` rotates the session token).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from indirect_work.audit.services import record_event
from indirect_work.auth.models import PasswordLink, User
from indirect_work.auth.services import set_password
from indirect_work.auth.throttle import clear_failures
from indirect_work.core.db import utcnow
from indirect_work.core.errors import ValidationFailed
from indirect_work.extensions import db
from indirect_work.mail import OutgoingEmail, absolute_url, compose

PURPOSES = ("invite", "reset")
LINK_GONE = "This link has expired or has already been used"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_hours() -> int:
    return int(current_app.config["IW_LINK_HOURS"])


def issue_link(user: User, purpose: str, *, actor: User | None = None) -> str:
    """Create a link for ``user`` and return its token (put it in the email, never store it)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    _retire_links(user)
    token = secrets.token_urlsafe(32)
    link = PasswordLink(
        user_id=user.id,
        purpose=purpose,
        token_hash=token_hash(token),
        expires_at=utcnow() + timedelta(hours=link_hours()),
    )
    db.session.add(link)
    db.session.flush()
    record_event(
        f"auth.{purpose}_link_issued",
        actor=actor or user,
        object_type="user",
        object_id=user.id,
        details={"link_id": link.id, "hours": link_hours()},
    )
    return token


def find_link(token: str) -> PasswordLink | None:
    """The usable link for ``token``: not used, not expired, for an active person; else None."""
    if not token or len(token) > 100:
        return None
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.token_hash == token_hash(token)))
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    return link if link.user.is_active else None


def use_link(token: str, password: str) -> User:
    """Set the password through a link; refuses a used, expired or unknown link and weak passwords."""
    link = find_link(token)
    if link is None:
        raise ValidationFailed({"token": [LINK_GONE]})
    user = link.user
    set_password(user, password)  # the password rules; rotates the session token
    link.used_at = utcnow()
    _retire_links(user)
    clear_failures(f"login:{user.email}")
    record_event(
        f"auth.{link.purpose}_link_used",
        actor=user,
        object_type="user",
        object_id=user.id,
        details={"link_id": link.id},
    )
    return user


def _retire_links(user: User) -> None:
    db.session.execute(
        update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )


def link_email(user: User, token: str, purpose: str) -> OutgoingEmail:
    """The invitation or reset email for ``user`` with the link to ``token``."""
    subject = "Your Indirect Work account" if purpose == "invite" else "Reset your Indirect Work password"
    return compose(
        to=user.email,
        subject=subject,
        template="password_link",
        name=user.full_name,
        purpose=purpose,
        link=absolute_url("passwords.set_password", token=token),
        hours=link_hours(),
    )
