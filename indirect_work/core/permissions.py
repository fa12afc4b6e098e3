"""Permissions are data: each role grants a set of named permissions, checked in one place."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, Protocol, TypeVar

from flask import abort
from flask_login import current_user

from indirect_work.core.roles import Role
from indirect_work.extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


class Principal(Protocol):
    """What the rules need to know of a signed-in person (``auth.models.User`` provides it).

    A protocol, so that the ground floor names no feature package.
    """

    id: int

    @property
    def roles(self) -> set[Role]: ...

    @property
    def is_admin(self) -> bool: ...

    @property
    def clinician_team_ids(self) -> set[int]: ...

    @property
    def led_team_ids(self) -> set[int]: ...

    @property
    def commissioned_organisation_ids(self) -> set[int]: ...


class OwnedRecord(Protocol):
    """A record that belongs to one clinician and can be soft-deleted (an activity)."""

    clinician_id: int
    deleted_at: Any


class SharedRecord(OwnedRecord, Protocol):
    """A record that colleagues may have co-delivered."""

    @property
    def co_deliverer_ids(self) -> frozenset[int]: ...


class Permission(StrEnum):
    ACTIVITY_LOG = "activity.log"
    TEAM_DASHBOARD = "report.team_dashboard"
    MONTH_LOCK = "report.month_lock"
    COMMISSIONER_REPORT = "report.commissioner"
    MHSDS_EXTRACT = "report.mhsds_extract"
    ADMIN = "admin.manage"
    AUDIT_VIEW = "admin.audit"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CLINICIAN: frozenset({Permission.ACTIVITY_LOG}),
    Role.TEAM_LEAD: frozenset({Permission.ACTIVITY_LOG, Permission.TEAM_DASHBOARD, Permission.MONTH_LOCK}),
    Role.COMMISSIONER: frozenset({Permission.COMMISSIONER_REPORT}),
    Role.ADMIN: frozenset(Permission),
}


def permissions_of(user: Any) -> frozenset[Permission]:
    """Every permission the user holds through any of their roles (none when signed out)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    granted: set[Permission] = set()
    for role in user.roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def has_permission(user: Any, permission: Permission) -> bool:
    return permission in permissions_of(user)


def require_permission(permission: Permission) -> Callable[[F], F]:
    """View decorator: 401 (sign-in redirect) when signed out, 403 without the permission."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


# Visibility rules: every view, API endpoint and service asks these, and the permission-matrix
# tests read them. ``None`` always means "no limit" (admins).


def visible_team_ids(user: Principal) -> set[int] | None:
    """Teams whose dashboards and records the user may open; ``None`` means every team (admins)."""
    if user.is_admin:
        return None
    return user.led_team_ids


def can_view_team(user: Principal, team_id: int) -> bool:
    teams = visible_team_ids(user)
    return teams is None or team_id in teams


def reportable_organisation_ids(user: Principal) -> set[int] | None:
    """Providers whose commissioner reports the user may obtain; ``None`` means every provider."""
    if user.is_admin:
        return None
    return user.commissioned_organisation_ids


def can_view_organisation_reports(user: Principal, organisation_id: int) -> bool:
    allowed = reportable_organisation_ids(user)
    return allowed is None or organisation_id in allowed


def reference_team_ids(user: Principal) -> set[int] | None:
    """Teams the user may see listed (their own, those they lead); ``None`` means every team.

    Commissioners also see the teams of the providers they commission (``reportable_organisation_ids``).
    """
    if user.is_admin:
        return None
    return user.clinician_team_ids | user.led_team_ids


def can_read_records_of(user: Principal, clinician_id: int | None) -> bool:
    """Whose individual records the user may list: their own; admins anyone's."""
    return user.is_admin or clinician_id in (None, user.id)


def is_co_deliverer(user: Principal, activity: SharedRecord) -> bool:
    """Whether the user co-delivered the (live) session: they see it and may change only their own part."""
    return activity.deleted_at is None and user.id in activity.co_deliverer_ids


def can_read_activity(user: Principal, activity: SharedRecord) -> bool:
    """Who may open one record: whoever may edit it, and its co-deliverers."""
    return can_edit_activity(user, activity) or is_co_deliverer(user, activity)


def can_remove_co_deliverer(user: Principal, activity: SharedRecord, clinician_id: int) -> bool:
    """A co-deliverer removes themselves; the creator (or an admin) removes anyone. Locks: the service."""
    if clinician_id not in activity.co_deliverer_ids:
        return False
    return can_edit_activity(user, activity) or (is_co_deliverer(user, activity) and clinician_id == user.id)


def can_edit_activity(user: Principal, activity: OwnedRecord) -> bool:
    """Clinicians change their own live records; admins any. Month locks are checked by the service."""
    if activity.deleted_at is not None:
        return False
    return user.is_admin or activity.clinician_id == user.id


def logs_own_records(user: Principal) -> bool:
    """Whether the user records indirect work on some team, and so may see figures of their own records."""
    return bool(user.clinician_team_ids)


def listed_clinician_id(user: Principal, asked_for: int | None) -> int | None:
    """Whose records a list of individual records shows: admins whoever they asked for (``None``:
    everyone's); everybody else only their own, whatever they asked for (see ``can_read_records_of``)."""
    return asked_for if user.is_admin else user.id


class TeamRecord(Protocol):
    """A record of one clinician on one team (an activity), as the feedback rules need it."""

    clinician_id: int
    team_id: int
    deleted_at: Any


def can_manage_feedback(user: Principal, activity: TeamRecord) -> bool:
    """Who may open or close feedback links of an activity: its clinician; admins any.

    Month locks do not apply: feedback is about what the work changed, not the record of the work.
    """
    return activity.deleted_at is None and (user.is_admin or activity.clinician_id == user.id)


def can_read_feedback(user: Principal, activity: TeamRecord) -> bool:
    """Who may read an activity's feedback, free text included: its clinician, the leads of its
    team and admins. Never commissioners: they see only the disclosure-controlled workbook."""
    if activity.deleted_at is not None:
        return False
    return user.is_admin or activity.clinician_id == user.id or activity.team_id in user.led_team_ids
