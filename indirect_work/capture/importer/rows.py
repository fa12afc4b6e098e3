"""Check an import's rows: each row's cells become an ``ActivityInput`` checked with the record rules."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from indirect_work.auth.models import User
from indirect_work.capture.activity_data import ActivityInput, CheckedActivity
from indirect_work.capture.duration import parse_duration
from indirect_work.capture.importer.files import (
    COLUMN_NAMES,
    COLUMNS,
    MAX_ROWS,
    FormulaCell,
    ImportFileError,
    cell_text,
    normalise,
    read_table,
)
from indirect_work.capture.parsing import FieldParser, parse_date, parse_people, parse_time, text_or_none
from indirect_work.capture.rules import RuleCache, checked, validate_activity
from indirect_work.capture.services.listing import default_team_id
from indirect_work.extensions import db
from indirect_work.org.models import Team
from indirect_work.taxonomy.models import ActivityType, ConsultationMechanism, OutcomeOption, RecipientType

#: Which column a rule's field name is reported against.
FIELD_COLUMNS = {
    "activity_on": "date",
    "activity_type_id": "activity_type",
    "duration_minutes": "duration",
    "team_id": "team",
    "consultation_mechanism_code": "consultation_mechanism",
    "recipient_type_ids": "recipient_types",
    "people_reached": "people_reached",
    "start_time": "start_time",
    "service_request_id": "service_request_id",
    "service_request_ids": "service_request_id",
    "note": "note",
}


@dataclass
class ImportRow:
    number: int
    values: dict[str, str]
    #: The checked values, when the row is valid.
    data: CheckedActivity | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    #: What changed, as outcome option ids (recorded beside the activity, not part of its rules).
    outcome_ids: list[int] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    filename: str
    file_hash: str
    rows: list[ImportRow]

    @property
    def valid_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if r.is_valid]

    @property
    def invalid_rows(self) -> list[ImportRow]:
        return [r for r in self.rows if not r.is_valid]


class _Lookups:
    """Codes and names the file may use, loaded once per file."""

    def __init__(self, user: User) -> None:
        self.types: dict[str, int] = {}
        for t in db.session.scalars(select(ActivityType)):
            self.types[normalise(t.label)] = t.id
            self.types[normalise(t.code)] = t.id
        self.mechanisms: dict[str, str] = {}
        for m in db.session.scalars(select(ConsultationMechanism)):
            self.mechanisms[normalise(m.label)] = m.code
            self.mechanisms[normalise(m.code)] = m.code
            if m.code.isdigit():
                self.mechanisms[str(int(m.code))] = m.code
        self.recipients: dict[str, int] = {}
        for r in db.session.scalars(select(RecipientType)):
            self.recipients[normalise(r.label)] = r.id
            self.recipients[normalise(r.code)] = r.id
        self.teams: dict[str, int] = {}
        ids = user.clinician_team_ids
        for team in db.session.scalars(select(Team).where(Team.id.in_(ids))) if ids else []:
            self.teams[normalise(team.name)] = team.id
            self.teams[normalise(team.local_id)] = team.id
        self.default_team = default_team_id(user)
        self.rules = RuleCache()
        self.outcomes: dict[str, int] = {}
        for o in db.session.scalars(select(OutcomeOption).where(OutcomeOption.is_active.is_(True))):
            self.outcomes[normalise(o.label)] = self.outcomes[normalise(o.code)] = o.id


FORMULA_MESSAGE = "This cell holds a formula. Type the value itself instead"


def check_row(
    user: User, lookups: _Lookups, number: int, values: dict[str, str], *, today: date | None = None
) -> ImportRow:
    """Turn one row's cells into an ``ActivityInput`` and check it with the record rules."""
    row = ImportRow(number, values)
    errors: dict[str, list[str]] = {}
    for column, text in values.items():
        if isinstance(text, FormulaCell) or text.startswith("="):
            errors[column] = [FORMULA_MESSAGE]
    lookup_errors: dict[str, str] = {}
    data, parse_errors = _row_input(values, lookups, lookup_errors)
    rule_errors = validate_activity(user, data, today=today, cache=lookups.rules)
    for name, messages in {**rule_errors, **parse_errors}.items():
        errors.setdefault(FIELD_COLUMNS.get(name, name), messages)
    row.outcome_ids = _outcome_ids(values.get("outcomes") or "", lookups, lookup_errors)
    for column, message in lookup_errors.items():
        errors.setdefault(column, [message])
        if errors[column][0] != FORMULA_MESSAGE:
            errors[column] = [message]
    row.errors = errors
    row.data = None if errors else checked(data)
    return row


def _outcome_ids(text: str, lookups: _Lookups, lookup_errors: dict[str, str]) -> list[int]:
    found: list[int] = []
    for part in text.split(";") if not isinstance(text, FormulaCell) else []:
        if part.strip():
            option = lookups.outcomes.get(normalise(part))
            if option is None:
                lookup_errors["outcomes"] = f"“{part.strip()[:60]}” is not an outcome code or name"
            elif option not in found:
                found.append(option)
    return found


def _row_input(
    values: dict[str, str], lookups: _Lookups, lookup_errors: dict[str, str]
) -> tuple[ActivityInput, dict[str, list[str]]]:
    """The row's values, typed: codes and names looked up, dates and durations parsed.

    A code or name not found is recorded in ``lookup_errors`` by column; a value that cannot be
    read is returned in the ``{field: [message]}`` of the parser.
    """

    def find(column: str, table: dict[str, Any], message: str) -> Any:
        text = values.get(column, "")
        if not text:
            return None
        found = table.get(normalise(text))
        if found is None:
            lookup_errors[column] = message.format(text[:60])
        return found

    type_id = find("activity_type", lookups.types, "“{}” is not an activity type code or name")
    mechanism = find(
        "consultation_mechanism", lookups.mechanisms, "“{}” is not a consultation mechanism code or name"
    )
    team_id = find("team", lookups.teams, "“{}” is not one of your teams (use its local identifier or name)")
    if team_id is None and not values.get("team"):
        team_id = lookups.default_team
    recipient_ids = []
    for part in (values.get("recipient_types") or "").split(";"):
        if part.strip():
            found = lookups.recipients.get(normalise(part))
            if found is None:
                lookup_errors["recipient_types"] = (
                    f"“{part.strip()[:60]}” is not a recipient type code or name"
                )
            else:
                recipient_ids.append(found)
    parse = FieldParser()
    data = ActivityInput(
        activity_type_id=type_id,
        activity_on=parse("activity_on", parse_date, values.get("date")),
        duration_minutes=parse("duration_minutes", parse_duration, values.get("duration")),
        team_id=team_id,
        consultation_mechanism_code=mechanism,
        recipient_type_ids=recipient_ids,
        people_reached=parse("people_reached", parse_people, values.get("people_reached") or "1"),
        start_time=parse("start_time", parse_time, values.get("start_time")),
        note=text_or_none(values.get("note")),
    )
    # A meeting about several patients: identifiers separated by semicolons, in order.
    requests = [v.strip() for v in (values.get("service_request_id") or "").split(";") if v.strip()]
    data.service_request_id = requests[0] if requests else None
    data.more_service_request_ids = requests[1:]
    return data, parse.errors


def preview_file(user: User, filename: str, content: bytes) -> ImportPreview:
    """Read the file and check every row; raises :class:`ImportFileError` for an unusable file."""
    table = read_table(filename, content)
    while table and not any(cell_text(v, "") for v in table[0]):
        table.pop(0)
    if not table:
        raise ImportFileError("The file has no header row. Download the template to see the columns")
    header = [normalise(cell_text(v, "")).replace(" ", "_") for v in table[0]]
    missing = [c for c, need, _ in COLUMNS if need == "Required" and c not in header]
    if missing:
        raise ImportFileError(
            "The header row is missing the column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing)
            + ". Download the template to see the columns"
        )
    body = [r for r in table[1:] if any(cell_text(v, "") for v in r)]
    if len(body) > MAX_ROWS:
        raise ImportFileError(f"The file has more than {MAX_ROWS:,} records. Split it into smaller files")
    if not body:
        raise ImportFileError("The file has a header row but no records")
    lookups = _Lookups(user)
    positions = {name: header.index(name) for name in COLUMN_NAMES if name in header}
    rows = []
    today = date.today()
    number = 1
    for source in table[1:]:
        number += 1
        if not any(cell_text(v, "") for v in source):
            continue
        values = {}
        for name, index in positions.items():
            value = source[index] if index < len(source) else None
            values[name] = value if isinstance(value, FormulaCell) else cell_text(value, name)
        rows.append(check_row(user, lookups, number, values, today=today))
    return ImportPreview(filename, hashlib.sha256(content).hexdigest(), rows)
