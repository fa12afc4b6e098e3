"""Keep provider organisations (ODS codes) and their teams (local id, MHSDS service or team type)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from indirect_work.admin.services import FieldErrors, add_audited, update_audited
from indirect_work.admin.validators import normalise_code, ods_code_problems, team_local_id_problems
from indirect_work.extensions import db
from indirect_work.org.models import Organisation, ServiceTeamType, Team

ORGANISATION_FIELDS = ("ods_code", "name", "default_commissioner_code", "is_active")
TEAM_FIELDS = ("organisation_id", "local_id", "name", "service_team_type_code", "is_active")


def list_organisations() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).order_by(Organisation.name)))


def list_teams(organisation_id: int | None = None) -> list[Team]:
    query = select(Team).join(Organisation).order_by(Organisation.name, Team.name)
    if organisation_id is not None:
        query = query.where(Team.organisation_id == organisation_id)
    return list(db.session.scalars(query))


def _clean_organisation(data: dict[str, Any], current: Organisation | None) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "ods_code": normalise_code(data.get("ods_code")),
        "name": (data.get("name") or "").strip(),
        "default_commissioner_code": normalise_code(data.get("default_commissioner_code")) or None,
        "is_active": bool(data.get("is_active", True)),
    }
    errors = FieldErrors()
    problems = ods_code_problems(clean["ods_code"])
    if problems:
        errors.add("ods_code", problems)
    elif db.session.scalar(
        select(Organisation.id).where(
            Organisation.ods_code == clean["ods_code"], Organisation.id != getattr(current, "id", 0)
        )
    ):
        errors.add("ods_code", f"An organisation with ODS code {clean['ods_code']} already exists")
    if not clean["name"]:
        errors.add("name", "Enter the organisation's name")
    if clean["default_commissioner_code"]:
        errors.add(
            "default_commissioner_code",
            ods_code_problems(clean["default_commissioner_code"], commissioner=True),
        )
    errors.raise_if_any()
    return clean


def create_organisation(data: dict[str, Any]) -> Organisation:
    """Add a provider organisation. Raises ValidationFailed."""
    clean = _clean_organisation(data, None)
    return add_audited(Organisation(**clean), "organisation", clean)


def update_organisation(organisation: Organisation, data: dict[str, Any]) -> None:
    """Change an organisation's ODS code, name, default commissioner or active flag."""
    update_audited(
        organisation,
        _clean_organisation(data, organisation),
        fields=ORGANISATION_FIELDS,
        object_type="organisation",
    )


def _clean_team(data: dict[str, Any], current: Team | None) -> dict[str, Any]:
    clean: dict[str, Any] = {
        "organisation_id": data.get("organisation_id"),
        "local_id": (data.get("local_id") or "").strip(),
        "name": (data.get("name") or "").strip(),
        "service_team_type_code": (data.get("service_team_type_code") or "").strip(),
        "is_active": bool(data.get("is_active", True)),
    }
    errors = FieldErrors()
    if clean["organisation_id"] is None or db.session.get(Organisation, clean["organisation_id"]) is None:
        errors.add("organisation_id", "Choose the organisation")
    problems = team_local_id_problems(clean["local_id"])
    if problems:
        errors.add("local_id", problems)
    elif db.session.scalar(
        select(Team.id).where(
            Team.organisation_id == clean["organisation_id"],
            Team.local_id == clean["local_id"],
            Team.id != getattr(current, "id", 0),
        )
    ):
        errors.add(
            "local_id", f"Another team of this organisation already has the identifier {clean['local_id']}"
        )
    if not clean["name"]:
        errors.add("name", "Enter the team's name")
    team_type = db.session.get(ServiceTeamType, clean["service_team_type_code"] or "")
    keeps_retired_code = (
        current is not None and current.service_team_type_code == clean["service_team_type_code"]
    )
    if team_type is None or not (team_type.is_active or keeps_retired_code):
        errors.add("service_team_type_code", "Choose the MHSDS service or team type")
    errors.raise_if_any()
    return clean


def create_team(data: dict[str, Any]) -> Team:
    """Add a team to an organisation. Raises ValidationFailed."""
    clean = _clean_team(data, None)
    return add_audited(Team(**clean), "team", clean)


def update_team(team: Team, data: dict[str, Any]) -> None:
    """Change a team's organisation, identifier, name, MHSDS type or active flag."""
    update_audited(team, _clean_team(data, team), fields=TEAM_FIELDS, object_type="team")


def service_team_type_choices(include: str | None = None) -> list[tuple[str, str]]:
    """Active MHSDS service or team types (plus ``include``, a team's current retired code)."""
    rows = db.session.scalars(select(ServiceTeamType).order_by(ServiceTeamType.code))
    return [(t.code, f"{t.code} {t.description}") for t in rows if t.is_active or t.code == include]
