"""Permissions are data: each role grants a set of named permissions, checked in one place."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from indirect_work.auth.models import Role, User

F = TypeVar("F", bound=Callable[..., Any])


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
                from indirect_work.extensions import login_manager

                return login_manager.unauthorized()
            if not has_permission(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def visible_team_ids(user: User) -> set[int] | None:
    """Teams whose dashboards the user may open; ``None`` means every team (admins)."""
    if user.is_admin:
        return None
    return user.led_team_ids


def can_view_team(user: User, team_id: int) -> bool:
    teams = visible_team_ids(user)
    return teams is None or team_id in teams


def can_view_organisation_reports(user: User, organisation_id: int) -> bool:
    return user.is_admin or organisation_id in user.commissioned_organisation_ids


def can_edit_activity(user: User, activity: Any) -> bool:
    """Clinicians change their own live records; admins any. Month locks are checked by the service."""
    if activity.deleted_at is not None:
        return False
    return user.is_admin or activity.clinician_id == user.id
