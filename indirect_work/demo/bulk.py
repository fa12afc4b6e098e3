"""Synthetic activity at benchmark scale: millions of rows, inserted in bulk.

PostgreSQL gets COPY (psycopg 3); SQLite gets chunked executemany. Ids are assigned here so the
recipient links can be written in the same pass; the PostgreSQL sequence is moved on afterwards.
"""

from __future__ import annotations

import random
import time as timer
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import cast

from sqlalchemy import Table, func, insert, select, text

from indirect_work.auth.models import RoleAssignment, User, new_session_token
from indirect_work.capture.models import Activity, activity_recipients
from indirect_work.core.db import utcnow
from indirect_work.core.transactions import commit_bulk_load, unit_of_work
from indirect_work.extensions import db
from indirect_work.org.models import Organisation, Profession, Team
from indirect_work.taxonomy.models import ActivityType, RecipientType
from indirect_work.taxonomy.services import load_reference_data

BENCH_ODS = "RBENCH"
CHUNK = 50_000
#: The ``activities`` columns written, in the order of each generated row.
COLUMNS = (
    "id",
    "organisation_id",
    "team_id",
    "clinician_id",
    "activity_type_id",
    "activity_on",
    "start_time",
    "duration_minutes",
    "consultation_mechanism_code",
    "people_reached",
    "service_request_id",
    "source",
    "version",
    "created_at",
    "updated_at",
)
TEAM_TYPES = ["A06", "A14", "A13", "A11", "F01", "A16", "C04", "A05", "A02", "C10"]


@dataclass
class BulkResult:
    rows: int
    seconds: float
    ods_code: str


def _ensure_population(clinicians: int, teams: int) -> tuple[Organisation, list[tuple[int, int]]]:
    """The benchmark organisation with its teams and clinicians, created once."""
    load_reference_data()
    org = db.session.scalar(select(Organisation).where(Organisation.ods_code == BENCH_ODS))
    if org is None:
        org = Organisation(ods_code=BENCH_ODS, name="Benchmark Trust", default_commissioner_code="15N")
        db.session.add(org)
        db.session.flush()
    have_teams = list(
        db.session.scalars(select(Team).where(Team.organisation_id == org.id).order_by(Team.id))
    )
    for index in range(len(have_teams), teams):
        team = Team(
            organisation_id=org.id,
            local_id=f"BT{index:04d}",
            name=f"Bench team {index}",
            service_team_type_code=TEAM_TYPES[index % len(TEAM_TYPES)],
        )
        db.session.add(team)
        have_teams.append(team)
    db.session.flush()
    return org, _ensure_clinicians(org, have_teams, clinicians)


def _ensure_clinicians(org: Organisation, have_teams: list[Team], clinicians: int) -> list[tuple[int, int]]:
    """``(user id, team id)`` of the benchmark clinicians, the missing ones inserted in bulk."""
    # A clinician's role always names its team (the role_scope check constraint).
    users = cast(
        list[tuple[int, int]],
        list(
            db.session.execute(
                select(User.id, RoleAssignment.team_id)
                .join(RoleAssignment)
                .where(User.organisation_id == org.id, RoleAssignment.role == "clinician")
                .order_by(User.id)
            ).tuples()
        ),
    )
    professions = list(db.session.scalars(select(Profession.id)))
    missing = clinicians - len(users)
    if missing > 0:
        now = utcnow()
        new_rows = [
            {
                "email": f"bench{len(users) + i}@bench.example.org",
                "full_name": f"Bench Clinician {len(users) + i}",
                "staff_local_id": f"B{len(users) + i:07d}",
                "organisation_id": org.id,
                "profession_id": professions[i % len(professions)],
                "session_token": new_session_token(),
                "is_active": True,
                "must_change_password": False,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(missing)
        ]
        ids = list(
            db.session.scalars(insert(User).returning(User.id, sort_by_parameter_order=True), new_rows)
        )
        added = [(uid, have_teams[(len(users) + i) % len(have_teams)].id) for i, uid in enumerate(ids)]
        roles = [
            {"user_id": uid, "role": "clinician", "team_id": team_id, "created_at": now}
            for uid, team_id in added
        ]
        db.session.execute(insert(RoleAssignment), roles)
        users += added
    db.session.flush()
    return [(int(u), int(t)) for u, t in users[:clinicians]]


def generate(
    *, rows: int, clinicians: int = 2000, teams: int = 100, months: int = 60, seed: int = 1
) -> BulkResult:
    """Insert ``rows`` synthetic activities spread over ``months`` months up to today.

    The population is committed first, so the raw COPY connection sees it; SQLite commits each
    chunk, so a long load never holds one huge transaction.
    """
    with unit_of_work():
        org, people = _ensure_population(clinicians, teams)
        types = list(db.session.execute(select(ActivityType.id, ActivityType.is_patient_specific)).tuples())
        recipients = list(db.session.scalars(select(RecipientType.id)))
    started = timer.perf_counter()
    produced = _produce(
        rows=rows,
        org_id=org.id,
        people=people,
        types=types,
        recipients=recipients,
        months=months,
        rng=random.Random(seed),
    )
    if db.engine.dialect.name == "postgresql":
        _copy_postgresql(produced)
    else:
        _insert_sqlite(produced)
    return BulkResult(rows, timer.perf_counter() - started, org.ods_code)


def _produce(
    *,
    rows: int,
    org_id: int,
    people: list[tuple[int, int]],
    types: list[tuple[int, bool]],
    recipients: list[int],
    months: int,
    rng: random.Random,
) -> Iterator[tuple[tuple[object, ...], tuple[int, int]]]:
    """Each synthetic activity row (in ``COLUMNS`` order) with its one recipient link."""
    today = date.today()
    first_day = today - timedelta(days=months * 30)
    span = (today - first_day).days
    start_id = (db.session.scalar(select(func.max(Activity.id))) or 0) + 1
    now = utcnow()
    for offset in range(rows):
        user_id, team_id = people[rng.randrange(len(people))]
        type_id, patient = types[rng.randrange(len(types))]
        activity_id = start_id + offset
        yield (
            (
                activity_id,
                org_id,
                team_id,
                user_id,
                type_id,
                first_day + timedelta(days=rng.randrange(span + 1)),
                time(rng.randint(9, 16), rng.randint(1, 59)) if patient else None,
                rng.choice((15, 30, 45, 60, 90, 120)),
                rng.choice(("01", "01", "11", "02")),
                rng.randint(1, 12),
                f"SR{rng.randint(10**7, 10**8 - 1)}" if patient else None,
                "web",
                1,
                now,
                now,
            ),
            (activity_id, recipients[rng.randrange(len(recipients))]),
        )


def _copy_postgresql(produced: Iterator[tuple[tuple[object, ...], tuple[int, int]]]) -> None:
    """COPY the rows and their links through a raw psycopg connection, then move the sequence on."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        links: list[tuple[int, int]] = []
        with cursor.copy(f"COPY activities ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for activity_row, link in produced:
                copy.write_row(activity_row)
                links.append(link)
        with cursor.copy("COPY activity_recipients (activity_id, recipient_type_id) FROM STDIN") as copy:
            for link in links:
                copy.write_row(link)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('activities', 'id'), (SELECT max(id) FROM activities))"
        )
        commit_bulk_load(raw)
    finally:
        raw.close()


def _insert_sqlite(produced: Iterator[tuple[tuple[object, ...], tuple[int, int]]]) -> None:
    """Insert the rows in chunks of ``CHUNK``, one transaction each, then refresh the statistics."""
    batch: list[dict[str, object]] = []
    link_batch: list[dict[str, int]] = []
    for activity_row, (activity_id, recipient_id) in produced:
        batch.append(dict(zip(COLUMNS, activity_row, strict=True)))
        link_batch.append({"activity_id": activity_id, "recipient_type_id": recipient_id})
        if len(batch) >= CHUNK:
            _flush_sqlite(batch, link_batch)
    _flush_sqlite(batch, link_batch)
    with unit_of_work():
        db.session.execute(text("ANALYZE"))


def _flush_sqlite(batch: list[dict[str, object]], link_batch: list[dict[str, int]]) -> None:
    if batch:
        with unit_of_work():
            # A declarative class's __table__ is a Table (typed as the FromClause it may be in general).
            db.session.execute(insert(cast(Table, Activity.__table__)), batch)
            db.session.execute(insert(activity_recipients), link_batch)
        batch.clear()
        link_batch.clear()
