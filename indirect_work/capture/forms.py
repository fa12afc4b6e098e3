"""HTML forms of the capture pages; typed text is parsed into :class:`ActivityData` here.

Fields are plain text on purpose: what the user typed is kept and shown back, and every rule lives
in ``rules.py``. Parsing problems (a duration or date that cannot be read) are reported per field
in the same shape as rule errors.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from indirect_work.capture.duration import parse_duration
from indirect_work.capture.rules import ActivityData

_INT = re.compile(r"^\s*(\d{1,9})\s*$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::(\d{2}))?$")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActivityForm(FlaskForm):
    """The log and edit form (the activity type select is rendered by the template, grouped)."""

    activity_type_id = StringField("Type of activity")
    activity_on = StringField("Date", description="For example 15/03/2026. Today unless you change it.")
    duration = StringField(
        "How long did it take?", description="Minutes or hours, for example 45, 1:30, 1h30 or 1.5h"
    )
    team_id = SelectField(
        "Team", choices=[], validate_choice=False, coerce=str, description="The team this work was for"
    )
    consultation_mechanism_code = SelectField(
        "How was it delivered?",
        choices=[],
        validate_choice=False,
        coerce=str,
        description="For example face to face, telephone or video. Your last choice is selected",
    )
    recipient_type_ids = MultiCheckboxField(
        "Who received it?", choices=[], validate_choice=False, coerce=str, description="Select all that apply"
    )
    people_reached = StringField(
        "Number of people reached",
        description="Everyone who took part or received the advice, for example 12",
    )
    start_time = StringField("Start time", description="24-hour clock, for example 14:30")
    service_request_id = StringField(
        "Service request identifier",
        description="The referral identifier from the patient record (letters, numbers and hyphens). "
        "Never a name or NHS number.",
    )
    note = TextAreaField(
        "Note (optional)",
        description="A few words for your own reference. Do not include patient names or NHS numbers.",
    )
    submission_token = HiddenField()
    version = HiddenField()

    def to_data(self) -> tuple[ActivityData, dict[str, list[str]]]:
        """Parse the typed values; returns the data and ``{field: [message]}`` for unreadable values."""
        return activity_data_from_text(
            activity_type_id=self.activity_type_id.data,
            activity_on=self.activity_on.data,
            duration=self.duration.data,
            team_id=self.team_id.data,
            consultation_mechanism_code=self.consultation_mechanism_code.data,
            recipient_type_ids=self.recipient_type_ids.data or [],
            people_reached=self.people_reached.data,
            start_time=self.start_time.data,
            service_request_id=self.service_request_id.data,
            note=self.note.data,
        )

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        """Attach rule errors to the fields they concern (``duration_minutes`` is typed in ``duration``)."""
        for name, messages in errors.items():
            field = getattr(self, "duration" if name == "duration_minutes" else name, None)
            if field is not None:
                field.errors = list(messages)
            else:
                self.form_errors.extend(messages)


class ConfirmForm(FlaskForm):
    """Only the CSRF token, plus the version the user saw (delete, favourites)."""

    version = HiddenField()


def activity_data_from_text(**raw: Any) -> tuple[ActivityData, dict[str, list[str]]]:
    """Shared by the form, the week view and the import: text in, ``ActivityData`` plus parse errors out."""
    errors: dict[str, list[str]] = {}

    def parse(name: str, parser: Any, value: Any) -> Any:
        text = value if isinstance(value, str) else ("" if value is None else str(value))
        if not text.strip():
            return None
        try:
            return parser(text.strip())
        except ValueError as exc:
            errors[name] = [str(exc)]
            return None

    recipient_ids = []
    for value in raw.get("recipient_type_ids") or []:
        number = parse(
            "recipient_type_ids", lambda t: parse_int(t, "Select who received the work from the list"), value
        )
        if number is not None:
            recipient_ids.append(number)
    data = ActivityData(
        activity_type_id=parse(
            "activity_type_id",
            lambda t: parse_int(t, "Select a type of activity from the list"),
            raw.get("activity_type_id"),
        ),
        activity_on=parse("activity_on", parse_date, raw.get("activity_on")),
        duration_minutes=parse("duration_minutes", parse_duration, raw.get("duration")),
        team_id=parse("team_id", lambda t: parse_int(t, "Select a team from the list"), raw.get("team_id")),
        consultation_mechanism_code=_text(raw.get("consultation_mechanism_code")),
        recipient_type_ids=recipient_ids,
        people_reached=parse(
            "people_reached",
            lambda t: parse_int(t, "Enter the number of people reached as a whole number, for example 12"),
            raw.get("people_reached"),
        ),
        start_time=parse("start_time", parse_time, raw.get("start_time")),
        service_request_id=_text(raw.get("service_request_id")),
        note=_text(raw.get("note")),
    )
    return data, errors


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def parse_int(text: str, message: str) -> int:
    match = _INT.match(text)
    if not match:
        raise ValueError(message)
    return int(match.group(1))


def parse_date(text: str) -> date:
    """``2026-03-15`` (what date inputs send) or ``15/03/2026``."""
    iso, uk = _ISO_DATE.match(text), _UK_DATE.match(text)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if uk:
            return date(int(uk.group(3)), int(uk.group(2)), int(uk.group(1)))
    except ValueError:
        raise ValueError("Enter a real date, for example 15/03/2026") from None
    raise ValueError("Enter the date as day/month/year, for example 15/03/2026")


def parse_time(text: str) -> time:
    match = _TIME.match(text)
    if match:
        try:
            return time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
        except ValueError:
            pass
    raise ValueError("Enter the start time on the 24-hour clock, for example 14:30")


def merge_errors(
    parse_errors: dict[str, list[str]], rule_errors: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Parse errors win: "enter a real date" is more useful than "enter the date"."""
    merged = dict(rule_errors)
    merged.update(parse_errors)
    return merged
