"""The four roles a person can hold; the permission map in ``core.permissions`` is keyed on them."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CLINICIAN = "clinician"
    TEAM_LEAD = "team_lead"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"


ROLE_LABELS = {
    Role.CLINICIAN: "Clinician",
    Role.TEAM_LEAD: "Team lead",
    Role.COMMISSIONER: "Commissioner",
    Role.ADMIN: "Administrator",
}
