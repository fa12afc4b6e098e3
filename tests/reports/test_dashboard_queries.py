"""Dashboard aggregates match totals computed independently from the same fixture rows."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date

import pytest

from indirect_work.core.db import utcnow
from indirect_work.reports.dimensions import Dimension
from indirect_work.reports.queries import (
    ActivityFilter,
    monthly_rollup,
    previous_period,
    rollup,
    team_completeness,
    totals,
)

PERIOD = ActivityFilter(start=date(2026, 1, 1), end=date(2026, 6, 30))


@dataclass
class Row:
    """What the fixture wrote, kept so the expected figures are computed without SQL."""

    clinician: str
    profession: str
    category: str
    patient: bool
    day: date
    minutes: int
    people: int
    recipients: tuple[str, ...]


TYPES = {  # code: (category label, patient-specific)
    "CONSULT_TEAM": ("Consultation", False),
    "CONSULT_PATIENT": ("Consultation", True),
    "TRAIN_STAFF": ("Teaching and training delivered", False),
    "SUPERVISION_CLINICAL": ("Supervision provided", False),
}
PROFESSIONS = {"CBT": "Cognitive behavioural therapist", "PWP": "Psychological wellbeing practitioner"}
RECIPIENTS = {
    "MH_TEAM_STAFF": "Mental health team staff",
    "WARD_STAFF": "Inpatient ward staff",
    "TRAINEES": "Trainees or students",
}


@pytest.fixture
def fixture_rows(make, db):
    """Two clinicians, rows across five months (March left empty), plus rows that must not count."""
    team, other = make.team(), make.team()
    people = {
        "alice": make.clinician(team, profession_code="CBT"),
        "bob": make.clinician(team, profession_code="PWP"),
    }
    professions = {"alice": "CBT", "bob": "PWP"}
    outsider = make.clinician(other)
    specs = [
        ("alice", "CONSULT_TEAM", date(2026, 1, 5), 30, 2, ("MH_TEAM_STAFF",)),
        ("alice", "CONSULT_PATIENT", date(2026, 1, 31), 45, 1, ("WARD_STAFF",)),
        ("bob", "TRAIN_STAFF", date(2026, 2, 1), 90, 12, ("WARD_STAFF", "TRAINEES")),
        ("bob", "CONSULT_PATIENT", date(2026, 2, 28), 20, 1, ("MH_TEAM_STAFF",)),
        ("alice", "SUPERVISION_CLINICAL", date(2026, 4, 1), 60, 1, ("TRAINEES",)),
        ("bob", "CONSULT_TEAM", date(2026, 5, 15), 15, 3, ("MH_TEAM_STAFF", "WARD_STAFF")),
        ("alice", "TRAIN_STAFF", date(2026, 6, 30), 120, 20, ("MH_TEAM_STAFF",)),
        # The previous period (July to December 2025).
        ("bob", "CONSULT_TEAM", date(2025, 12, 31), 40, 2, ("MH_TEAM_STAFF",)),
        ("bob", "CONSULT_PATIENT", date(2025, 7, 1), 10, 1, ("MH_TEAM_STAFF",)),
    ]
    rows = []
    for who, code, day, minutes, reached, recipients in specs:
        make.activity(
            people[who],
            type_code=code,
            activity_on=day,
            duration_minutes=minutes,
            people_reached=reached,
            recipients=list(recipients),
        )
        category, patient = TYPES[code]
        rows.append(
            Row(
                who,
                PROFESSIONS[professions[who]],
                category,
                patient,
                day,
                minutes,
                reached,
                tuple(RECIPIENTS[r] for r in recipients),
            )
        )
    # Excluded: a soft-deleted record in the team, another team's record, one just outside the period.
    deleted = make.activity(
        people["alice"],
        type_code="CONSULT_TEAM",
        activity_on=date(2026, 3, 10),
        duration_minutes=600,
        people_reached=50,
    )
    deleted.deleted_at = utcnow()
    make.activity(outsider, type_code="CONSULT_TEAM", activity_on=date(2026, 3, 10), duration_minutes=500)
    make.activity(people["bob"], type_code="CONSULT_TEAM", activity_on=date(2026, 7, 1), duration_minutes=7)
    db.session.flush()
    return team, people, rows


def _in(rows, start, end):
    return [r for r in rows if start <= r.day <= end]


def _team_filter(team, **kw):
    return ActivityFilter(start=PERIOD.start, end=PERIOD.end, team_ids=frozenset({team.id}), **kw)


def test_headline_totals_match_fixture_rows(fixture_rows):
    team, _, rows = fixture_rows
    mine = _in(rows, PERIOD.start, PERIOD.end)
    t = totals(_team_filter(team))
    assert t.activities == len(mine) == 7
    assert t.minutes == sum(r.minutes for r in mine)
    assert t.people_reached == sum(r.people for r in mine)
    assert t.clinicians == len({r.clinician for r in mine})
    assert t.patient_specific_minutes == sum(r.minutes for r in mine if r.patient)


def test_previous_period_is_the_same_length_just_before(fixture_rows):
    team, _, rows = fixture_rows
    before = previous_period(_team_filter(team))
    assert (before.start, before.end) == (date(2025, 7, 1), date(2025, 12, 31))
    earlier = _in(rows, before.start, before.end)
    t = totals(before)
    assert (t.activities, t.minutes) == (len(earlier), sum(r.minutes for r in earlier)) == (2, 50)


def test_hours_by_category_match(fixture_rows):
    team, _, rows = fixture_rows
    expected: Counter[str] = Counter()
    for r in _in(rows, PERIOD.start, PERIOD.end):
        expected[r.category] += r.minutes
    got = {row.labels[0]: row.minutes for row in rollup(_team_filter(team), [Dimension.CATEGORY])}
    assert got == dict(expected)


def test_hours_by_month_include_empty_months(fixture_rows):
    team, _, rows = fixture_rows
    expected = {f"2026-{m:02d}": 0 for m in range(1, 7)}
    for r in _in(rows, PERIOD.start, PERIOD.end):
        expected[r.day.strftime("%Y-%m")] += r.minutes
    got = monthly_rollup(_team_filter(team))
    assert [row.keys[0] for row in got] == list(expected)
    assert {row.keys[0]: row.minutes for row in got} == expected
    assert expected["2026-03"] == 0  # only a soft-deleted record that month


def test_hours_by_month_and_category_match(fixture_rows):
    team, _, rows = fixture_rows
    expected: dict[tuple[str, str], int] = defaultdict(int)
    for r in _in(rows, PERIOD.start, PERIOD.end):
        expected[(r.day.strftime("%Y-%m"), r.category)] += r.minutes
    got = {
        (row.keys[0], row.labels[1]): row.minutes
        for row in monthly_rollup(_team_filter(team), [Dimension.CATEGORY])
        if len(row.labels) > 1
    }
    assert got == dict(expected)
    rows_by_category = monthly_rollup(_team_filter(team), [Dimension.CATEGORY])
    empty = [row for row in rows_by_category if row.keys[0] == "2026-03"]
    assert len(empty) == 1 and empty[0].minutes == 0 and empty[0].activities == 0


def test_hours_by_profession_match(fixture_rows):
    team, _, rows = fixture_rows
    expected: Counter[str] = Counter()
    for r in _in(rows, PERIOD.start, PERIOD.end):
        expected[r.profession] += r.minutes
    got = rollup(_team_filter(team), [Dimension.PROFESSION])
    assert {row.labels[0]: row.minutes for row in got} == expected


def test_reach_by_recipient_type_counts_each_recipient(fixture_rows):
    team, _, rows = fixture_rows
    people: Counter[str] = Counter()
    count: Counter[str] = Counter()
    for r in _in(rows, PERIOD.start, PERIOD.end):
        for label in r.recipients:
            people[label] += r.people
            count[label] += 1
    got = rollup(_team_filter(team), [Dimension.RECIPIENT_TYPE])
    assert {row.labels[0]: row.people_reached for row in got} == people
    assert {row.labels[0]: row.activities for row in got} == count


def test_filters_narrow_every_figure(fixture_rows, make):
    team, people, rows = fixture_rows
    cbt = make.profession("CBT").id
    alice_rows = [r for r in _in(rows, PERIOD.start, PERIOD.end) if r.clinician == "alice"]
    t = totals(_team_filter(team, profession_id=cbt))
    assert (t.activities, t.minutes) == (len(alice_rows), sum(r.minutes for r in alice_rows))
    patient_rows = [r for r in _in(rows, PERIOD.start, PERIOD.end) if r.patient]
    t = totals(_team_filter(team, patient_specific=True))
    assert (t.activities, t.minutes) == (len(patient_rows), sum(r.minutes for r in patient_rows))
    t = totals(_team_filter(team, clinician_id=people["bob"].id, consultation_mechanism_code="01"))
    assert t.activities == len([r for r in _in(rows, PERIOD.start, PERIOD.end) if r.clinician == "bob"])


def test_completeness_lists_every_member_with_counts(fixture_rows, make, db):
    team, people, rows = fixture_rows
    quiet = make.clinician(team, full_name="Quinn Quiet")
    gone = make.clinician(team, full_name="Former Member")
    gone.is_active = False
    db.session.flush()
    months = [date(2026, 2, 1), date(2026, 3, 1)]
    got = {m.full_name: m.counts for m in team_completeness(team.id, months)}
    feb = Counter(r.clinician for r in rows if r.day.strftime("%Y-%m") == "2026-02")
    assert got == {
        people["alice"].full_name: (feb["alice"], 0),
        people["bob"].full_name: (feb["bob"], 0),
        quiet.full_name: (0, 0),
    }
    assert feb["bob"] == 2


def test_completeness_counts_only_the_team_records(fixture_rows, make):
    team, people, _ = fixture_rows
    other = make.team()
    make.activity(people["alice"], team=other, activity_on=date(2026, 2, 3))
    counts = {m.user_id: m.counts for m in team_completeness(team.id, [date(2026, 2, 1)])}
    assert counts[people["alice"].id] == (0,)
