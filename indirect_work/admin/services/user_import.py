"""Bulk import of people from CSV: a row-by-row preview, then valid rows saved in one transaction.

Rows are matched to existing people by email. A row that matches and differs updates the person;
a row that matches and does not differ is "unchanged", so importing the same file twice changes
nothing the second time.

For a person already on the system, a blank cell (like a column left out of the file) keeps what
is stored: a spreadsheet with a few gaps must not wipe professions or roles. To remove a value the
cell says ``none`` (:data:`CLEAR`), as the template explains. Columns the import does not read
(for example ``roles``) are listed in the preview, so a mistyped column is never silently ignored.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import func, select

from indirect_work.admin.services.people import (
    UserData,
    create_account,
    update_account,
    user_data,
    validate_user,
)
from indirect_work.audit.services import diff_fields, record_event
from indirect_work.auth.models import Role, User
from indirect_work.auth.services import normalise_email
from indirect_work.core.errors import ValidationFailed
from indirect_work.core.spreadsheets import csv_text
from indirect_work.extensions import db
from indirect_work.org.models import Organisation, Profession, Team

#: (column, required, what it holds) - shown on the import page and written to the template.
COLUMNS: list[tuple[str, bool, str]] = [
    ("email", True, "Sign-in email address; matches an existing person"),
    ("full_name", True, "Full name"),
    ("staff_local_id", False, "Care professional local identifier from ESR or the EPR (up to 20 characters)"),
    ("profession", False, "Profession code or name, for example CLIN_PSY or Clinical psychologist"),
    ("organisation", False, "ODS code of the person's organisation; needed when teams are given"),
    ("clinician_teams", False, "Team identifiers in that organisation they log activity for, separated by ;"),
    ("lead_teams", False, "Team identifiers they lead, separated by ;"),
    ("default_team", False, "Their usual team identifier (the first clinician team when blank)"),
    ("commissioner_for", False, "ODS codes of the organisations whose reports they receive, separated by ;"),
    ("admin", False, "yes to make them an administrator, no to remove it"),
]
#: The cell that removes a stored value; a blank cell keeps it.
CLEAR = "none"
BLANK_RULE = (
    "For someone already on the system a blank cell, or a column left out, keeps their current value; "
    f"write {CLEAR} in a cell to remove it (for example {CLEAR} in lead_teams ends every lead role)."
)
COLUMN_NAMES = [name for name, _, _ in COLUMNS]
MAX_ROWS = 5000
_YES = {"yes", "y", "true", "1"}
_NO = {"", "no", "n", "false", "0"}
#: Which form field a validation message belongs to, as a CSV column.
_FIELD_COLUMNS = {
    "organisation_id": "organisation",
    "profession_id": "profession",
    "default_team_id": "default_team",
}


@dataclass
class ImportRow:
    line: int
    email: str
    full_name: str
    status: str = "error"  # new, update, unchanged or error
    errors: list[str] = field(default_factory=list)
    changes: dict[str, list[Any]] = field(default_factory=dict)
    data: UserData | None = None


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Columns of the file that the import does not read (reported, never silently dropped).
    unknown_columns: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def to_save(self) -> int:
        return self.count("new") + self.count("update")


def template_csv() -> str:
    """A header row and one example, for the admin to fill in."""
    example = [
        "someone@nhs.net",
        "Sam Example",
        "STAFF0001",
        "CLIN_PSY",
        "RDM",
        "CMHT-N",
        "",
        "CMHT-N",
        "",
        "no",
    ]
    return csv_text(COLUMN_NAMES, [example])


def preview_import(text: str, *, actor: Any) -> ImportPreview:
    """Parse and check every row against the database without changing anything."""
    preview = ImportPreview()
    reader = csv.DictReader(io.StringIO(text))
    headers = [(h or "").strip().lower() for h in reader.fieldnames or []]
    missing = [name for name, required, _ in COLUMNS if required and name not in headers]
    if missing:
        preview.problems.append(
            "The file has no " + " or ".join(missing) + " column. Download the template to see the columns."
        )
        return preview
    preview.unknown_columns = [h for h in headers if h not in COLUMN_NAMES]
    lookup = _Lookup()
    seen: set[str] = set()
    for number, raw in enumerate(reader, start=2):
        if len(preview.rows) >= MAX_ROWS:
            preview.problems.append(f"Only the first {MAX_ROWS} rows are read; split the file.")
            break
        values = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if isinstance(v, str)}
        if not any(values.values()):
            continue
        row = ImportRow(
            line=number, email=normalise_email(values.get("email", "")), full_name=values.get("full_name", "")
        )
        if row.email and row.email in seen:
            row.errors.append(f"{row.email} appears earlier in the file")
        seen.add(row.email)
        given = {column for column, value in values.items() if value}
        values = {column: ("" if value.lower() == CLEAR else value) for column, value in values.items()}
        data = _row_data(values, lookup, row.errors)
        if not row.errors and data is not None:
            _classify(row, data, actor, given)
        preview.rows.append(row)
    return preview


def _classify(row: ImportRow, data: UserData, actor: Any, given: set[str]) -> None:
    """``given`` are the row's non-blank columns; the others keep an existing person's values."""
    current = db.session.scalar(select(User).where(User.email == normalise_email(data.email)))
    if current is not None:
        data = _keep_blank_cells(data, user_data(current), given)
    try:
        data = validate_user(data, current, actor)
    except ValidationFailed as exc:
        for name, messages in exc.fields.items():
            column = _FIELD_COLUMNS.get(name, name)
            row.errors.extend(f"{column}: {message}" for message in messages)
        return
    row.data = data
    if current is None:
        row.status = "new"
        row.changes = {
            k: [None, v]
            for k, v in data.comparable().items()
            if v not in (None, []) and k not in ("email", "full_name")
        }
    else:
        row.changes = diff_fields(user_data(current).comparable(), data.comparable())
        row.status = "update" if row.changes else "unchanged"


_ROLE_COLUMNS = {
    Role.CLINICIAN: "clinician_teams",
    Role.TEAM_LEAD: "lead_teams",
    Role.COMMISSIONER: "commissioner_for",
    Role.ADMIN: "admin",
}
_FIELD_SOURCES = {
    "staff_local_id": "staff_local_id",
    "profession_id": "profession",
    "organisation_id": "organisation",
}


def _keep_blank_cells(data: UserData, current: UserData, given: set[str]) -> UserData:
    """Blank cells and absent columns keep the person's current values; ``none`` cleared them already."""
    kept = {name: getattr(current, name) for name, column in _FIELD_SOURCES.items() if column not in given}
    if "full_name" not in given:
        kept["full_name"] = current.full_name
    roles = {(role, scope) for role, scope in data.roles if _ROLE_COLUMNS[role] in given}
    roles |= {(role, scope) for role, scope in current.roles if _ROLE_COLUMNS[role] not in given}
    default_team_id = data.default_team_id
    team_ids = {scope for role, scope in roles if role in (Role.CLINICIAN, Role.TEAM_LEAD)}
    if default_team_id is None and current.default_team_id in team_ids:
        default_team_id = current.default_team_id
    return replace(data, roles=frozenset(roles), default_team_id=default_team_id, **kept)


def commit_import(text: str, *, actor: Any) -> ImportPreview:
    """Re-check the file and save every valid new or changed row (flushes; the caller commits once)."""
    preview = preview_import(text, actor=actor)
    for row in preview.rows:
        if row.data is None or row.status not in ("new", "update"):
            continue
        if row.status == "new":
            create_account(row.data, actor=actor)
        else:
            current = db.session.scalar(select(User).where(User.email == row.data.email))
            assert current is not None
            update_account(current, row.data, actor=actor)
    if preview.to_save:
        record_event(
            "user.import",
            object_type="user",
            details={
                "created": preview.count("new"),
                "updated": preview.count("update"),
                "unchanged": preview.count("unchanged"),
                "rejected": preview.count("error"),
            },
        )
    db.session.flush()
    return preview


class _Lookup:
    """Caches of professions, organisations and teams by the codes a file uses."""

    def __init__(self) -> None:
        self.professions: dict[str, int] = {}
        for profession in db.session.scalars(select(Profession)):
            self.professions[profession.code.lower()] = profession.id
            self.professions[profession.label.lower()] = profession.id
        self.organisations = {o.ods_code: o.id for o in db.session.scalars(select(Organisation))}
        self._teams: dict[int, dict[str, int]] = {}

    def teams_of(self, organisation_id: int) -> dict[str, int]:
        if organisation_id not in self._teams:
            rows = db.session.execute(
                select(func.lower(Team.local_id), Team.id).where(Team.organisation_id == organisation_id)
            )
            self._teams[organisation_id] = {local_id: team_id for local_id, team_id in rows}
        return self._teams[organisation_id]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(",", ";").split(";") if part.strip()]


def _row_data(values: dict[str, str], lookup: _Lookup, errors: list[str]) -> UserData | None:
    """Turn one row's text into ``UserData``, noting each unknown code in ``errors``."""
    profession_id = None
    if values.get("profession"):
        profession_id = lookup.professions.get(values["profession"].lower())
        if profession_id is None:
            errors.append(f"profession: {values['profession']} is not a known profession code or name")
    organisation_id = None
    ods = values.get("organisation", "").upper()
    if ods:
        organisation_id = lookup.organisations.get(ods)
        if organisation_id is None:
            errors.append(f"organisation: no organisation has ODS code {ods}")
    roles: set[tuple[Role, int | None]] = set()
    default_team_id = None
    for column, role in (
        ("clinician_teams", Role.CLINICIAN),
        ("lead_teams", Role.TEAM_LEAD),
        ("default_team", None),
    ):
        for local_id in _split(values.get(column, "")):
            if organisation_id is None:
                if ods == "":
                    errors.append(f"{column}: give the organisation whose teams these are")
                break
            team_id = lookup.teams_of(organisation_id).get(local_id.lower())
            if team_id is None:
                errors.append(f"{column}: {ods} has no team with identifier {local_id}")
            elif role is None:
                default_team_id = team_id
            else:
                roles.add((role, team_id))
    for code in _split(values.get("commissioner_for", "")):
        org_id = lookup.organisations.get(code.upper())
        if org_id is None:
            errors.append(f"commissioner_for: no organisation has ODS code {code.upper()}")
        else:
            roles.add((Role.COMMISSIONER, org_id))
    admin = values.get("admin", "").lower()
    if admin in _YES:
        roles.add((Role.ADMIN, None))
    elif admin not in _NO:
        errors.append(f"admin: write yes or no, not {values['admin']}")
    if errors:
        return None
    return UserData(
        email=values.get("email", ""),
        full_name=values.get("full_name", ""),
        staff_local_id=values.get("staff_local_id") or None,
        organisation_id=organisation_id,
        profession_id=profession_id,
        default_team_id=default_team_id,
        roles=frozenset(roles),
    )
