"""The reports pages' forms: dashboard and records filters, month lock and unlock, the report picker."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from flask import request
from sqlalchemy import select
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3 API, not in types-WTForms 3.2
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from indirect_work.capture.locks import REASON_MAX
from indirect_work.core.dates import (
    FUTURE_MONTH,
    add_months,
    is_future_month,
    month_end,
    month_start,
    months_between,
    parse_month,
)
from indirect_work.core.inputs import CheckedForm, optional_id, parse_id
from indirect_work.extensions import db
from indirect_work.org.models import Profession, Team
from indirect_work.reports.queries import ActivityFilter
from indirect_work.taxonomy.models import ActivityCategory, ActivityType, ConsultationMechanism, RecipientType

DEFAULT_MONTHS = 12
MAX_MONTHS = 60


# Dashboard and records filters ------------------------------------------------------------------


def _month_field(label: str, hint: str) -> StringField:
    return StringField(
        label, description=hint, validators=[Optional()], filters=[lambda v: (v or "").strip()]
    )


class DashboardFilterForm(CheckedForm):
    """The period and the optional filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    FIELDS = ("start", "end", "profession", "category", "activity_type", "mechanism")

    start = _month_field("From month", "For example, 2025-12")
    end = _month_field("To month", "For example, 2026-11")
    profession = SelectField("Profession", choices=[], default="")
    category = SelectField("Category", choices=[], default="")
    activity_type = SelectField("Activity type", choices=[], default="")
    mechanism = SelectField("Consultation mechanism", choices=[], default="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(request.args, *args, **kwargs)
        self.profession.choices = _choices(
            "All professions",
            db.session.execute(
                select(Profession.id, Profession.label).order_by(Profession.sort_order, Profession.label)
            ),
        )
        self.category.choices = _choices(
            "All categories",
            db.session.execute(
                select(ActivityCategory.id, ActivityCategory.label).order_by(
                    ActivityCategory.sort_order, ActivityCategory.label
                )
            ),
        )
        self.activity_type.choices = _choices(
            "All activity types",
            db.session.execute(
                select(ActivityType.id, ActivityType.label, ActivityCategory.label)
                .join(ActivityCategory)
                .order_by(ActivityCategory.sort_order, ActivityType.sort_order, ActivityType.label)
            ),
        )
        self.mechanism.choices = _choices(
            "All mechanisms",
            db.session.execute(
                select(ConsultationMechanism.code, ConsultationMechanism.label).order_by(
                    ConsultationMechanism.sort_order
                )
            ),
        )

    def validate_start(self, field: StringField) -> None:
        _check_month(field)

    def validate_end(self, field: StringField) -> None:
        _check_month(field)

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then the period as a whole (in order, at most 60 months, defaults included)."""
        if not super().validate(extra_validators):
            return False
        if self.start.data and self.end.data and parse_month(self.start.data) > parse_month(self.end.data):
            self.end.errors = ["The 'to' month must be the same as or after the 'from' month"]
            return False
        if len(months_between(*self.period())) > MAX_MONTHS:
            self.start.errors = [f"Choose a period of {MAX_MONTHS} months or fewer"]
            return False
        return True

    def period(self, today: date | None = None) -> tuple[date, date]:
        """First and last day of the chosen period (default: the last 12 months, this one included)."""
        end = parse_month(self.end.data) if self.end.data else month_start(today or date.today())
        start = parse_month(self.start.data) if self.start.data else add_months(end, -(DEFAULT_MONTHS - 1))
        if start > end:  # only the 'from' month was given, after the default end
            end = add_months(start, DEFAULT_MONTHS - 1)
        return start, month_end(end)

    def activity_filter(self, team: Team) -> ActivityFilter:
        start, end = self.period()
        return ActivityFilter(
            start=start,
            end=end,
            team_ids=frozenset({team.id}),
            profession_id=_int_or_none(self.profession.data),
            category_id=_int_or_none(self.category.data),
            activity_type_id=_int_or_none(self.activity_type.data),
            consultation_mechanism_code=self.mechanism.data or None,
        )

    def query_args(self) -> dict[str, str]:
        """The filters as URL parameters (empty ones left out), for links that keep them."""
        return {f.name: str(f.data) for f in self if f.data not in (None, "")}


class RecordsFilterForm(DashboardFilterForm):
    """The dashboard filters plus the ones a chart segment can set: recipient, patient-specific, person."""

    recipient = SelectField("Recipient type", choices=[], default="")
    patient_specific = SelectField(
        "Patient-specific",
        default="",
        choices=[
            SelectChoice("", "All"),
            SelectChoice("yes", "Patient-specific only"),
            SelectChoice("no", "Not patient-specific"),
        ],
    )
    clinician = IntegerField("Clinician", validators=[Optional(), NumberRange(min=1)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recipient.choices = _choices(
            "All recipient types",
            db.session.execute(
                select(RecipientType.id, RecipientType.label).order_by(RecipientType.sort_order)
            ),
        )

    def activity_filter(self, team: Team) -> ActivityFilter:
        patient = {"yes": True, "no": False}.get(self.patient_specific.data or "")
        return replace(
            super().activity_filter(team),
            recipient_type_id=_int_or_none(self.recipient.data),
            patient_specific=patient,
            clinician_id=self.clinician.data or None,
        )


def _choices(all_label: str, rows: Iterable[Sequence[Any]]) -> list[SelectChoice]:
    """An "all" option, then one option per ``(value, label[, group])`` row."""
    options = [SelectChoice("", all_label)]
    options += [
        SelectChoice(str(row[0]), str(row[1]), optgroup=row[2] if len(row) > 2 else None) for row in rows
    ]
    return options


def _check_month(field: StringField) -> None:
    if field.data:
        try:
            parse_month(field.data)
        except ValueError:
            raise ValidationError("Enter a month in the form YYYY-MM, for example 2026-04") from None


def _int_or_none(value: Any) -> int | None:
    return parse_id(value)


# Month locks ------------------------------------------------------------------------------------


class LockForm(CheckedForm):
    """Only the CSRF token: the team and month are in the URL."""


class UnlockForm(CheckedForm):
    reason = TextAreaField(
        "Why are you unlocking this month?",
        description="For example, which records need correcting. This is kept in the audit log.",
        validators=[
            DataRequired("Enter why the month is being unlocked"),
            Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer"),
        ],
    )


# The Reports page -------------------------------------------------------------------------------


class ReportForm(CheckedForm):
    """Provider, month and optional team type (a GET form: downloads change nothing but the audit log)."""

    class Meta:
        csrf = False

    organisation = SelectField(
        "Provider", coerce=optional_id, validate_choice=False, validators=[DataRequired("Choose a provider")]
    )
    month = StringField(
        "Month",
        description="For example, 2026-04",
        validators=[DataRequired("Enter the month in the form YYYY-MM")],
    )
    team_type = SelectField("Service or team type", default="", validate_choice=False)

    def validate_month(self, field: StringField) -> None:
        try:
            month = parse_month(field.data or "")
        except ValueError as exc:
            # A month past the date window (2999-01) is refused by parse_month as a future month.
            if str(exc) == FUTURE_MONTH:
                raise ValidationError(FUTURE_MONTH) from None
            raise ValidationError("Enter the month in the form YYYY-MM, for example 2026-04") from None
        if is_future_month(month):
            raise ValidationError(FUTURE_MONTH)
        field.parsed = month  # type: ignore[attr-defined]

    def validate_team_type(self, field: SelectField) -> None:
        if field.data and field.data not in {choice[0] for choice in field.iter_choices()}:
            raise ValidationError("Choose a service or team type from the list")
