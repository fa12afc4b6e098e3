"""Users, their role assignments, API tokens, MFA recovery codes and sign-in failure records."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from indirect_work.core.db import UTCDateTime, utcnow
from indirect_work.core.roles import Role
from indirect_work.extensions import Model
from indirect_work.org.models import Organisation, Profession, Team


def new_session_token() -> str:
    """A random token that identifies the user's sessions; rotating it signs them out everywhere."""
    return secrets.token_urlsafe(32)


class User(Model):
    """A person who signs in: clinician, team lead, commissioner or admin (or several)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-case; the sign-in name.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    #: CARE PROFESSIONAL LOCAL IDENTIFIER (an20), from the provider's EPR or ESR.
    staff_local_id: Mapped[str | None] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    profession_id: Mapped[int | None] = mapped_column(ForeignKey("professions.id"))
    #: The team the log form selects by default.
    default_team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    #: Flask-Login id: rotated at sign-out everywhere, password change and deactivation.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Set by an admin reset: the user must choose a new password at next sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Base32 TOTP secret once MFA is enrolled.
    mfa_secret: Mapped[str | None] = mapped_column(String(64))
    mfa_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Last accepted TOTP time step, so a code is never accepted twice.
    mfa_last_step: Mapped[int | None] = mapped_column(Integer)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation | None] = relationship()
    profession: Mapped[Profession | None] = relationship()
    default_team: Mapped[Team | None] = relationship()
    role_assignments: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Flask-Login protocol ------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        """The alternative token, not the primary key: rotating it revokes every session."""
        return self.session_token

    def revoke_sessions(self) -> None:
        """Invalidate every existing session and remember-me cookie of this user."""
        self.session_token = new_session_token()

    # Roles -----------------------------------------------------------------------------------
    def has_role(self, role: Role) -> bool:
        return any(a.role == role for a in self.role_assignments)

    @property
    def roles(self) -> set[Role]:
        return {Role(a.role) for a in self.role_assignments}

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def clinician_team_ids(self) -> set[int]:
        return {a.team_id for a in self.role_assignments if a.role == Role.CLINICIAN and a.team_id}

    @property
    def led_team_ids(self) -> set[int]:
        return {a.team_id for a in self.role_assignments if a.role == Role.TEAM_LEAD and a.team_id}

    @property
    def commissioned_organisation_ids(self) -> set[int]:
        return {
            a.organisation_id
            for a in self.role_assignments
            if a.role == Role.COMMISSIONER and a.organisation_id
        }

    @property
    def mfa_enabled(self) -> bool:
        return self.mfa_enabled_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RoleAssignment(Model):
    """One role held by a user, scoped to a team (clinician, team lead) or organisation (commissioner)."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "team_id", "organisation_id"),
        CheckConstraint("role IN ('clinician', 'team_lead', 'commissioner', 'admin')", name="role_known"),
        CheckConstraint(
            "(role IN ('clinician', 'team_lead') AND team_id IS NOT NULL AND organisation_id IS NULL)"
            " OR (role = 'commissioner' AND organisation_id IS NOT NULL AND team_id IS NULL)"
            " OR (role = 'admin' AND team_id IS NULL AND organisation_id IS NULL)",
            name="role_scope",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="role_assignments")
    team: Mapped[Team | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()

    def __repr__(self) -> str:
        return (
            f"<RoleAssignment {self.role} user={self.user_id} team={self.team_id} org={self.organisation_id}>"
        )


class ApiToken(Model):
    """A personal API token; only its SHA-256 hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: First characters of the token, shown so the user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RecoveryCode(Model):
    """A one-time MFA recovery code, stored hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuthFailure(Model):
    """One failed authentication attempt, counted across all workers to throttle brute force."""

    __tablename__ = "auth_failures"
    __table_args__ = (Index("ix_auth_failures_key_occurred_at", "key", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: What was attacked, e.g. ``login:someone@nhs.net`` or ``mfa:42``.
    key: Mapped[str] = mapped_column(String(300))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PasswordLink(Model):
    """A single-use, expiring link that sets a password: an invitation or a reset; stored hashed."""

    __tablename__ = "password_links"
    __table_args__ = (CheckConstraint("purpose IN ('invite', 'reset')", name="purpose_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: ``invite`` (sent by an admin) or ``reset`` (asked for on the sign-in page).
    purpose: Mapped[str] = mapped_column(String(10))
    #: SHA-256 of the token in the link; the token itself is only ever in the email.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: Set when the link is used, or when a newer link or a new password replaces it.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
