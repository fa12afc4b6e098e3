"""Keep people: accounts, roles and team memberships, deactivation and one-time passwords."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import or_, select

from indirect_work.admin.services import FieldErrors
from indirect_work.audit.services import diff_fields, record_event
from indirect_work.auth.models import Role, RoleAssignment, User
from indirect_work.auth.services import create_user, normalise_email, role_assignment, set_password
from indirect_work.auth.throttle import clear_failures
from indirect_work.core.errors import Conflict, ValidationFailed
from indirect_work.extensions import db
from indirect_work.org.models import Organisation, Profession, Team

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: No 0/O, 1/l/I: a one-time password is read aloud or copied by hand.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

RoleKey = tuple[Role, int | None]
#: The account's own fields (roles are compared separately).
ACCOUNT_FIELDS = (
    "email",
    "full_name",
    "staff_local_id",
    "organisation_id",
    "profession_id",
    "default_team_id",
)


@dataclass(frozen=True)
class UserData:
    """An account as the admin wants it; ``roles`` pairs a role with its team or organisation id."""

    email: str
    full_name: str
    staff_local_id: str | None = None
    organisation_id: int | None = None
    profession_id: int | None = None
    default_team_id: int | None = None
    roles: frozenset[RoleKey] = field(default_factory=frozenset)

    def comparable(self) -> dict[str, Any]:
        """Field values for diffs as people read them: codes and names instead of ids, roles in words."""
        organisation = db.session.get(Organisation, self.organisation_id) if self.organisation_id else None
        profession = db.session.get(Profession, self.profession_id) if self.profession_id else None
        team = db.session.get(Team, self.default_team_id) if self.default_team_id else None
        return {
            "email": self.email,
            "full_name": self.full_name,
            "staff_local_id": self.staff_local_id,
            "organisation": organisation.ods_code if organisation else None,
            "profession": profession.code if profession else None,
            "default_team": f"{team.organisation.ods_code}/{team.local_id}" if team else None,
            "roles": describe_roles(self.roles),
        }


def user_data(user: User) -> UserData:
    """The account as it stands."""
    return UserData(
        email=user.email,
        full_name=user.full_name,
        staff_local_id=user.staff_local_id,
        organisation_id=user.organisation_id,
        profession_id=user.profession_id,
        default_team_id=user.default_team_id,
        roles=frozenset(_role_key(a) for a in user.role_assignments),
    )


def _role_key(assignment: RoleAssignment) -> RoleKey:
    role = Role(assignment.role)
    return role, assignment.organisation_id if role is Role.COMMISSIONER else assignment.team_id


def describe_roles(roles: frozenset[RoleKey] | set[RoleKey]) -> list[str]:
    """Roles in words, e.g. ``clinician of RDM/CMHT-N``, sorted (for audit details and previews)."""
    team_ids = {scope for role, scope in roles if role in (Role.CLINICIAN, Role.TEAM_LEAD) and scope}
    org_ids = {scope for role, scope in roles if role is Role.COMMISSIONER and scope}
    teams = (
        {t.id: t for t in db.session.scalars(select(Team).where(Team.id.in_(team_ids)))} if team_ids else {}
    )
    orgs = (
        {o.id: o for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))}
        if org_ids
        else {}
    )
    words = []
    for role, scope in roles:
        if role is Role.ADMIN:
            words.append("administrator")
        elif role is Role.COMMISSIONER:
            org = orgs.get(scope or 0)
            words.append(f"commissioner for {org.ods_code if org else scope}")
        else:
            team = teams.get(scope or 0)
            name = f"{team.organisation.ods_code}/{team.local_id}" if team else str(scope)
            words.append(f"{'team lead' if role is Role.TEAM_LEAD else 'clinician'} of {name}")
    return sorted(words)


def validate_user(data: UserData, current: User | None, actor: Any) -> UserData:
    """Check and normalise an account; raises ValidationFailed with per-field messages."""
    data = replace(
        data,
        email=normalise_email(data.email),
        full_name=(data.full_name or "").strip(),
        staff_local_id=(data.staff_local_id or "").strip() or None,
    )
    errors = FieldErrors()
    if not _EMAIL.match(data.email) or len(data.email) > 254:
        errors.add("email", "Enter an email address like name@nhs.net")
    elif db.session.scalar(
        select(User.id).where(User.email == data.email, User.id != getattr(current, "id", 0))
    ):
        errors.add("email", "Another person already uses this email address")
    if not data.full_name:
        errors.add("full_name", "Enter the person's full name")
    elif len(data.full_name) > 200:
        errors.add("full_name", "Full name must be 200 characters or fewer")
    if data.staff_local_id and len(data.staff_local_id) > 20:
        errors.add("staff_local_id", "Staff local identifier must be 20 characters or fewer")
    if data.organisation_id is not None and db.session.get(Organisation, data.organisation_id) is None:
        errors.add("organisation_id", "Choose an organisation from the list")
    if data.profession_id is not None and db.session.get(Profession, data.profession_id) is None:
        errors.add("profession_id", "Choose a profession from the list")
    _check_roles(errors, data)
    team_ids = {scope for role, scope in data.roles if role in (Role.CLINICIAN, Role.TEAM_LEAD)}
    if data.default_team_id is not None and data.default_team_id not in team_ids:
        errors.add("default_team_id", "The usual team must be one the person is a clinician or lead of")
    if current is not None and _is_actor(current, actor) and (Role.ADMIN, None) not in data.roles:
        errors.add("roles", "You cannot remove your own administrator role; ask another administrator")
    errors.raise_if_any()
    if data.default_team_id is None:
        clinician_teams = sorted(scope for role, scope in data.roles if role is Role.CLINICIAN and scope)
        if clinician_teams:
            data = replace(data, default_team_id=clinician_teams[0])
    return data


def _check_roles(errors: FieldErrors, data: UserData) -> None:
    team_ids = {scope for role, scope in data.roles if role in (Role.CLINICIAN, Role.TEAM_LEAD)}
    org_ids = {scope for role, scope in data.roles if role is Role.COMMISSIONER}
    known_teams = set(db.session.scalars(select(Team.id).where(Team.id.in_([t for t in team_ids if t]))))
    known_orgs = set(
        db.session.scalars(select(Organisation.id).where(Organisation.id.in_([o for o in org_ids if o])))
    )
    if team_ids - known_teams:
        errors.add("roles", "A chosen team does not exist")
    if org_ids - known_orgs:
        errors.add("roles", "A chosen organisation does not exist")


def _is_actor(user: User, actor: Any) -> bool:
    return actor is not None and getattr(actor, "id", None) == user.id


def one_time_password() -> str:
    """A random 15-character password in three groups, e.g. ``Kq7rT-mX3pa-Zc9Hd``."""
    groups = ["".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(5)) for _ in range(3)]
    return "-".join(groups)


def create_account(data: UserData, *, actor: Any, password: str | None = None) -> User:
    """Create a person with their roles; with ``password`` it is one-time (changed at first sign-in)."""
    data = validate_user(data, None, actor)
    try:
        user = create_user(
            email=data.email,
            full_name=data.full_name,
            password=password,
            roles=sorted(data.roles, key=str),
            organisation_id=data.organisation_id,
            profession_id=data.profession_id,
            staff_local_id=data.staff_local_id,
            default_team_id=data.default_team_id,
            must_change_password=password is not None,
        )
    except ValidationFailed as exc:
        if "password" in exc.fields:
            exc.fields = {"new_password": exc.fields["password"]}
        raise
    return user


def update_account(user: User, data: UserData, *, actor: Any) -> dict[str, list[Any]]:
    """Bring the account in line with ``data``; returns (and audits) the changed fields."""
    data = validate_user(data, user, actor)
    before = user_data(user).comparable()
    for name in ACCOUNT_FIELDS:
        setattr(user, name, getattr(data, name))
    have = {_role_key(a): a for a in user.role_assignments}
    for key, assignment in have.items():
        if key not in data.roles:
            user.role_assignments.remove(assignment)
    for role, scope in sorted(data.roles - have.keys(), key=str):
        user.role_assignments.append(role_assignment(role, scope))
    changes = diff_fields(before, data.comparable())
    if changes:
        if ("email" in changes or "roles" in changes) and not _is_actor(user, actor):
            # A changed sign-in name or narrower roles take effect on every open session now.
            user.revoke_sessions()
        record_event("user.update", object_type="user", object_id=user.id, details=changes)
    db.session.flush()
    return changes


def set_active(user: User, active: bool, *, actor: Any) -> None:
    """Deactivate (signed out everywhere at once, cannot sign in) or reactivate a person."""
    if not active and _is_actor(user, actor):
        raise Conflict("You cannot deactivate your own account")
    if user.is_active == active:
        return
    user.is_active = active
    if not active:
        user.revoke_sessions()
    record_event(
        "user.reactivate" if active else "user.deactivate",
        object_type="user",
        object_id=user.id,
        details={"email": user.email, "is_active": [not active, active]},
    )
    db.session.flush()


def reset_password(user: User, password: str | None = None) -> str:
    """Give the person a one-time password (generated unless given), sign them out everywhere.

    They must choose their own at next sign-in. Returns the password to show once. Raises
    ValidationFailed (field ``new_password``) when a typed password is too weak.
    """
    password = password or one_time_password()
    try:
        set_password(user, password, must_change=True)
    except ValidationFailed as exc:
        raise ValidationFailed({"new_password": exc.fields["password"]}) from None
    clear_failures(f"login:{user.email}")
    record_event("user.password_reset", object_type="user", object_id=user.id, details={"email": user.email})
    db.session.flush()
    return password


def search_users(text: str = "", status: str = "active") -> Any:
    """The query for the people list: name or email contains ``text``; active, inactive or all."""
    query = select(User).order_by(User.full_name, User.id)
    text = (text or "").strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(User.full_name.ilike(pattern, escape="\\"), User.email.ilike(pattern, escape="\\"))
        )
    if status == "active":
        query = query.where(User.is_active.is_(True))
    elif status == "inactive":
        query = query.where(User.is_active.is_(False))
    return query
