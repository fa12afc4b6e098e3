"""Migration 0005 carries existing records over unchanged: every workbook figure, and the MHS204
extract, are the same before and after the upgrade, on both databases."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time
from typing import Any

import openpyxl
from flask_migrate import upgrade
from sqlalchemy import text

from indirect_work.capture.models import ActivityDeliverer, ActivityServiceRequest
from indirect_work.extensions import db
from indirect_work.reports.commissioning import collect_monthly_report
from indirect_work.reports.disclosure import DisclosurePolicy, disclose
from indirect_work.reports.mhsds_extract import extract_rows, extract_values
from indirect_work.reports.workbook import build_workbook
from indirect_work.taxonomy.services import load_reference_data
from tests.factories import Factory

MONTH = date(2026, 3, 1)
GENERATED = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)


def _pre_change_records() -> Any:
    make = Factory()
    org = make.organisation(ods_code="RMG1", default_commissioner_code="15N")
    teams = [make.team(org, service_team_type_code=code) for code in ("A06", "A06", "C04")]
    professions = ["CLIN_PSY", "CBT", "PWP", "CLIN_PSY", "CWP"]
    people = [make.clinician(teams[i % 3], profession_code=p) for i, p in enumerate(professions)]
    specs = [
        ("CONSULT_TEAM", 30, 2, None),
        ("TRAIN_STAFF", 120, 15, None),
        ("CONSULT_PATIENT", 25, 1, "SR-0001"),
        ("SUPERVISION_CLINICAL", 60, 1, None),
        ("REFLECTIVE_GROUP", 75, 6, None),
        ("FORMULATION_PATIENT", 50, 5, "SR-0002"),
    ]
    for n in range(24):
        code, minutes, people_reached, request = specs[n % len(specs)]
        person = people[n % len(people)]
        make.activity(
            person,
            activity_on=date(2026, 2 + n % 2, 1 + n),
            type_code=code,
            duration_minutes=minutes + n,
            people_reached=people_reached,
            start_time=time(9, 7 + n),
            service_request_id=request,
        )
    for code in ("CONSULT_PATIENT", "FORMULATION_PATIENT"):
        make.activity_type(code).snomed_concept_id = "11429006"
    db.session.commit()
    return org


def _figures(org: Any) -> tuple[list[Any], list[Any]]:
    report = collect_monthly_report(org, MONTH, generated_at=GENERATED)
    buffer = io.BytesIO()
    build_workbook(report, buffer, disclosure=disclose(report, DisclosurePolicy(threshold=2, rounding=1)))
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    cells = [(ws.title, c.coordinate, c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    return cells, list(extract_values(extract_rows(org, MONTH)))


def test_upgrade_keeps_every_workbook_figure_and_the_extract(empty_app: Any) -> None:
    with empty_app.app_context():
        upgrade(revision="0004")  # the schema just before shared work
        load_reference_data()
        db.session.commit()
        org = _pre_change_records()
        # The pre-change schema has no shared-work tables: empty stand-ins let today's code read it.
        stand_ins = [ActivityDeliverer.__table__, ActivityServiceRequest.__table__]
        db.metadata.create_all(db.engine, tables=stand_ins)
        before = _figures(org)
        db.session.rollback()
        db.metadata.drop_all(db.engine, tables=list(reversed(stand_ins)))

        upgrade()
        after = _figures(org)
        assert after == before
        assert len(before[1]) >= 4 and sum(1 for _ in before[0]) > 100
        copied = db.session.execute(
            text("SELECT activity_id, position, service_request_id FROM activity_service_requests")
        ).all()
        originals = db.session.execute(
            text("SELECT id, service_request_id FROM activities WHERE service_request_id IS NOT NULL")
        ).all()
        assert sorted((a, 0, s) for a, s in originals) == sorted(tuple(r) for r in copied)
        assert db.session.scalar(text("SELECT COUNT(*) FROM activity_deliverers")) == 0
