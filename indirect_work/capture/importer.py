"""Import past records from a CSV or XLSX file: parse, check every row with the record rules, commit.

The preview is not kept on the server: the valid rows travel to the confirmation step inside a
signed, compressed form field (bound to the user and valid for an hour), so any worker can commit
them, and they are checked once more before saving. Each row gets a submission token derived from
the file and row, so committing the same file twice never doubles a record.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from indirect_work.auth.models import User
from indirect_work.capture.forms import activity_data_from_text
from indirect_work.capture.models import Activity
from indirect_work.capture.rules import ActivityData, RuleCache, validate_activity
from indirect_work.capture.services import create_many
from indirect_work.core.spreadsheets import csv_text
from indirect_work.extensions import db
from indirect_work.org.models import Team
from indirect_work.taxonomy.models import ActivityType, ConsultationMechanism, RecipientType

MAX_ROWS = 10_000
PAYLOAD_MAX_AGE = 3600

#: (column, required?, what it holds) - the template's header and the page's documentation.
COLUMNS: list[tuple[str, str, str]] = [
    ("date", "Required", "Date of the activity: 2026-03-15 or 15/03/2026. Not in the future."),
    (
        "activity_type",
        "Required",
        "The activity type's code (for example CONSULT_TEAM) or its name as shown on the log form.",
    ),
    (
        "duration",
        "Required",
        "How long it took: 45 (minutes), 1:30, 1h30 or 1.5h. From 1 minute to 24 hours.",
    ),
    ("team", "Optional", "Your team's local identifier or name. Empty means your usual team."),
    (
        "consultation_mechanism",
        "Required",
        "How it was delivered: the MHSDS code (01 face to face, 02 telephone, 11 video...) or its name.",
    ),
    ("recipient_types", "Required", "Who received it: codes or names, several separated by semicolons (;)."),
    ("people_reached", "Optional", "How many people it reached, a whole number. Empty means 1."),
    ("start_time", "Patient-specific only", "Start time on the 24-hour clock, for example 14:30."),
    (
        "service_request_id",
        "Patient-specific only",
        "The referral's service request identifier. Never an NHS number.",
    ),
    ("note", "Optional", "Up to 500 characters. No patient names or NHS numbers."),
]
COLUMN_NAMES = [c[0] for c in COLUMNS]
EXAMPLE_ROW = [
    "2026-03-02",
    "TRAIN_STAFF",
    "1:30",
    "",
    "01",
    "MH_TEAM_STAFF;WARD_STAFF",
    "12",
    "",
    "",
    "Trauma-informed care session",
]
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
    "note": "note",
}


class ImportFileError(ValueError):
    """The file as a whole cannot be used (wrong type, encoding, size); the message says why."""


@dataclass
class ImportRow:
    number: int
    values: dict[str, str]
    data: ActivityData | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

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


def _normalise(text: Any) -> str:
    return re.sub(r"[\s_-]+", " ", str(text or "")).strip().lower()


# Reading files ---------------------------------------------------------------------------------


def read_table(filename: str, content: bytes) -> list[list[Any]]:
    """Rows of cells from a CSV or XLSX file; raises :class:`ImportFileError` with a readable message."""
    name = (filename or "").lower()
    if not content:
        raise ImportFileError(
            "The file is empty. Choose a CSV or XLSX file with a header row and your records"
        )
    if name.endswith(".xls"):
        raise ImportFileError(
            "That is an old Excel file (.xls). Open it in Excel and save it as .xlsx or CSV UTF-8"
        )
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _read_csv(content)
    raise ImportFileError("The file must be a CSV (.csv) or Excel (.xlsx) file")


def _read_csv(content: bytes) -> list[list[Any]]:
    if b"\x00" in content[:4096] or content.startswith(b"PK\x03\x04"):
        raise ImportFileError("The file is not a CSV text file. Save it from your spreadsheet as CSV UTF-8")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            "The file's characters could not be read (it is not UTF-8). In Excel use Save As, then "
            '"CSV UTF-8 (Comma delimited)", and upload that file'
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    try:
        rows = []
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except csv.Error as exc:
        raise ImportFileError(
            f"The CSV file could not be read ({exc}). Check the quotes around values"
        ) from None


def _read_xlsx(content: bytes) -> list[list[Any]]:
    if not content.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            "The file is not a real Excel .xlsx file. Save it from Excel as .xlsx or CSV UTF-8"
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ImportFileError(
            f"The Excel file could not be opened ({exc.__class__.__name__}). "
            "Save it again from Excel as .xlsx"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[Any]] = []
        for row in sheet.iter_rows():
            rows.append([_FORMULA(c.value) if c.data_type == "f" else c.value for c in row])
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    except Exception as exc:  # noqa: BLE001 - a damaged workbook can fail in many ways inside openpyxl
        raise ImportFileError(
            f"The Excel file could not be read ({exc.__class__.__name__}). Save it again from Excel as .xlsx"
        ) from None
    finally:
        workbook.close()


class _FORMULA(str):  # noqa: N801 - a marker type, used like a function
    """A cell that holds a formula; its value is never computed or used."""


def _cell_text(value: Any, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return (
            value.strftime("%H:%M")
            if column in ("start_time", "duration") and value.year < 1901
            else value.date().isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value.hour}:{value.minute:02d}" if column == "duration" else value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# Checking rows ---------------------------------------------------------------------------------


class _Lookups:
    """Codes and names the file may use, loaded once per file."""

    def __init__(self, user: User) -> None:
        self.types: dict[str, int] = {}
        for t in db.session.scalars(select(ActivityType)):
            self.types[_normalise(t.label)] = t.id
            self.types[_normalise(t.code)] = t.id
        self.mechanisms: dict[str, str] = {}
        for m in db.session.scalars(select(ConsultationMechanism)):
            self.mechanisms[_normalise(m.label)] = m.code
            self.mechanisms[_normalise(m.code)] = m.code
            if m.code.isdigit():
                self.mechanisms[str(int(m.code))] = m.code
        self.recipients: dict[str, int] = {}
        for r in db.session.scalars(select(RecipientType)):
            self.recipients[_normalise(r.label)] = r.id
            self.recipients[_normalise(r.code)] = r.id
        self.teams: dict[str, int] = {}
        ids = user.clinician_team_ids
        for team in db.session.scalars(select(Team).where(Team.id.in_(ids))) if ids else []:
            self.teams[_normalise(team.name)] = team.id
            self.teams[_normalise(team.local_id)] = team.id
        from indirect_work.capture.services import default_team_id

        self.default_team = default_team_id(user)
        self.rules = RuleCache()


def check_row(
    user: User, lookups: _Lookups, number: int, values: dict[str, str], *, today: date | None = None
) -> ImportRow:
    """Turn one row's text into ``ActivityData`` and check it with the record rules."""
    row = ImportRow(number, values)
    errors: dict[str, list[str]] = {}
    for column, text in values.items():
        if isinstance(text, _FORMULA) or (isinstance(text, str) and text.startswith("=")):
            errors[column] = ["This cell holds a formula. Type the value itself instead"]
    raw: dict[str, Any] = {
        "duration": values.get("duration"),
        "activity_on": values.get("date"),
        "start_time": values.get("start_time"),
        "note": values.get("note"),
        "service_request_id": values.get("service_request_id"),
        "people_reached": values.get("people_reached") or "1",
    }
    lookup_errors: dict[str, str] = {}

    def find(column: str, table: dict[str, Any], message: str) -> str:
        text = values.get(column, "")
        if not text:
            return ""
        found = table.get(_normalise(text))
        if found is None:
            lookup_errors[column] = message.format(text[:60])
            return ""
        return str(found)

    raw["activity_type_id"] = find(
        "activity_type", lookups.types, "“{}” is not an activity type code or name"
    )
    raw["consultation_mechanism_code"] = find(
        "consultation_mechanism", lookups.mechanisms, "“{}” is not a consultation mechanism code or name"
    )
    team_text = find(
        "team", lookups.teams, "“{}” is not one of your teams (use its local identifier or name)"
    )
    raw["team_id"] = team_text or ("" if values.get("team") else str(lookups.default_team or ""))
    recipient_ids = []
    for part in (values.get("recipient_types") or "").split(";"):
        if part.strip():
            found = lookups.recipients.get(_normalise(part))
            if found is None:
                lookup_errors["recipient_types"] = (
                    f"“{part.strip()[:60]}” is not a recipient type code or name"
                )
            else:
                recipient_ids.append(str(found))
    raw["recipient_type_ids"] = recipient_ids
    data, parse_errors = activity_data_from_text(**raw)
    rule_errors = validate_activity(user, data, today=today, cache=lookups.rules)
    for name, messages in {**rule_errors, **parse_errors}.items():
        errors.setdefault(FIELD_COLUMNS.get(name, name), messages)
    for column, message in lookup_errors.items():
        errors.setdefault(column, [message])
        if not errors[column][0].startswith("This cell holds a formula"):
            errors[column] = [message]
    row.errors = errors
    row.data = None if errors else data
    return row


def preview_file(user: User, filename: str, content: bytes) -> ImportPreview:
    """Read the file and check every row; raises :class:`ImportFileError` for an unusable file."""
    table = read_table(filename, content)
    while table and not any(_cell_text(v, "") for v in table[0]):
        table.pop(0)
    if not table:
        raise ImportFileError("The file has no header row. Download the template to see the columns")
    header = [_normalise(_cell_text(v, "")).replace(" ", "_") for v in table[0]]
    missing = [c for c, need, _ in COLUMNS if need == "Required" and c not in header]
    if missing:
        raise ImportFileError(
            "The header row is missing the column"
            + ("s " if len(missing) > 1 else " ")
            + ", ".join(missing)
            + ". Download the template to see the columns"
        )
    body = [r for r in table[1:] if any(_cell_text(v, "") for v in r)]
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
        if not any(_cell_text(v, "") for v in source):
            continue
        values = {}
        for name, index in positions.items():
            value = source[index] if index < len(source) else None
            values[name] = value if isinstance(value, _FORMULA) else _cell_text(value, name)
        rows.append(check_row(user, lookups, number, values, today=today))
    return ImportPreview(filename, hashlib.sha256(content).hexdigest(), rows)


# Between preview and commit --------------------------------------------------------------------


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="capture-import-v1")


def sign_preview(preview: ImportPreview, user: User, secret_key: str) -> str:
    rows = []
    for row in preview.valid_rows:
        d = row.data
        assert d is not None
        rows.append(
            [
                row.number,
                d.activity_type_id,
                d.activity_on.isoformat() if d.activity_on else None,
                d.duration_minutes,
                d.team_id,
                d.consultation_mechanism_code,
                d.recipient_type_ids,
                d.people_reached,
                d.start_time.strftime("%H:%M:%S") if d.start_time else None,
                d.service_request_id,
                d.note,
            ]
        )
    return _serializer(secret_key).dumps(
        {"u": user.id, "h": preview.file_hash, "f": preview.filename[:200], "r": rows}
    )


def load_signed(token: str, user: User, secret_key: str) -> tuple[str, list[tuple[int, ActivityData]]]:
    """Undo :func:`sign_preview`; raises :class:`ImportFileError` when stale, altered or someone else's."""
    try:
        payload = _serializer(secret_key).loads(token or "", max_age=PAYLOAD_MAX_AGE)
    except SignatureExpired:
        raise ImportFileError("The preview is more than an hour old. Upload the file again") from None
    except BadSignature:
        raise ImportFileError("The preview could not be read. Upload the file again") from None
    if payload.get("u") != user.id:
        raise ImportFileError("The preview could not be read. Upload the file again")
    rows = []
    for number, type_id, on, minutes, team_id, mechanism, recipients, people, start, sri, note in payload[
        "r"
    ]:
        rows.append(
            (
                number,
                ActivityData(
                    activity_type_id=type_id,
                    activity_on=date.fromisoformat(on),
                    duration_minutes=minutes,
                    team_id=team_id,
                    consultation_mechanism_code=mechanism,
                    recipient_type_ids=list(recipients),
                    people_reached=people,
                    start_time=time.fromisoformat(start) if start else None,
                    service_request_id=sri,
                    note=note,
                ),
            )
        )
    return payload["h"], rows


@dataclass(frozen=True)
class ImportResult:
    created: int
    already_imported: int


def commit_rows(user: User, file_hash: str, rows: list[tuple[int, ActivityData]]) -> ImportResult:
    """Save every row not imported before (flush only; the caller commits once).

    Any row failing the rules now (a month locked since the preview) fails them all.
    """
    tokens = {number: row_token(user, file_hash, number) for number, _ in rows}
    existing: set[str | None] = set()
    for chunk in range(0, len(rows), 500):
        part = [tokens[number] for number, _ in rows[chunk : chunk + 500]]
        existing |= set(
            db.session.scalars(select(Activity.submission_token).where(Activity.submission_token.in_(part)))
        )
    todo = [
        (f"row {number}", data, tokens[number]) for number, data in rows if tokens[number] not in existing
    ]
    created = create_many(actor=user, rows=todo, source="import")
    return ImportResult(created, len(rows) - len(todo))


def row_token(user: User, file_hash: str, number: int) -> str:
    return hashlib.sha256(f"import:{user.id}:{file_hash}:{number}".encode()).hexdigest()


# Template --------------------------------------------------------------------------------------


def template_csv() -> str:
    return csv_text(COLUMN_NAMES, [EXAMPLE_ROW])


def template_xlsx() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Records"
    sheet.append(COLUMN_NAMES)
    sheet.append(EXAMPLE_ROW)
    for cell in sheet[2]:
        cell.data_type = "s"
    sheet.freeze_panes = "A2"
    for index, name in enumerate(COLUMN_NAMES, start=1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(14, len(name) + 4)
    notes = workbook.create_sheet("Columns")
    notes.append(["Column", "Needed", "What it holds"])
    for row in COLUMNS:
        notes.append(list(row))
    notes.column_dimensions["C"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
