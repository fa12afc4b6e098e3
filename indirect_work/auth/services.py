"""Sign-in: credential checks, throttling across workers, session revocation, account creation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from sqlalchemy import select

from indirect_work.audit.services import record_event
from indirect_work.auth.models import Role, RoleAssignment, User
from indirect_work.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from indirect_work.auth.throttle import clear_failures, is_throttled, note_failure
from indirect_work.core.db import utcnow
from indirect_work.core.errors import ValidationFailed
from indirect_work.extensions import db


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


@dataclass(frozen=True)
class SignInResult:
    """The outcome of a sign-in attempt; a refused one carries the record the view keeps despite it."""

    user: User | None
    throttled: bool = False
    #: Writes the refusal's throttle count and audit row; run through ``keep_despite_refusal``.
    refusal: Callable[[], None] | None = None


def authenticate(email: str, password: str) -> SignInResult:
    """Check a sign-in attempt, recording success or failure in the audit trail.

    Failures are counted per account; once the limit is reached, even the right password is
    refused until the window has passed, so guessing cannot continue. A refused attempt writes
    nothing itself: its record comes back as ``refusal`` for the view to keep.
    """
    email = normalise_email(email)
    key = f"login:{email}"
    if is_throttled(key):
        return SignInResult(None, throttled=True, refusal=partial(_record_throttled, email))
    user = get_user_by_email(email)
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        reason = "inactive" if ok and user is not None else "bad_credentials"
        return SignInResult(None, refusal=partial(_record_failure, key, user, email, reason))
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    clear_failures(key)
    if user.mfa_enabled:
        # Half-way: the sign-in is complete (and audited as auth.login) only after the code.
        record_event("auth.password_verified", actor=user)
        return SignInResult(user)
    user.last_login_at = utcnow()
    record_event("auth.login", actor=user)
    return SignInResult(user)


def _record_throttled(email: str) -> None:
    record_event("auth.login_throttled", actor_email=email)


def _record_failure(key: str, user: User | None, email: str, reason: str) -> None:
    note_failure(key)
    record_event("auth.login_failed", actor=user, actor_email=email, details={"reason": reason})


def record_reauth_refusal(user: User, *, throttled: bool) -> None:
    """Audit a refused password re-entry; a wrong one also counts against the sign-in throttle."""
    if throttled:
        record_event("auth.reauth_throttled", actor=user)
        return
    note_failure(f"login:{user.email}")
    record_event("auth.reauth_failed", actor=user)


def set_password(user: User, password: str, *, must_change: bool = False) -> None:
    """Set a new password, refusing weak ones, and sign the user out of every other session."""
    problems = password_problems(password, email=user.email)
    if problems:
        raise ValidationFailed({"password": problems})
    user.password_hash = hash_password(password)
    user.must_change_password = must_change
    user.revoke_sessions()


def create_user(
    *,
    email: str,
    full_name: str,
    password: str | None = None,
    roles: list[tuple[Role, int | None]] | None = None,
    organisation_id: int | None = None,
    profession_id: int | None = None,
    staff_local_id: str | None = None,
    default_team_id: int | None = None,
    must_change_password: bool = False,
) -> User:
    """Create a user with their roles; ``roles`` pairs a role with its team or organisation id."""
    email = normalise_email(email)
    if get_user_by_email(email):
        raise ValidationFailed({"email": ["A user with this email already exists"]})
    user = User(
        email=email,
        full_name=full_name.strip(),
        organisation_id=organisation_id,
        profession_id=profession_id,
        staff_local_id=staff_local_id,
        default_team_id=default_team_id,
    )
    if password is not None:
        set_password(user, password, must_change=must_change_password)
    for role, scope_id in roles or []:
        user.role_assignments.append(role_assignment(role, scope_id))
    db.session.add(user)
    db.session.flush()
    record_event(
        "user.create",
        object_type="user",
        object_id=user.id,
        details={"email": email, "roles": [str(r) for r, _ in roles or []]},
    )
    return user


def role_assignment(role: Role, scope_id: int | None) -> RoleAssignment:
    """Build a role assignment with its scope in the right column for the role."""
    if role in (Role.CLINICIAN, Role.TEAM_LEAD):
        return RoleAssignment(role=role.value, team_id=scope_id)
    if role is Role.COMMISSIONER:
        return RoleAssignment(role=role.value, organisation_id=scope_id)
    return RoleAssignment(role=role.value)
