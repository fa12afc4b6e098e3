"""A provider month built to be at risk of disclosure, and readers for what a commissioner can obtain.

October 2026 at provider RAR:
* team type A06 (two teams, five clinicians), the bulk of the month;
* team type A02 (one team of four CBT therapists, a team of one profession, two of whom log in the
  month): below the threshold of three contributing clinicians, so its figures must stay hidden
  everywhere;
* team type A05 (one team: three counsellors and one clinical psychologist, the only one outside
  A06): a profession that is small within its team type;
* one A06 clinician's only record on Saturday 31 October (a lone weekend record).
Every figure is chosen so that an exact difference would be recognisable (no multiples of five).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import openpyxl

from indirect_work.capture.models import Activity, MonthLock

MONTH = date(2026, 10, 1)
MONTH_ARG = "2026-10"
SATURDAY = date(2026, 10, 31)


@dataclass
class AtRisk:
    org: Any
    other_org: Any
    teams: dict[str, list[Any]]
    clinicians: dict[str, list[Any]]
    commissioner: Any
    admin: Any
    lone: Any = None
    activities: list[Activity] = field(default_factory=list)

    def truth(self, team_type: str | None = None) -> dict[str, Any]:
        """Exact figures from the rows themselves (independent of the reporting code)."""
        rows = [a for a in self.activities if team_type is None or a.team.service_team_type_code == team_type]
        return {
            "activities": len(rows),
            "minutes": sum(a.duration_minutes for a in rows),
            "people": sum(a.people_reached for a in rows),
            "clinicians": len({a.clinician_id for a in rows}),
        }


def build_at_risk(make: Any, db: Any, *, lock: bool = True) -> AtRisk:
    org = make.organisation(ods_code="RAR", name="At Risk Partnership", default_commissioner_code="15N")
    other = make.organisation(ods_code="ROT", name="Other Provider Trust")
    teams = {
        "A06": [
            make.team(org, name="North CMHT", local_id="NCMHT", service_team_type_code="A06"),
            make.team(org, name="South CMHT", local_id="SCMHT", service_team_type_code="A06"),
        ],
        "A02": [make.team(org, name="Crisis Team", local_id="CRT", service_team_type_code="A02")],
        "A05": [make.team(org, name="Primary Care MH", local_id="PCMH", service_team_type_code="A05")],
    }
    clinicians = {
        "A06": [make.clinician(teams["A06"][i % 2]) for i in range(5)],
        "A02": [make.clinician(teams["A02"][0], profession_code="CBT") for _ in range(2)],
        "A05": [make.clinician(teams["A05"][0], profession_code="COUNSELLOR") for _ in range(3)]
        + [make.clinician(teams["A05"][0], profession_code="CLIN_PSY")],
    }
    # Two more crisis team members who log nothing: the team is expected to have four contributors.
    for _ in range(2):
        make.clinician(teams["A02"][0], profession_code="CBT")
    risk = AtRisk(org, other, teams, clinicians, make.commissioner(org), make.admin())
    minutes = iter([37, 41, 53, 67, 71, 83, 97, 101, 113, 127, 131, 139, 149, 151, 157, 163, 167, 173])
    for type_code, people in clinicians.items():
        for n, person in enumerate(people):
            team = next(t for t in teams[type_code] if t.id == person.default_team_id)
            for day in (6, 14) if type_code != "A02" else (8,):
                if type_code == "A06" and n == 0:
                    continue  # this clinician's only record is the Saturday one below
                risk.activities.append(
                    make.activity(
                        person,
                        team,
                        activity_on=date(2026, 10, day),
                        duration_minutes=next(minutes),
                        people_reached=3 + n,
                        note=f"Consultation {type_code}-{n}-{day}",
                    )
                )
    lone = clinicians["A06"][0]
    risk.lone = make.activity(
        lone, teams["A06"][0], activity_on=SATURDAY, duration_minutes=43, people_reached=2, note="Saturday"
    )
    risk.activities.append(risk.lone)
    if lock:
        for team in [t for group in teams.values() for t in group]:
            db.session.add(MonthLock(team_id=team.id, month=MONTH, is_locked=True))
    db.session.flush()
    return risk


def open_workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def sheet_rows(workbook: openpyxl.Workbook, title: str) -> list[list[Any]]:
    return [list(row) for row in workbook[title].iter_rows(values_only=True)]


def row_starting(rows: list[list[Any]], *first: Any) -> list[Any] | None:
    """The first row whose leading cells are ``first``."""
    for row in rows:
        if tuple(row[: len(first)]) == first:
            return row
    return None


def summary_figures(workbook: openpyxl.Workbook) -> dict[str, Any]:
    """The Summary sheet's "This month" column, by measure."""
    rows = sheet_rows(workbook, "Summary")
    found = {}
    for label, key in (
        ("Activities", "activities"),
        ("Hours", "hours"),
        ("People reached", "people"),
        ("Clinicians contributing", "clinicians"),
    ):
        row = row_starting(rows, label)
        assert row is not None, f"no {label} row on the Summary sheet"
        found[key] = row[1]
    return found


def workbook_url(org: Any, **extra: str) -> str:
    query = {"organisation": str(org.id), "month": MONTH_ARG, **extra}
    return "/commissioner-reports/workbook?" + "&".join(f"{k}={v}" for k, v in query.items())


def numeric_cells(workbook: openpyxl.Workbook, titles: tuple[str, ...]) -> list[tuple[str, str, Any]]:
    """(sheet, coordinate, value) of every number on the named sheets."""
    found = []
    for title in titles:
        for row in workbook[title].iter_rows():
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    found.append((title, cell.coordinate, cell.value))
    return found
