"""The one rule set for an activity record, used by every entry path (form, week view, import, API).

Callers build an :class:`ActivityInput` from whatever they received. :func:`validate_activity`
answers ``{field: [messages]}`` with field names equal to the dataclass field names, and an empty
dict when the record may be saved; :func:`check_activity` turns it into a :class:`CheckedActivity`
or raises ``ValidationFailed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from indirect_work.auth.models import User
from indirect_work.capture.activity_data import ActivityInput, CheckedActivity
from indirect_work.capture.identifiers import LEADING_SYMBOL_MESSAGE, is_extractable_local_id
from indirect_work.capture.locks import locked_month
from indirect_work.capture.models import Activity
from indirect_work.core.dates import format_month, month_start
from indirect_work.core.errors import ValidationFailed
from indirect_work.extensions import db
from indirect_work.org.models import Team
from indirect_work.taxonomy.models import ActivityCategory, ActivityType, ConsultationMechanism, RecipientType

MIN_MINUTES, MAX_MINUTES = 1, 1440
MAX_NOTE = 500
#: Most service requests one meeting can be about.
MAX_SERVICE_REQUESTS = 20
MAX_PEOPLE = 10000
EARLIEST_DATE = date(2000, 1, 1)
#: an20 in MHSDS; we allow letters, digits and hyphens (what EPR referral identifiers use).
SERVICE_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{1,20}$")
#: Ten digits, optionally grouped with single spaces or hyphens (3-3-4 or any other grouping),
#: not part of a longer run of digits.
_NHS_CANDIDATE = re.compile(r"(?<!\d)(?<!\d[ -])\d(?:[ -]?\d){9}(?![ -]?\d)")

NHS_NUMBER_MESSAGE = (
    "The note seems to contain an NHS number ({masked}). Notes must not identify patients: "
    "remove it (for patient-specific work use the service request identifier instead)"
)


def is_valid_nhs_number(digits: str) -> bool:
    """The NHS number Modulus 11 check on ten digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def find_nhs_numbers(text: str | None) -> list[str]:
    """Every NHS-number-shaped run of ten digits (with or without spaces or hyphens) that passes the check."""
    found = []
    for match in _NHS_CANDIDATE.finditer(text or ""):
        digits = re.sub(r"\D", "", match.group(0))
        if is_valid_nhs_number(digits):
            found.append(match.group(0))
    return found


def _mask(number: str) -> str:
    digits = re.sub(r"\D", "", number)
    return "*" * 7 + digits[-3:]


def lock_message(team: Team | None, day: date) -> str:
    name = team.name if team else "this team"
    return (
        f"{format_month(day)} is locked for {name}: its records can no longer be added or changed. "
        "Ask your team lead if something needs correcting"
    )


def check_record_unlocked(actor: User, activity: Activity) -> dict[str, list[str]]:
    """An existing record whose own month is locked may not be changed or deleted (except by admins)."""
    if actor.is_admin or locked_month(activity.team_id, activity.activity_on) is None:
        return {}
    return {
        "activity_on": [
            f"This record is in {format_month(activity.activity_on)}, "
            f"which is locked for {activity.team.name}: "
            "it can no longer be changed or deleted. Ask your team lead if something needs correcting"
        ]
    }


@dataclass
class RuleCache:
    """Look-ups remembered across many records checked together (an import of thousands of rows)."""

    locks: dict[tuple[int, date], bool] = field(default_factory=dict)
    recipients: dict[tuple[int, ...], dict[int, RecipientType]] = field(default_factory=dict)
    #: Strong references: the session's identity map is weak, so without them every row reloads.
    objects: dict[tuple[type, Any], Any] = field(default_factory=dict)


def validate_activity(
    actor: User,
    data: ActivityInput,
    *,
    existing: Activity | None = None,
    clinician: User | None = None,
    today: date | None = None,
    cache: RuleCache | None = None,
) -> dict[str, list[str]]:
    """Check ``data`` against every rule of the record; ``{}`` means it may be saved.

    ``actor`` is who is saving; ``clinician`` whose record it is (defaults to the actor, or the
    existing record's clinician). Retired types, teams, mechanisms and recipient types stay valid
    on an existing record that already uses them, and are refused otherwise.
    """
    check = _Check(existing, cache)
    if clinician is None:
        clinician = existing.clinician if existing is not None else actor
    if existing is not None:
        for name, messages in check_record_unlocked(actor, existing).items():
            for message in messages:
                check.err(name, message)
    activity_type = check.activity_type(data.activity_type_id)
    team = check.team(data.team_id, clinician)
    check.day(actor, data.activity_on, team, today or date.today())
    check.amounts(data)
    check.mechanism(data.consultation_mechanism_code)
    check.recipients(data.recipient_type_ids)
    check.patient_fields(data, activity_type)
    check.note(data.note)
    return check.errors


def check_activity(
    actor: User,
    data: ActivityInput,
    *,
    existing: Activity | None = None,
    clinician: User | None = None,
    today: date | None = None,
    cache: RuleCache | None = None,
) -> CheckedActivity:
    """The checked values of ``data``; raises ``ValidationFailed`` with ``{field: [messages]}`` otherwise."""
    errors = validate_activity(actor, data, existing=existing, clinician=clinician, today=today, cache=cache)
    if errors:
        raise ValidationFailed(errors)
    return checked(data)


def checked(data: ActivityInput) -> CheckedActivity:
    """``data`` as checked values; only for input :func:`validate_activity` found without errors."""
    assert data.activity_type_id is not None and data.activity_on is not None
    assert data.duration_minutes is not None and data.team_id is not None
    assert data.consultation_mechanism_code is not None and data.people_reached is not None
    return CheckedActivity(
        activity_type_id=data.activity_type_id,
        activity_on=data.activity_on,
        duration_minutes=data.duration_minutes,
        team_id=data.team_id,
        consultation_mechanism_code=data.consultation_mechanism_code,
        recipient_type_ids=tuple(data.recipient_type_ids),
        people_reached=data.people_reached,
        start_time=data.start_time,
        service_request_id=data.service_request_id,
        more_service_request_ids=tuple(data.more_service_request_ids),
        note=data.note,
    )


class _Check:
    """The messages of one record's check, field by field, in the order the form shows the fields."""

    def __init__(self, existing: Activity | None, cache: RuleCache | None) -> None:
        self.existing = existing
        self.cache = cache
        self.errors: dict[str, list[str]] = {}

    def err(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def activity_type(self, type_id: int | None) -> ActivityType | None:
        existing = self.existing
        if type_id is None:
            self.err("activity_type_id", "Select the type of activity")
            return None
        activity_type: ActivityType | None = (
            _get(ActivityType, type_id, self.cache) if _id_ok(type_id) else None
        )
        if activity_type is None:
            self.err("activity_type_id", "Select a type of activity from the list")
        elif not _still_allowed(activity_type, existing, "activity_type_id") or not (
            activity_type.category.is_active or _kept(existing, "activity_type_id", activity_type.id)
        ):
            self.err("activity_type_id", f"“{activity_type.label}” has been retired; select a current type")
        return activity_type

    def team(self, team_id: int | None, clinician: User) -> Team | None:
        existing = self.existing
        if team_id is None:
            self.err("team_id", "Select the team you did this work for")
            return None
        team: Team | None = _get(Team, team_id, self.cache) if _id_ok(team_id) else None
        if team is None:
            self.err("team_id", "Select a team from the list")
        elif team.id not in clinician.clinician_team_ids and not _kept(existing, "team_id", team.id):
            self.err("team_id", "Select one of your own teams")
        elif not _still_allowed(team, existing, "team_id"):
            self.err("team_id", f"{team.name} is no longer active; select a current team")
        return team

    def day(self, actor: User, day: date | None, team: Team | None, today: date) -> None:
        if day is None:
            self.err("activity_on", "Enter the date of the activity")
        elif day > today:
            self.err("activity_on", "The date cannot be in the future")
        elif day < EARLIEST_DATE:
            self.err("activity_on", "Enter a date from 1 January 2000 onwards")
        elif team is not None and not actor.is_admin and _is_locked(team.id, day, self.cache):
            self.err("activity_on", lock_message(team, day))

    def amounts(self, data: ActivityInput) -> None:
        if data.duration_minutes is None:
            self.err("duration_minutes", "Enter how long the activity took, for example 45, 1:30 or 1.5h")
        elif not MIN_MINUTES <= data.duration_minutes <= MAX_MINUTES:
            self.err("duration_minutes", "The duration must be between 1 minute and 24 hours (1440 minutes)")
        if data.people_reached is None:
            self.err("people_reached", "Enter how many people the work reached, for example 1")
        elif not 0 <= data.people_reached <= MAX_PEOPLE:
            self.err("people_reached", f"The number of people reached must be between 0 and {MAX_PEOPLE:,}")

    def mechanism(self, code: str | None) -> None:
        if code is None:
            self.err("consultation_mechanism_code", "Select how the activity was delivered")
            return
        mechanism = (
            _get(ConsultationMechanism, code, self.cache) if re.fullmatch(r"[0-9A-Za-z]{1,2}", code) else None
        )
        if mechanism is None:
            self.err("consultation_mechanism_code", "Select how the activity was delivered from the list")
        elif not _still_allowed(mechanism, self.existing, "consultation_mechanism_code"):
            self.err("consultation_mechanism_code", f"“{mechanism.label}” is no longer used; select another")

    def recipients(self, ids: list[int]) -> None:
        if not ids:
            self.err("recipient_type_ids", "Select who received the work")
            return
        found = _recipients(tuple(i for i in ids if _id_ok(i)), self.cache)
        kept = {r.id for r in self.existing.recipient_types} if self.existing is not None else set()
        if len(found) != len(ids):
            self.err("recipient_type_ids", "Select who received the work from the list")
        elif any(not r.is_active and r.id not in kept for r in found.values()):
            self.err("recipient_type_ids", "A recipient type you selected is no longer used; select another")

    def patient_fields(self, data: ActivityInput, activity_type: ActivityType | None) -> None:
        if activity_type is not None and activity_type.is_patient_specific:
            if data.start_time is None:
                self.err(
                    "start_time", "Enter the start time, for example 14:30 (needed for patient-specific work)"
                )
            if data.service_request_id is None:
                self.err(
                    "service_request_id",
                    "Enter the service request identifier of the patient's referral "
                    "(needed for patient-specific work)",
                )
        elif activity_type is not None and data.service_request_id is not None:
            self.err(
                "service_request_id",
                f"Leave the service request identifier empty: “{activity_type.label}” "
                "is not about one patient",
            )
        if data.service_request_id is not None:
            problem = service_request_problem(data.service_request_id)
            if problem:
                self.err("service_request_id", problem)
        self.more_service_requests(data, activity_type)

    def more_service_requests(self, data: ActivityInput, activity_type: ActivityType | None) -> None:
        """The further service requests of a meeting about several patients, each checked like the first."""
        more = data.more_service_request_ids
        if not more:
            return
        if activity_type is not None and not activity_type.is_patient_specific:
            self.err("service_request_ids", "Only patient-specific work carries service request identifiers")
        if data.service_request_id is None:
            self.err("service_request_ids", "Enter the first service request identifier first")
        every = [data.service_request_id, *more]
        if len(every) > MAX_SERVICE_REQUESTS:
            self.err(
                "service_request_ids", f"Enter at most {MAX_SERVICE_REQUESTS} service request identifiers"
            )
        if len({v.upper() for v in every if v}) < len(every):
            self.err("service_request_ids", "Enter each service request identifier once")
        for value in more:
            problem = service_request_problem(value)
            if problem:
                self.err("service_request_ids", f"{value[:20]}: {problem}")

    def note(self, note: str | None) -> None:
        if note is None:
            return
        if any(ord(c) < 32 and c not in "\n\r\t" for c in note):
            self.err(
                "note", "The note contains control characters that cannot be stored; retype it as plain text"
            )
        if len(note) > MAX_NOTE:
            self.err("note", f"The note must be {MAX_NOTE} characters or fewer (it has {len(note)})")
        numbers = find_nhs_numbers(note)
        if numbers:
            self.err("note", NHS_NUMBER_MESSAGE.format(masked=_mask(numbers[0])))


def service_request_problem(value: str) -> str | None:
    """Why one SERVICE REQUEST IDENTIFIER cannot be stored (the MHS204 rule), or None."""
    if not SERVICE_REQUEST_ID.match(value):
        return (
            "The service request identifier can only contain letters, numbers and hyphens, "
            "up to 20 characters"
        )
    if not is_extractable_local_id(value):
        return LEADING_SYMBOL_MESSAGE
    if is_valid_nhs_number(re.sub(r"[ -]", "", value)):
        return (
            "That looks like an NHS number. Enter the referral's service request identifier from the "
            "patient record, never the NHS number"
        )
    return None


def _get(model: type[Any], key: Any, cache: RuleCache | None) -> Any:
    if cache is None:
        return db.session.get(model, key)
    if (model, key) not in cache.objects:
        obj = db.session.get(model, key)
        if isinstance(obj, ActivityType):
            cache.objects[(ActivityCategory, obj.category_id)] = obj.category
        cache.objects[(model, key)] = obj
    return cache.objects[(model, key)]


def _is_locked(team_id: int, day: date, cache: RuleCache | None) -> bool:
    if cache is None:
        return locked_month(team_id, day) is not None
    key = (team_id, month_start(day))
    if key not in cache.locks:
        cache.locks[key] = locked_month(team_id, day) is not None
    return cache.locks[key]


def _recipients(ids: tuple[int, ...], cache: RuleCache | None) -> dict[int, RecipientType]:
    if cache is not None and ids in cache.recipients:
        return cache.recipients[ids]
    found = (
        {r.id: r for r in db.session.scalars(select(RecipientType).where(RecipientType.id.in_(ids)))}
        if ids
        else {}
    )
    if cache is not None:
        cache.recipients[ids] = found
    return found


def _id_ok(value: Any) -> bool:
    """A plausible primary key (keeps absurd numbers away from a 32-bit integer column)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def _kept(existing: Activity | None, name: str, value: Any) -> bool:
    return existing is not None and getattr(existing, name) == value


def _still_allowed(obj: Any, existing: Activity | None, name: str) -> bool:
    """Active, or already on the record being edited (retired entries stay valid for history)."""
    value = obj.code if name == "consultation_mechanism_code" else obj.id
    return bool(obj.is_active) or _kept(existing, name, value)
