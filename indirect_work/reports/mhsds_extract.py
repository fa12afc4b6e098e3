"""The MHSDS v6 MHS204 Indirect Activity extract, and its validation report.

One CSV row per service request of each live, patient-specific activity of an MHS204 type in the
month (a meeting about four patients gives four rows, its duration apportioned equally in whole
minutes, the remainder to the first rows), with the v6 IDB column names and formats. Every row
carries the care professional who logged the record; co-deliverers are listed in the validation
report as not represented. A row that cannot be valid (no SNOMED CT concept configured for its type,
no staff local identifier, no service request identifier, ...) is left out of the extract and listed
in the validation report with its reasons, never dropped silently. Rows that are valid but likely to
be questioned (a time exactly on the hour) are kept and listed there as warnings. A row repeating
an earlier row's (ServiceRequestID, IndirectActDate, IndirectActTime) is left out and listed, since
national processing would silently keep only one. This file holds staff identifiers, so only
admins may have it.

Unknowns (``mhsds.md`` §10): FindSchemeInUse and Finding are left blank (no finding is recorded
with indirect work), and IndActPersCons is left blank because its code list is not yet published.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, time
from itertools import groupby
from typing import Any

from sqlalchemy import func, select

from indirect_work.auth.models import User
from indirect_work.capture.identifiers import is_extractable_local_id
from indirect_work.capture.models import Activity, ActivityDeliverer, ActivityServiceRequest
from indirect_work.core.dates import month_end
from indirect_work.extensions import db
from indirect_work.org.models import Organisation, Team
from indirect_work.taxonomy.models import ActivityType

COLUMNS = (
    "ServiceRequestID",
    "CareProfLocalID",
    "OtherCareProfTeamLocalID",
    "IndirectActDate",
    "IndirectActTime",
    "DurationIndirectAct",
    "OrgIDComm",
    "IndActProcedure",
    "FindSchemeInUse",
    "Finding",
    "IndActPersCons",
)
VALIDATION_COLUMNS = (
    "Severity",
    "ActivityID",
    "IndirectActDate",
    "ActivityTypeCode",
    "TeamLocalID",
    "Problem",
)
UNKNOWN_ITEMS = (
    "FindSchemeInUse and Finding are blank: indirect work records no clinical finding.",
    "IndActPersCons is blank: the v6 person-consulted code list is not published yet (mhsds.md §10).",
    "OtherCareProfTeamLocalID holds the team that did the activity; national processing uses it in place "
    "of the referral's team.",
    "A meeting about several patients gives one row per ServiceRequestID; DurationIndirectAct is its "
    "duration split equally in whole minutes, the remainder to the first rows (they add up exactly).",
    "CareProfLocalID is the care professional who logged the record; co-deliverers are not represented "
    "and are listed in the validation report.",
)
_SNOMED = re.compile(r"^\d{6,18}$")
_ODS_COMMISSIONER = re.compile(r"^[A-Z0-9]{3,5}$")
MAX_DURATION = 9999
CHUNK = 2000


@dataclass
class ExtractRow:
    """One activity's MHS204 values, with the reasons it cannot be submitted (errors) or may be queried."""

    activity_id: int
    activity_on: date
    type_code: str
    team_local_id: str
    values: tuple[str, ...]
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: What the extract cannot carry of the record (its co-deliverers), with the reason.
    unrepresented: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def extract_rows(organisation: Organisation, month: date) -> Iterator[ExtractRow]:
    """Every MHS204 candidate of the provider's month, checked, in date/time/id order (streamed).

    A record about several patients gives one row per service request (in the order entered), its
    duration apportioned by :func:`apportion`. Each row carries the care professional who logged the
    record; its co-deliverers cannot be represented (MHS204 has one care professional per row) and
    are listed in the validation report. A row whose (ServiceRequestID, IndirectActDate,
    IndirectActTime) an earlier row already has is left out (national processing keeps only one).
    """
    commissioner = (organisation.default_commissioner_code or "").strip().upper()
    seen: set[tuple[str, date, time | None]] = set()
    for _activity_id, group in groupby(
        db.session.execute(_candidates(organisation, month)), key=lambda r: r[0]
    ):
        rows = list(group)
        first = rows[0]
        requests = [r.request for r in rows if r.request] or [first.service_request_id]
        for index, (request_id, minutes) in enumerate(
            zip(requests, apportion(first.duration, len(requests)), strict=True)
        ):
            item = _row(first, request_id, minutes, commissioner)
            if index == 0 and first.co_deliverers:
                item.unrepresented.append(
                    f"co-delivered with {first.co_deliverers} colleague(s): each row carries only the care "
                    "professional who logged it (CareProfLocalID); the colleagues' parts are not in MHS204"
                )
            key = (request_id or "", first.activity_on, first.start_time)
            if item.is_valid and key in seen:
                item.errors.append(
                    "left out: another row has the same ServiceRequestID, date and time, and national "
                    "processing keeps only one of them (record the real start time)"
                )
            seen.add(key)
            yield item


def apportion(duration: int, parts: int) -> list[int]:
    """``duration`` split in whole minutes over ``parts`` rows: equal shares, the remainder one minute
    each to the first rows, so the rows add up exactly to the duration."""
    base, remainder = divmod(duration, parts)
    return [base + (1 if i < remainder else 0) for i in range(parts)]


def _candidates(organisation: Organisation, month: date) -> Any:
    co_deliverers = (
        select(func.count(ActivityDeliverer.id))
        .where(ActivityDeliverer.activity_id == Activity.id)
        .correlate(Activity)
        .scalar_subquery()
    )
    return (
        select(
            Activity.id,
            Activity.service_request_id,
            User.staff_local_id,
            Team.local_id,
            Activity.activity_on,
            Activity.start_time,
            Activity.duration_minutes.label("duration"),
            ActivityType.snomed_concept_id,
            ActivityType.code,
            ActivityServiceRequest.service_request_id.label("request"),
            co_deliverers.label("co_deliverers"),
        )
        .join(ActivityType, Activity.activity_type_id == ActivityType.id)
        .join(User, Activity.clinician_id == User.id)
        .join(Team, Activity.team_id == Team.id)
        .outerjoin(ActivityServiceRequest, ActivityServiceRequest.activity_id == Activity.id)
        .where(
            Activity.organisation_id == organisation.id,
            Activity.deleted_at.is_(None),
            Activity.activity_on >= month,
            Activity.activity_on <= month_end(month),
            ActivityType.is_patient_specific.is_(True),
            ActivityType.mhsds_target == "MHS204",
        )
        .order_by(Activity.activity_on, Activity.start_time, Activity.id, ActivityServiceRequest.position)
        .execution_options(yield_per=CHUNK)
    )


def _row(first: Any, request_id: str | None, minutes: int, commissioner: str) -> ExtractRow:
    staff_id, team_id, day, start = first.staff_local_id, first.local_id, first.activity_on, first.start_time
    item = ExtractRow(
        int(first.id),
        day,
        str(first.code),
        str(team_id),
        values=(
            request_id or "",
            staff_id or "",
            team_id or "",
            day.isoformat(),
            start.strftime("%H:%M:%S") if start else "",
            str(minutes),
            commissioner,
            first.snomed_concept_id or "",
            "",
            "",
            "",
        ),
    )
    _check(item, request_id, staff_id, team_id, start, minutes, commissioner, first.snomed_concept_id)
    return item


def _check(
    item: ExtractRow,
    request_id: str | None,
    staff_id: str | None,
    team_id: str | None,
    start: time | None,
    minutes: int,
    commissioner: str,
    snomed: str | None,
) -> None:
    if not request_id or not request_id.strip():
        item.errors.append("ServiceRequestID missing: the activity has no service request identifier")
    elif not is_extractable_local_id(request_id):
        item.errors.append("ServiceRequestID is not a valid an20 identifier")
    if not staff_id or not staff_id.strip():
        item.errors.append("CareProfLocalID missing: the clinician has no staff local identifier")
    elif not is_extractable_local_id(staff_id):
        item.errors.append("CareProfLocalID is not a valid an20 identifier")
    if not team_id or not is_extractable_local_id(team_id):
        item.errors.append("OtherCareProfTeamLocalID is not a valid an20 identifier")
    if start is None:
        item.errors.append("IndirectActTime missing: patient-specific activity needs a start time")
    elif start.minute == 0 and start.second == 0:
        item.warnings.append("IndirectActTime is exactly on the hour (an MHSDS data-quality check flags it)")
    if not 1 <= minutes <= MAX_DURATION:
        item.errors.append("DurationIndirectAct is outside 1 to 9999 minutes")
    if not commissioner:
        item.errors.append("OrgIDComm missing: the organisation has no default commissioner code")
    elif not _ODS_COMMISSIONER.match(commissioner):
        item.errors.append("OrgIDComm is not a 3 to 5 character ODS code")
    if not snomed:
        item.errors.append(
            "IndActProcedure missing: no SNOMED CT concept is configured for the activity type"
        )
    elif not _SNOMED.match(snomed):
        item.errors.append("IndActProcedure is not a SNOMED CT concept identifier (6 to 18 digits)")


def extract_values(rows: Iterator[ExtractRow]) -> Iterator[tuple[str, ...]]:
    """The MHS204 CSV rows: valid rows only (the others are in the validation report)."""
    return (row.values for row in rows if row.is_valid)


def validation_values(rows: Iterator[ExtractRow]) -> Iterator[tuple[str, ...]]:
    """One validation-report line per problem: errors (row left out) and warnings (row kept)."""
    for row in rows:
        lines = (("error", row.errors), ("warning", row.warnings), ("not represented", row.unrepresented))
        for severity, problems in lines:
            for problem in problems:
                yield (
                    severity,
                    str(row.activity_id),
                    row.activity_on.isoformat(),
                    row.type_code,
                    row.team_local_id,
                    problem,
                )


@dataclass
class ExtractCounts:
    valid: int = 0
    invalid: int = 0
    warnings: int = 0


def counted(rows: Iterator[ExtractRow], counts: ExtractCounts) -> Iterator[ExtractRow]:
    """Pass ``rows`` through, adding them up in ``counts``."""
    for row in rows:
        if row.is_valid:
            counts.valid += 1
        else:
            counts.invalid += 1
        counts.warnings += len(row.warnings)
        yield row


def extract_filenames(ods_code: str, month: date) -> tuple[str, str]:
    """File names of the extract and of its validation report."""
    return (
        f"mhsds-mhs204_{ods_code}_{month:%Y-%m}.csv",
        f"mhsds-mhs204-validation_{ods_code}_{month:%Y-%m}.csv",
    )
