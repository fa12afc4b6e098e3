"""Password hashing with argon2id and the password policy (NCSC / ASVS: length, deny-list, no rules)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

#: argon2id at the OWASP / ASVS 5.0 (appendix C) baseline: m=19 MiB, t=2, p=1. The library default
#: (m=64 MiB, t=3, p=4) costs nine times the CPU: on a two-core server, a month-end burst of sign-ins
#: then queued every other request behind it (see docs/performance.md). Older hashes are upgraded
#: at the next sign-in either way.
_STRONG = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
#: Tests only: still argon2id, with the smallest cost, so the suite stays fast.
_FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON_PASSWORDS = frozenset(
    [
        "password",
        "password1",
        "password123",
        "passw0rd",
        "123456789",
        "1234567890",
        "12345678910",
        "qwertyuiop",
        "iloveyou1",
        "welcome123",
        "letmein123",
        "changeme123",
        "administrator",
        "trustno1",
        "football1",
        "baseball1",
        "sunshine1",
        "princess1",
        "qwerty123",
        "abc123456",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "monkey123",
        "dragon123",
        "superman1",
        "michael12",
        "password12",
        "password01",
        "welcome01",
        "summer2024",
        "winter2024",
        "spring2025",
        "autumn2025",
        "summer2025",
        "winter2025",
        "nhspassword",
        "nhs123456",
        "hospital1",
        "indirectwork",
    ]
)


def _hasher() -> PasswordHasher:
    if has_app_context() and current_app.config.get("IW_FAST_PASSWORD_HASHING"):
        return _FAST
    return _STRONG


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; never raises for a bad or missing hash."""
    if not password_hash:
        # Spend comparable time so unknown accounts are not revealed by timing.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def password_problems(password: str, *, email: str = "") -> list[str]:
    """Reasons a new password is refused (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Password must be at least {MIN_LENGTH} characters")
    elif len(password) > MAX_LENGTH:
        problems.append(f"Password must be {MAX_LENGTH} characters or fewer")
    elif password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append("Password is too common or too easy to guess; try a phrase of three or four words")
    elif email and email.split("@")[0].lower() in password.lower() and len(email.split("@")[0]) >= 4:
        problems.append("Password must not contain your email name")
    return problems
