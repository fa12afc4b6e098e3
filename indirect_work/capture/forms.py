"""HTML forms of the capture pages; typed text is parsed into :class:`ActivityInput` here.

Fields are plain text on purpose: what the user typed is kept and shown back, and every rule lives
in ``rules.py``. Parsing problems (a duration or date that cannot be read) are reported per field
in the same shape as rule errors.
"""

from __future__ import annotations

from typing import Any

from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from indirect_work.auth.models import User
from indirect_work.capture.activity_data import ActivityInput
from indirect_work.capture.duration import parse_duration
from indirect_work.capture.models import Activity
from indirect_work.capture.parsing import (
    FieldParser,
    parse_date,
    parse_int,
    parse_people,
    parse_time,
    text_or_none,
)
from indirect_work.capture.rules import validate_activity
from indirect_work.capture.services.sharing import NOT_A_COLLEAGUE, CoDeliverer
from indirect_work.core.errors import ValidationFailed
from indirect_work.core.inputs import CheckedForm


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActivityForm(CheckedForm):
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
    more_service_request_ids = TextAreaField(
        "More service request identifiers (optional)",
        description="For a meeting about several patients: one identifier a line, up to 20 in all",
    )
    co_deliverer_ids = MultiCheckboxField(
        "Colleagues who delivered it with you (optional)",
        choices=[],
        validate_choice=False,
        coerce=str,
        description="From the clinicians of your teams; they must be in the team this is logged for. "
        "Their time is the same as yours unless you enter theirs",
    )
    note = TextAreaField(
        "Note (optional)",
        description="A few words for your own reference. Do not include patient names or NHS numbers.",
    )
    outcomes = MultiCheckboxField(
        "What changed? (optional)",
        choices=[],
        validate_choice=False,
        coerce=str,
        description="If you know already; you can add or change this later, also after the month is locked",
    )
    #: A token longer than any we issue (the column holds 64) is none of ours: it is dropped, so the
    #: record is saved as without a token instead of failing in the database.
    submission_token = HiddenField(filters=[lambda v: v if v and len(v) <= 64 else None])
    version = HiddenField()

    def to_data(self) -> tuple[ActivityInput, dict[str, list[str]]]:
        """Parse the typed values; returns the data and ``{field: [message]}`` for unreadable values."""
        return input_from_text(
            activity_type_id=self.activity_type_id.data,
            activity_on=self.activity_on.data,
            duration=self.duration.data,
            team_id=self.team_id.data,
            consultation_mechanism_code=self.consultation_mechanism_code.data,
            recipient_type_ids=self.recipient_type_ids.data or [],
            people_reached=self.people_reached.data,
            start_time=self.start_time.data,
            service_request_id=self.service_request_id.data,
            more_service_request_ids=self.more_service_request_ids.data,
            note=self.note.data,
        )

    def co_deliverers(self, formdata: Any) -> list[CoDeliverer]:
        """The colleagues ticked, each with their own minutes (``co_minutes_<id>``, blank: the same)."""
        parse = FieldParser()
        found = []
        for value in self.co_deliverer_ids.data or []:
            clinician_id = parse("co_deliverers", lambda t: parse_int(t, NOT_A_COLLEAGUE), value)
            if clinician_id is None:
                continue
            typed = text_or_none(formdata.get(f"co_minutes_{clinician_id}"))
            minutes = parse("co_deliverers", parse_duration, typed) if typed else None
            found.append(CoDeliverer(clinician_id, minutes))
        if parse.errors:
            raise ValidationFailed(parse.errors)
        return found

    def parsed(self, actor: User, *, existing: Activity | None = None) -> ActivityInput:
        """The typed values, or ``ValidationFailed`` when some cannot be read.

        The rules' messages come along with the parse errors, so that every field's problem is
        shown at once (a parse error wins on its own field).
        """
        data, parse_errors = self.to_data()
        if parse_errors:
            raise ValidationFailed(
                merge_errors(parse_errors, validate_activity(actor, data, existing=existing))
            )
        return data

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        """Attach rule errors to the fields they concern (``duration_minutes`` is typed in ``duration``)."""
        for name, messages in errors.items():
            field = getattr(self, FIELD_OF.get(name, name), None)
            if field is not None:
                field.errors = list(messages)
            else:
                self.form_errors.extend(messages)


#: Rule fields typed into a differently named form field.
FIELD_OF = {
    "duration_minutes": "duration",
    "co_deliverers": "co_deliverer_ids",
    "service_request_ids": "more_service_request_ids",
}


class SharedPartForm(CheckedForm):
    """A shared session: a co-deliverer's own time, or whom to remove (``remove``: a clinician id)."""

    minutes = StringField("Your time", description="Minutes or hours, for example 45 or 1h30")
    remove = HiddenField()

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        for name, messages in errors.items():
            if name == "minutes":
                self.minutes.errors = list(messages)
            else:
                self.form_errors.extend(messages)


class ConfirmForm(CheckedForm):
    """Only the CSRF token, plus the version the user saw (delete, favourites)."""

    version = HiddenField()


def input_from_text(**raw: Any) -> tuple[ActivityInput, dict[str, list[str]]]:
    """The form's typed text in, ``ActivityInput`` plus ``{field: [message]}`` for unreadable values out."""
    parse = FieldParser()
    recipient_ids = []
    for value in raw.get("recipient_type_ids") or []:
        number = parse(
            "recipient_type_ids", lambda t: parse_int(t, "Select who received the work from the list"), value
        )
        if number is not None:
            recipient_ids.append(number)
    data = ActivityInput(
        activity_type_id=parse(
            "activity_type_id",
            lambda t: parse_int(t, "Select a type of activity from the list"),
            raw.get("activity_type_id"),
        ),
        activity_on=parse("activity_on", parse_date, raw.get("activity_on")),
        duration_minutes=parse("duration_minutes", parse_duration, raw.get("duration")),
        team_id=parse("team_id", lambda t: parse_int(t, "Select a team from the list"), raw.get("team_id")),
        consultation_mechanism_code=text_or_none(raw.get("consultation_mechanism_code")),
        recipient_type_ids=recipient_ids,
        people_reached=parse("people_reached", parse_people, raw.get("people_reached")),
        start_time=parse("start_time", parse_time, raw.get("start_time")),
        service_request_id=text_or_none(raw.get("service_request_id")),
        more_service_request_ids=(raw.get("more_service_request_ids") or "").splitlines(),
        note=text_or_none(raw.get("note")),
    )
    return data, parse.errors


def merge_errors(
    parse_errors: dict[str, list[str]], rule_errors: dict[str, list[str]]
) -> dict[str, list[str]]:
    """Parse errors win: "enter a real date" is more useful than "enter the date"."""
    merged = dict(rule_errors)
    merged.update(parse_errors)
    return merged
