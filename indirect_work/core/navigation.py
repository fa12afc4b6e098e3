"""The navigation shown to each role, and where each role starts.

A feature joins the navigation by adding an entry here once it works end to end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from indirect_work.core.permissions import Permission, has_permission


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: Permission | None


NAV_ITEMS: list[NavItem] = [
    NavItem("Log activity", "capture.log", Permission.ACTIVITY_LOG),
    NavItem("My activities", "capture.activity_list", Permission.ACTIVITY_LOG),
    NavItem("Team dashboard", "reports.dashboard", Permission.TEAM_DASHBOARD),
    NavItem("Commissioner reports", "commissioning.index", Permission.COMMISSIONER_REPORT),
    NavItem("Admin", "admin.index", Permission.ADMIN),
]


def nav_for(user: Any) -> list[NavItem]:
    """Entries the user may use, limited to endpoints that exist in this build."""
    endpoints = current_app.view_functions
    return [
        item
        for item in NAV_ITEMS
        if item.endpoint in endpoints and (item.permission is None or has_permission(user, item.permission))
    ]


def start_endpoint(user: Any) -> str | None:
    items = nav_for(user)
    return items[0].endpoint if items else None
