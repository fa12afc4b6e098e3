"""Two-step verification: TOTP from an authenticator app, with one-time recovery codes.

* The secret is made when the user starts set-up and only counts once a code from the app has been
  confirmed (``mfa_enabled_at``); the QR code is drawn on the server as an SVG data URI (no third party).
* A code is accepted at most once: the accepted 30-second step is stored in ``mfa_last_step`` by a
  conditional UPDATE, so two requests racing with the same code cannot both succeed.
* Recovery codes are random, shown once, stored as argon2id hashes, and each works only once.
* Wrong codes count against the shared throttle (key ``mfa:<user id>``), like wrong passwords.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, cast

import pyotp
import segno
from flask import current_app
from sqlalchemy import CursorResult, delete, or_, select, update

from indirect_work.audit.services import record_event
from indirect_work.auth.models import RecoveryCode, Role, User
from indirect_work.auth.passwords import hash_password, verify_password
from indirect_work.auth.throttle import clear_failures, is_throttled, note_failure
from indirect_work.core.db import utcnow
from indirect_work.core.errors import Conflict, ValidationFailed
from indirect_work.extensions import db

RECOVERY_CODE_COUNT = 10
#: No 0/o, 1/l/i: codes are read off paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_CODE_LENGTH = 10
WRONG_CODE = "The code is not correct. Enter the 6-digit code your authenticator app shows now"


def mfa_required(user: User) -> bool:
    """True when one of the user's roles must use two-step verification (``IW_MFA_REQUIRED_ROLES``)."""
    required = {Role(name) for name in current_app.config.get("IW_MFA_REQUIRED_ROLES") or ()}
    return bool(required & user.roles)


def needs_enrolment(user: User) -> bool:
    return mfa_required(user) and not user.mfa_enabled


# TOTP ------------------------------------------------------------------------------------------


def provisioning_uri(user: User) -> str:
    assert user.mfa_secret
    return pyotp.TOTP(user.mfa_secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["IW_MFA_ISSUER"]
    )


def qr_code_data_uri(user: User) -> str:
    """The set-up QR code as an SVG ``data:`` URI (allowed by ``img-src 'self' data:``)."""
    return str(segno.make(provisioning_uri(user), error="m").svg_data_uri(scale=5, border=2))


def grouped_secret(user: User) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    secret = user.mfa_secret or ""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step (current, or one either side for clock drift) whose code matches."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def accept_totp(user: User, code: str, now: datetime | None = None) -> bool:
    """Accept a TOTP code once: a code for a step at or before the last accepted one is refused."""
    if not user.mfa_secret:
        return False
    step = _matching_step(user.mfa_secret, code, now or utcnow())
    if step is None:
        return False
    # An UPDATE without RETURNING answers with a CursorResult (Session.execute is typed as Result).
    claimed = cast(
        CursorResult[Any],
        db.session.execute(
            update(User)
            .where(User.id == user.id, or_(User.mfa_last_step.is_(None), User.mfa_last_step < step))
            .values(mfa_last_step=step)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        return False
    db.session.refresh(user, ["mfa_last_step"])
    return True


# Recovery codes --------------------------------------------------------------------------------


def _normalise_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "").lower())


def issue_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned once, to be shown once."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=hash_password(raw)))
    db.session.flush()
    return codes


def remaining_recovery_codes(user: User) -> int:
    return len(_unused_codes(user))


def _unused_codes(user: User) -> list[RecoveryCode]:
    return list(
        db.session.scalars(
            select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        )
    )


def accept_recovery_code(user: User, code: str) -> bool:
    """Use up one recovery code; each works once, even when two requests race with it."""
    raw = _normalise_recovery(code)
    if len(raw) != RECOVERY_CODE_LENGTH or set(raw) - set(RECOVERY_ALPHABET):
        return False
    for stored in _unused_codes(user):
        if verify_password(stored.code_hash, raw):
            used = cast(
                CursorResult[Any],
                db.session.execute(
                    update(RecoveryCode)
                    .where(RecoveryCode.id == stored.id, RecoveryCode.used_at.is_(None))
                    .values(used_at=utcnow())
                    .execution_options(synchronize_session=False)
                ),
            )
            return used.rowcount == 1
    return False


# Checking a second factor ----------------------------------------------------------------------


@dataclass(frozen=True)
class FactorResult:
    """The outcome of a code check; a refused one carries the record the view keeps despite it."""

    ok: bool
    method: str | None = None
    throttled: bool = False
    #: Writes the refusal's throttle count and audit row; run through ``keep_despite_refusal``.
    refusal: Callable[[], None] | None = None


def throttle_key(user: User) -> str:
    return f"mfa:{user.id}"


def check_second_factor(user: User, code: str, *, purpose: str) -> FactorResult:
    """Check an authenticator or recovery code, counting failures and auditing the outcome.

    A refused code writes nothing itself: its record comes back as ``refusal``, because the
    answer is a refusal and the commit point would roll it back.
    """
    key = throttle_key(user)
    if is_throttled(key):
        return FactorResult(False, throttled=True, refusal=partial(_record_mfa_throttled, user, purpose))
    method = None
    if accept_totp(user, code):
        method = "totp"
    elif accept_recovery_code(user, code):
        method = "recovery_code"
    if method is None:
        return FactorResult(False, refusal=partial(_record_mfa_failure, user, purpose, key))
    clear_failures(key)
    return FactorResult(True, method)


def _record_mfa_throttled(user: User, purpose: str) -> None:
    record_event("auth.mfa_throttled", actor=user, details={"purpose": purpose})


def _record_mfa_failure(user: User, purpose: str, key: str) -> None:
    note_failure(key)
    record_event("auth.mfa_failed", actor=user, details={"purpose": purpose})


# Enrolment, turning off, admin reset -----------------------------------------------------------


def start_enrolment(user: User) -> None:
    """Make a new secret; it only protects the account once a code from it is confirmed."""
    if user.mfa_enabled:
        raise Conflict("Two-step verification is already on. Turn it off first to change your app.")
    user.mfa_secret = pyotp.random_base32()
    user.mfa_last_step = None
    record_event("auth.mfa_enrolment_started", actor=user, object_type="user", object_id=user.id)


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-step verification on with a first code from the app; returns the recovery codes.

    Every other session of the user is signed out (the caller signs this browser in again).
    """
    if user.mfa_enabled or not user.mfa_secret:
        raise Conflict("Start setting up two-step verification again.")
    if not accept_totp(user, code):
        raise ValidationFailed({"code": [WRONG_CODE]})
    user.mfa_enabled_at = utcnow()
    codes = issue_recovery_codes(user)
    user.revoke_sessions()
    record_event("auth.mfa_enabled", actor=user, object_type="user", object_id=user.id)
    return codes


def regenerate_recovery_codes(user: User) -> list[str]:
    codes = issue_recovery_codes(user)
    record_event("auth.mfa_recovery_codes_issued", actor=user, object_type="user", object_id=user.id)
    return codes


def _clear_factor(user: User) -> None:
    user.mfa_secret = None
    user.mfa_enabled_at = None
    user.mfa_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    user.revoke_sessions()


def turn_off(user: User) -> None:
    """The user turns two-step verification off (after re-authenticating); other sessions end."""
    _clear_factor(user)
    record_event("auth.mfa_disabled", actor=user, object_type="user", object_id=user.id)


def reset_by_admin(target: User, admin: User) -> None:
    """An admin removes a lost factor: the user's sessions end and they set up again at next sign-in."""
    if target.id == admin.id:
        raise Conflict("You cannot reset your own two-step verification; ask another administrator.")
    had_factor = target.mfa_enabled
    _clear_factor(target)
    record_event(
        "auth.mfa_reset",
        actor=admin,
        object_type="user",
        object_id=target.id,
        details={"email": target.email, "had_factor": had_factor},
    )
