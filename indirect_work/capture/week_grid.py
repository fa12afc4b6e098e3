"""The week grid: a clinician's usual activities by seven days, to catch up or adjust several at once."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from indirect_work.auth.models import User
from indirect_work.capture.activity_data import ActivityInput
from indirect_work.capture.duration import format_duration, parse_duration
from indirect_work.capture.models import Activity
from indirect_work.capture.pages import int_or_zero, user_teams
from indirect_work.capture.parsing import parse_date
from indirect_work.capture.services.activities import create_activity, delete_activity, update_activity
from indirect_work.capture.services.favourites import (
    Template,
    activity_template,
    favourite_template,
    list_favourites,
    recent_templates,
)
from indirect_work.capture.services.listing import MyActivitiesFilter, list_activities_query, week_start
from indirect_work.core.errors import Conflict, DomainError, ValidationFailed
from indirect_work.extensions import db
from indirect_work.taxonomy.models import ActivityType, ConsultationMechanism


def week_from_arg(text: str | None) -> date:
    try:
        day = parse_date(text.strip()) if text else date.today()
    except ValueError:
        day = date.today()
    return week_start(min(day, date.today()))


@dataclass
class Cell:
    day: date
    activity: Activity | None = None
    #: More than one record of this line on this day: shown, changed on the edit page only.
    others: list[Activity] = field(default_factory=list)
    text: str = ""
    error: str | None = None

    @property
    def editable(self) -> bool:
        return not self.others and self.day <= date.today()


@dataclass
class Line:
    index: int
    template: Template
    title: str
    detail: str
    cells: list[Cell]


class WeekGrid:
    """Rows are the user's usual activities (this week's, favourites, recents); columns the 7 days.

    A cell holds the minutes of the one record of that line on that day: typing a duration in an
    empty cell adds a record, changing it corrects the record, clearing it deletes the record.
    Patient-specific types need a time and a referral per record, so they stay on the log page.
    """

    def __init__(self, user: User, start: date) -> None:
        self.user = user
        self.start = start
        self.days = [start + timedelta(days=i) for i in range(7)]
        self.errors: list[str] = []
        self.lines: list[Line] = []
        self.patient_records: list[Activity] = []
        self.submission_token = ""
        templates, by_key = self._templates(user)
        types = (
            {
                t.id: t
                for t in db.session.scalars(
                    select(ActivityType).where(
                        ActivityType.id.in_([t.activity_type_id for t in templates.values()])
                    )
                )
            }
            if templates
            else {}
        )
        teams = {t.id: t for t in user_teams(user)}
        mechanisms = {m.code: m.label for m in db.session.scalars(select(ConsultationMechanism))}
        for key, template in templates.items():
            activity_type = types.get(template.activity_type_id)
            if activity_type is None or activity_type.is_patient_specific:
                self.patient_records.extend(by_key.get(key, []))
                continue
            if not by_key.get(key) and not (activity_type.is_active and template.team_id in teams):
                continue
            team = teams.get(template.team_id or 0)
            detail = ", ".join(
                x
                for x in (
                    team.name if team else "",
                    mechanisms.get(template.consultation_mechanism_code or "", ""),
                )
                if x
            )
            cells = [self._cell(day, by_key.get(key, [])) for day in self.days]
            self.lines.append(Line(len(self.lines), template, activity_type.label, detail, cells))

    def _templates(
        self, user: User
    ) -> tuple[dict[tuple[Any, ...], Template], dict[tuple[Any, ...], list[Activity]]]:
        """The lines (this week's records first, then favourites and recents) and the records of each."""
        records = list(
            db.session.scalars(
                list_activities_query(user, MyActivitiesFilter(date_from=self.start, date_to=self.days[-1]))
            )
        )
        templates: dict[tuple[Any, ...], Template] = {}
        by_key: dict[tuple[Any, ...], list[Activity]] = defaultdict(list)
        for activity in sorted(records, key=lambda a: a.id):
            template = activity_template(activity)
            templates.setdefault(template.key, template)
            by_key[template.key].append(activity)
        usual = [favourite_template(f) for f in list_favourites(user)] + recent_templates(
            user, limit=8, by="key"
        )
        for template in usual:
            templates.setdefault(template.key, template)
        return templates, by_key

    @staticmethod
    def _cell(day: date, records: list[Activity]) -> Cell:
        on_day = [a for a in records if a.activity_on == day]
        cell = Cell(day)
        if len(on_day) == 1:
            cell.activity = on_day[0]
            cell.text = format_duration(on_day[0].duration_minutes)
        elif on_day:
            cell.others = on_day
            cell.text = format_duration(sum(a.duration_minutes for a in on_day))
        return cell

    @staticmethod
    def cell_name(line: int, day_index: int) -> str:
        return f"cell-{line}-{day_index}"

    def save(self, form: MultiDict[str, str]) -> int:
        """Apply every changed cell in one unit of work; any failure raises with the cell named.

        The page's ``submission_token`` gives each new record a token of its own (per line and
        day), so the same page posted twice, even at the same moment, adds each record once: the
        unique token lets the database pick one winner and the other post answers with its record.
        """
        self.submission_token = form.get("submission_token", "").strip()[:64]
        changes = 0
        failures: dict[str, list[str]] = {}
        for line in self.lines:
            for index, cell in enumerate(line.cells):
                name = self.cell_name(line.index, index)
                if not cell.editable or name not in form:
                    continue
                typed = form.get(name, "").strip()
                try:
                    changes += self._save_cell(line, cell, typed, int_or_zero(form.get(name + "-version")))
                except ValidationFailed as exc:
                    failures[name] = [m for messages in exc.fields.values() for m in messages] or [
                        exc.message
                    ]
        if failures:
            raise ValidationFailed(failures, message="Some days could not be saved; nothing was changed")
        return changes

    def _save_cell(self, line: Line, cell: Cell, typed: str, version: int) -> int:
        token = self.cell_token(line, cell.day)
        if _added_by_this_page(cell, token, typed, version):
            return 1  # the same post again: this very page added the record already
        if cell.activity is None:
            if version:
                raise Conflict(
                    "A record in this week was deleted after you opened it. The week is shown "
                    "as it is now; enter your changes again."
                )
            if not typed:
                return 0
            create_activity(
                actor=self.user,
                data=self._data(line.template, cell.day, typed),
                source="week",
                submission_token=token,
            )
            return 1
        if not typed:
            delete_activity(actor=self.user, activity=cell.activity, expected_version=version)
            return 1
        if typed == format_duration(cell.activity.duration_minutes):
            return 0
        data = ActivityInput.from_activity(cell.activity)
        data.duration_minutes = _minutes(typed)
        update_activity(actor=self.user, activity=cell.activity, data=data, expected_version=version)
        return 1

    def cell_token(self, line: Line, day: date) -> str | None:
        """The new record's token: the page's token, this user, the line's key and the day."""
        if not self.submission_token:
            return None
        seed = f"week:{self.user.id}:{self.submission_token}:{line.template.key!r}:{day.isoformat()}"
        return hashlib.sha256(seed.encode()).hexdigest()

    @staticmethod
    def _data(template: Template, day: date, typed: str) -> ActivityInput:
        """A new record of the line's template on ``day``, for the typed duration."""
        return ActivityInput(
            activity_type_id=template.activity_type_id,
            activity_on=day,
            duration_minutes=_minutes(typed),
            team_id=template.team_id,
            consultation_mechanism_code=template.consultation_mechanism_code,
            recipient_type_ids=list(template.recipient_type_ids),
            people_reached=template.people_reached if template.people_reached is not None else 1,
        )

    def keep_typed(self, form: MultiDict[str, str], exc: DomainError) -> None:
        """After a failed save: show what was typed, and each cell's own error."""
        self.errors.append(exc.message)
        for line in self.lines:
            for index, cell in enumerate(line.cells):
                name = self.cell_name(line.index, index)
                if name in form:
                    cell.text = form.get(name, "")
                if name in exc.fields:
                    cell.error = exc.fields[name][0]


def _added_by_this_page(cell: Cell, token: str | None, typed: str, version: int) -> bool:
    """Whether the cell's record is the one this page's post created, with the duration typed."""
    activity = cell.activity
    if activity is None or not token or activity.submission_token != token or version or not typed:
        return False
    return _minutes(typed) == activity.duration_minutes


def _minutes(typed: str) -> int:
    """The typed duration; one that cannot be read is the cell's error."""
    try:
        return parse_duration(typed)
    except ValueError as exc:
        raise ValidationFailed({"duration_minutes": [str(exc)]}) from None
