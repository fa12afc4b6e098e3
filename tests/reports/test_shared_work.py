"""A session co-delivered by three clinicians of two professions counts once, with the sum of their
hours and its people reached once: on the dashboard, in every workbook sheet and in the API.

Expected figures are recomputed here from the raw rows (plain SQL), with the counting rules written
out again independently of ``capture/counting.py``.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time
from typing import Any

import openpyxl
import pytest
from sqlalchemy import text

from indirect_work.api.tokens import create_token
from indirect_work.capture.activity_data import ActivityInput
from indirect_work.capture.filters import ActivityFilter
from indirect_work.capture.services import CoDeliverer, create_activity, remove_co_deliverer
from indirect_work.extensions import db
from indirect_work.reports.commissioning import collect_monthly_report
from indirect_work.reports.disclosure import DisclosurePolicy, disclose
from indirect_work.reports.queries import totals
from indirect_work.reports.workbook import build_workbook
from tests.api.conftest import Api, recipient_id, type_id

MONTH = date(2026, 3, 1)
DAY = date(2026, 3, 12)


@dataclass
class Shared:
    org: Any
    team: Any
    creator: Any
    colleagues: list[Any]
    outsider: Any
    session: Any


def _input(team: Any, code: str, minutes: int, people: int, recipient: str) -> ActivityInput:
    return ActivityInput(
        activity_type_id=type_id(code),
        activity_on=DAY,
        duration_minutes=minutes,
        team_id=team.id,
        consultation_mechanism_code="01",
        recipient_type_ids=[recipient_id(recipient)],
        people_reached=people,
        start_time=time(9, 41),
    )


@pytest.fixture
def shared(make: Any, db: Any) -> Shared:
    org = make.organisation(ods_code="RSH1", default_commissioner_code="15N")
    team = make.team(org, service_team_type_code="A06", local_id="SHT")
    creator = make.clinician(team, profession_code="CLIN_PSY", full_name="Ada Creator")
    psy = make.clinician(team, profession_code="CLIN_PSY", full_name="Bea Colleague")
    cbt = make.clinician(team, profession_code="CBT", full_name="Cy Colleague")
    outsider = make.clinician(make.team(org), profession_code="CBT", full_name="Dee Outsider")
    session = create_activity(
        actor=creator,
        data=_input(team, "TRAIN_STAFF", 120, 15, "TRAINEES"),
        co_deliverers=[CoDeliverer(psy.id, 90), CoDeliverer(cbt.id)],
    )
    create_activity(actor=psy, data=_input(team, "CONSULT_TEAM", 30, 2, "MH_TEAM_STAFF"))
    create_activity(
        actor=outsider, data=_input(outsider_team(outsider), "CONSULT_TEAM", 45, 1, "MH_TEAM_STAFF")
    )
    db.session.flush()
    return Shared(org, team, creator, [psy, cbt], outsider, session)


def outsider_team(user: Any) -> Any:
    from indirect_work.org.models import Team

    return db.session.get(Team, user.default_team_id)


# The counting rules, written again from the raw rows ---------------------------------------------


@dataclass(frozen=True)
class Raw:
    sessions: list[dict[str, Any]]  # one per live record of the month
    parts: list[dict[str, Any]]  # one per deliverer: activity_id, clinician_id, minutes, lead
    profession: dict[int, str]  # user id -> profession label


def raw_rows(org: Any, team_ids: set[int] | None = None) -> Raw:
    sessions = [
        dict(row._mapping)
        for row in db.session.execute(
            text(
                "SELECT a.id, a.clinician_id, a.duration_minutes, a.people_reached, a.team_id, "
                "t.code AS type_code, a.consultation_mechanism_code AS mode "
                "FROM activities a JOIN activity_types t ON t.id = a.activity_type_id "
                "WHERE a.deleted_at IS NULL AND a.organisation_id = :org "
                "AND a.activity_on BETWEEN :start AND :end"
            ),
            {"org": org.id, "start": MONTH, "end": date(2026, 3, 31)},
        )
        if team_ids is None or row.team_id in team_ids
    ]
    ids = {s["id"] for s in sessions}
    parts = [
        {
            "activity_id": s["id"],
            "clinician_id": s["clinician_id"],
            "minutes": s["duration_minutes"],
            "lead": True,
        }
        for s in sessions
    ]
    for row in db.session.execute(text("SELECT activity_id, clinician_id, minutes FROM activity_deliverers")):
        if row.activity_id in ids:
            parts.append(
                {
                    "activity_id": row.activity_id,
                    "clinician_id": row.clinician_id,
                    "minutes": row.minutes,
                    "lead": False,
                }
            )
    profession = {
        row.id: row.label
        for row in db.session.execute(
            text("SELECT u.id, p.label FROM users u JOIN professions p ON p.id = u.profession_id")
        )
    }
    return Raw(sessions, parts, profession)


def expected(raw: Raw, keep: Any = lambda s: True) -> tuple[int, float, int, int]:
    """Sessions once, each deliverer's own minutes, people once per session, distinct deliverers."""
    kept = {s["id"]: s for s in raw.sessions if keep(s)}
    parts = [p for p in raw.parts if p["activity_id"] in kept]
    return (
        len(kept),
        sum(p["minutes"] for p in parts) / 60,
        sum(s["people_reached"] for s in kept.values()),
        len({p["clinician_id"] for p in parts}),
    )


def expected_by_profession(raw: Raw) -> dict[str, tuple[int, float, int, int]]:
    """A session and its people go to its creator's profession; minutes to each deliverer's own."""
    out: dict[str, list[Any]] = defaultdict(lambda: [0, 0, 0, set()])
    for s in raw.sessions:
        row = out[raw.profession[s["clinician_id"]]]
        row[0] += 1
        row[2] += s["people_reached"]
    for p in raw.parts:
        row = out[raw.profession[p["clinician_id"]]]
        row[1] += p["minutes"]
        row[3].add(p["clinician_id"])
    return {label: (r[0], r[1] / 60, r[2], len(r[3])) for label, r in out.items()}


# Reading back the outputs ------------------------------------------------------------------------


def workbook(org: Any) -> openpyxl.Workbook:
    report = collect_monthly_report(org, MONTH)
    buffer = io.BytesIO()
    build_workbook(report, buffer, disclosure=disclose(report, DisclosurePolicy(threshold=1, rounding=1)))
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


def _rows(ws: Any) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def _approx(values: Any) -> list[Any]:
    return [pytest.approx(v) for v in values]


def test_every_workbook_sheet_counts_the_shared_session_once(shared: Shared) -> None:
    raw = raw_rows(shared.org)
    wb = workbook(shared.org)
    total = expected(raw)
    assert total[:3] == (3, pytest.approx((120 + 90 + 120 + 30 + 45) / 60), 18)

    summary = {row[0]: row[1] for row in _rows(wb["Summary"]) if row and row[0]}
    assert [summary["Activities"], summary["Hours"], summary["People reached"]] == _approx(total[:3])
    assert summary["Clinicians contributing"] == total[3] == 4

    by_activity = wb["By activity"]
    for row in _rows(by_activity):
        if row[0] == "Type":
            assert row[6:10] == _approx(expected(raw, lambda s, code=row[2]: s["type_code"] == code)), row[2]
        if row[0] == "Total":
            assert row[6:10] == _approx(total)
    training = next(r for r in _rows(by_activity) if r[0] == "Type" and r[2] == "TRAIN_STAFF")
    assert training[6:9] == _approx((1, (120 + 90 + 120) / 60, 15))

    team_types = {row[0]: row for row in _rows(wb["By team type"])[1:] if row[0] == "A06"}
    assert team_types["A06"][3:7] == _approx(total)

    professions = expected_by_profession(raw)
    seen = set()
    for row in _rows(wb["By profession"])[1:]:
        if row[0] in professions and row[1] not in (None, ""):
            assert row[3:7] == _approx(professions[row[0]]), row[0]
            seen.add(row[0])
    assert seen == {"Clinical psychologist", "Cognitive behavioural therapist"} or len(seen) == 2

    mode = _rows(wb["By recipient and mode"])
    face_to_face = next(r for r in mode if r[0] == "Mode" and r[1] == "01")
    assert face_to_face[3:7] == _approx(total)
    trainees = next(r for r in mode if r[0] == "Recipient type" and r[1] == "TRAINEES")
    assert trainees[3:7] == _approx(expected(raw, lambda s: s["type_code"] == "TRAIN_STAFF"))

    trend = _rows(wb["Trend"])
    march = next(r for r in trend if r[0] is not None and getattr(r[0], "month", None) == 3)
    assert march[-1] == pytest.approx(total[1])

    completeness = _rows(wb["Completeness"])
    start = next(i for i, row in enumerate(completeness) if row[:1] == ["Team type code"])
    a06 = next(row for row in completeness[start + 1 :] if row[0] == "A06")
    assert a06[3] == 4  # contributing: every deliverer, co-deliverers included


def test_dashboard_and_api_count_the_shared_session_once(
    shared: Shared, make: Any, client: Any, login: Any
) -> None:
    raw = raw_rows(shared.org, {shared.team.id})
    sessions, hours, people, clinicians = expected(raw)
    lead = make.lead(shared.team)
    db.session.commit()
    login(lead)
    html = client.get(f"/dashboard/teams/{shared.team.id}?start=2026-03&end=2026-03").get_data(as_text=True)
    figures = re.findall(r'data-testid="figure-\d">([^<]+)<', html)
    assert figures[:4] == [str(sessions), f"{hours:,.1f}", str(people), str(clinicians)]
    assert (sessions, people, clinicians) == (2, 17, 3)

    api = Api(client, create_token(user=lead, name="t", lifetime_days=30).secret)
    db.session.commit()
    body = api.get(
        f"/rollups?start=2026-03-01&end=2026-03-31&team_id={shared.team.id}&by=profession"
    ).get_json()
    t = body["totals"]
    assert (t["activities"], t["minutes"], t["people_reached"], t["clinicians"]) == (
        sessions,
        round(hours * 60),
        people,
        clinicians,
    )
    by_profession = expected_by_profession(raw)
    for row in body["rows"]:
        label = row["labels"][0] if "labels" in row else row["profession"]["label"]
        e = by_profession[label]
        assert (row["activities"], row["minutes"], row["people_reached"]) == (e[0], round(e[1] * 60), e[2])


def test_each_deliverer_lists_it_as_shared_and_sees_their_own_part(shared: Shared, client: Any) -> None:
    for person in [shared.creator, *shared.colleagues]:
        api = Api(client, create_token(user=person, name="t", lifetime_days=30).secret)
        db.session.commit()
        items = api.get("/activities?per_page=100").get_json()["items"]
        mine = [i for i in items if i["id"] == shared.session.id]
        assert mine and mine[0]["shared"] is True, person.full_name
        own = totals(ActivityFilter(start=MONTH, end=date(2026, 3, 31), clinician_id=person.id))
        part = shared.session.part_of(person.id)
        minutes = part.minutes if part else shared.session.duration_minutes
        assert own.minutes >= minutes and own.activities >= 1


def test_a_colleague_outside_the_team_is_refused_with_the_field(shared: Shared, client: Any) -> None:
    api = Api(client, create_token(user=shared.creator, name="t", lifetime_days=30).secret)
    db.session.commit()
    body = {
        "activity_type_id": type_id("TRAIN_STAFF"),
        "activity_on": DAY.isoformat(),
        "duration_minutes": 60,
        "team_id": shared.team.id,
        "consultation_mechanism_code": "01",
        "recipient_type_ids": [recipient_id("TRAINEES")],
        "co_deliverers": [{"clinician_id": shared.colleagues[0].id}, {"clinician_id": shared.outsider.id}],
    }
    answer = api.post("/activities", body)
    assert answer.status_code == 422
    assert "co_deliverers" in answer.get_json()["error"]["fields"]
    ok = api.post(
        "/activities", {**body, "co_deliverers": [{"clinician_id": shared.colleagues[0].id, "minutes": 30}]}
    )
    assert ok.status_code == 201, ok.get_json()
    assert ok.get_json()["co_deliverers"] == [{"clinician_id": shared.colleagues[0].id, "minutes": 30}]


def test_removing_oneself_changes_only_ones_own_part(shared: Shared) -> None:
    whole = ActivityFilter(start=MONTH, end=date(2026, 3, 31), organisation_id=shared.org.id)
    before = totals(whole)
    cbt = shared.colleagues[1]
    remove_co_deliverer(actor=cbt, activity=shared.session, clinician_id=cbt.id)
    db.session.flush()
    after = totals(whole)
    assert after.activities == before.activities and after.people_reached == before.people_reached
    assert after.minutes == before.minutes - 120 and after.clinicians == before.clinicians - 1
    assert [(d.clinician_id, d.minutes) for d in shared.session.co_deliverers] == [
        (shared.colleagues[0].id, 90)
    ]
    assert shared.session.duration_minutes == 120
    expected_now = expected(raw_rows(shared.org))
    assert [after.activities, after.minutes / 60, after.people_reached] == _approx(expected_now[:3])


def test_a_colleague_cannot_remove_someone_else(shared: Shared) -> None:
    from indirect_work.core.errors import PermissionDenied

    psy, cbt = shared.colleagues
    with pytest.raises(PermissionDenied):
        remove_co_deliverer(actor=psy, activity=shared.session, clinician_id=cbt.id)
    remove_co_deliverer(actor=shared.creator, activity=shared.session, clinician_id=cbt.id)
    assert shared.session.co_deliverer_ids == {psy.id}


def test_disclosure_counts_every_deliverer_of_a_session(shared: Shared, make: Any) -> None:
    """Three clinicians delivered the training: at a threshold of 3 its row is published, not hidden."""
    third = make.clinician(shared.team, profession_code="PWP")
    create_activity(actor=third, data=_input(shared.team, "CONSULT_TEAM", 30, 1, "MH_TEAM_STAFF"))
    report = collect_monthly_report(shared.org, MONTH)
    buffer = io.BytesIO()
    build_workbook(report, buffer, disclosure=disclose(report, DisclosurePolicy(threshold=3, rounding=1)))
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    training = next(r for r in _rows(wb["By activity"]) if r[0] == "Type" and r[2] == "TRAIN_STAFF")
    assert training[6:10] == _approx((1, (120 + 90 + 120) / 60, 15, 3))


def test_the_records_behind_a_figure_show_each_deliverers_part_and_add_up_to_it(
    shared: Shared, make: Any, client: Any, login: Any
) -> None:
    lead = make.lead(shared.team)
    db.session.commit()
    login(lead)
    query = "start=2026-03&end=2026-03"
    html = client.get(f"/dashboard/teams/{shared.team.id}/records?{query}").get_data(as_text=True)
    staff = [int(m) for m in re.findall(r'data-testid="staff-minutes">(\d+)<', html)]
    # The training session: 120 by its creator, 90 and 120 by two colleagues; and a 30-minute one.
    assert sorted(staff) == [30, 120 + 90 + 120]
    assert html.count('data-testid="shared"') == 1
    assert "Bea Colleague (90 min)" in html and "Cy Colleague (120 min)" in html
    sessions, hours, _, _ = expected(raw_rows(shared.org, {shared.team.id}))
    assert sum(staff) == round(hours * 60) and len(staff) == sessions

    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/dashboard/teams/{shared.team.id}/records.csv?{query}").get_data(as_text=True)
            )
        )
    )
    header, body = rows[0], rows[1:]
    by_type = {r[header.index("Activity type")]: r for r in body}
    training = next(r for r in body if r[header.index("Co-delivered by")])
    assert int(training[header.index("Staff minutes (all deliverers)")]) == 330
    assert int(training[header.index("Duration (minutes)")]) == 120
    assert "Bea Colleague (90 min)" in training[header.index("Co-delivered by")]
    assert sum(int(r[header.index("Staff minutes (all deliverers)")]) for r in by_type.values()) == round(
        hours * 60
    )
