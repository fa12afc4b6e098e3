"""Measure one team's 12-month dashboard on a bulk-loaded database (see docs/performance.md).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/iw_bench .venv/bin/python bench/dashboard_measure.py
    DATABASE_URL=sqlite:///$PWD/instance/bench-dashboard.sqlite3 .venv/bin/python bench/dashboard_measure.py

The busiest benchmark team (most records in the last 12 months) is measured, through the whole
Flask request (routing, sign-in check, every query, template rendering) with the test client, so
the figure is server time without the network. ``--explain`` prints the query plans as well.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text  # noqa: E402

from indirect_work import create_app  # noqa: E402
from indirect_work.auth.models import Role, RoleAssignment, User  # noqa: E402
from indirect_work.capture.models import Activity  # noqa: E402
from indirect_work.core.dates import add_months, month_start  # noqa: E402
from indirect_work.core.db import utcnow  # noqa: E402
from indirect_work.demo.bulk import BENCH_ODS  # noqa: E402
from indirect_work.extensions import db  # noqa: E402
from indirect_work.org.models import Organisation, Team  # noqa: E402
from indirect_work.reports import queries  # noqa: E402
from indirect_work.reports.dimensions import Dimension  # noqa: E402
from indirect_work.reports.queries import ActivityFilter  # noqa: E402

LEAD_EMAIL = "bench-lead@bench.example.org"


def busiest_team(start: date) -> tuple[Team, int]:
    org = db.session.scalar(select(Organisation).where(Organisation.ods_code == BENCH_ODS))
    if org is None:
        raise SystemExit("No benchmark data: run bench/dashboard_build_data.sh first")
    team_id, rows = db.session.execute(
        select(Activity.team_id, func.count())
        .where(Activity.organisation_id == org.id, Activity.activity_on >= start)
        .group_by(Activity.team_id)
        .order_by(func.count().desc())
        .limit(1)
    ).one()
    return db.session.get(Team, team_id), int(rows)  # type: ignore[return-value]


def bench_lead(team: Team) -> User:
    user = db.session.scalar(select(User).where(User.email == LEAD_EMAIL))
    if user is None:
        user = User(email=LEAD_EMAIL, full_name="Bench Lead", organisation_id=team.organisation_id)
        db.session.add(user)
    if team.id not in user.led_team_ids:
        user.role_assignments.append(RoleAssignment(role=Role.TEAM_LEAD.value, team_id=team.id))
    db.session.commit()
    return user


def timed(fn: Any, runs: int) -> list[float]:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _server_pids(app: Any) -> list[int]:
    """PostgreSQL backends connected to this database (only the benchmark uses it)."""
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return []
        pids = db.session.scalars(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
        found = [int(p) for p in pids]
        db.session.remove()
        return found


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def cpu_per_request(app: Any, request: Any, runs: int) -> str:
    """Mean CPU milliseconds one request costs: what it takes when it does not wait for a core.

    Wall time on a machine shared with other work includes waiting for the CPU; CPU time does not.
    """
    request()
    pids = _server_pids(app)
    tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
    server_before = sum(_ticks(pid) for pid in pids)
    client_before = time.process_time()
    for _ in range(runs):
        request()
    client_ms = (time.process_time() - client_before) * 1000 / runs
    server_ms = (sum(_ticks(pid) for pid in pids) - server_before) * tick_ms / runs
    total = client_ms + server_ms
    return f"{total:.1f} ms (Flask {client_ms:.1f} ms + database {server_ms:.1f} ms), mean of {runs}"


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    return f"median {statistics.median(samples):7.1f} ms   p90 {p90:7.1f} ms   min {ordered[0]:7.1f} ms"


def explain_request(app: Any, client: Any, url: str) -> None:
    """EXPLAIN ANALYZE every statement one dashboard request runs; print each plan and its time."""
    from sqlalchemy import event

    statements: list[tuple[str, Any]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", capture)
        try:
            client.get(url)
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        dialect = engine.dialect.name
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if dialect == "postgresql" else "EXPLAIN QUERY PLAN "
        total = 0.0
        raw = engine.raw_connection()
        try:
            for number, (statement, parameters) in enumerate(statements, 1):
                if not statement.lstrip().upper().startswith("SELECT"):
                    continue
                cursor = raw.cursor()
                cursor.execute(prefix + statement, parameters)
                lines = [" | ".join(str(v) for v in row) for row in cursor.fetchall()]
                cursor.close()
                first = " ".join(statement.split())[:100]
                print(f"\n[{number}] {first}...")
                for line in lines:
                    print("    " + line)
                    if line.startswith("Execution Time:"):
                        total += float(line.split()[2])
            raw.rollback()
        finally:
            raw.close()
        if dialect == "postgresql":
            print(f"\nSum of execution times of the request's {len(statements)} statements: {total:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("IW_CONFIG", "development")
    app = create_app()
    with app.app_context():
        end_month = month_start(date.today())
        start = add_months(end_month, -11)
        team, team_rows = busiest_team(start)
        lead = bench_lead(team)
        total = db.session.scalar(select(func.count()).select_from(Activity))
        print(
            f"database: {db.engine.dialect.name}, {total:,} activity rows; machine: {platform.machine()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
        )
        print(
            f"team {team.local_id} (id {team.id}): {team_rows:,} records in the 12 months from {start:%Y-%m}"
        )
        token, team_id = lead.session_token, team.id

        f = ActivityFilter(start=start, end=date.today(), team_ids=frozenset({team_id}))
        parts = {
            "totals (this period)": lambda: queries.totals(f),
            "totals (previous period)": lambda: queries.totals(queries.previous_period(f)),
            "rollup by category": lambda: queries.rollup(f, [Dimension.CATEGORY]),
            "monthly rollup": lambda: queries.monthly_rollup(f),
            "monthly rollup by category": lambda: queries.monthly_rollup(f, [Dimension.CATEGORY]),
            "rollup by profession": lambda: queries.rollup(f, [Dimension.PROFESSION]),
            "rollup by recipient type": lambda: queries.rollup(f, [Dimension.RECIPIENT_TYPE]),
            "team completeness": lambda: queries.team_completeness(
                team_id, [add_months(end_month, -1), end_month]
            ),
        }
        for name, fn in parts.items():
            print(f"  {name:<28} {summary(timed(fn, max(5, args.runs // 3)))}")
            db.session.rollback()
        db.session.remove()

    client = app.test_client()
    with client.session_transaction() as session:
        now = utcnow().isoformat()
        session.update({"_user_id": token, "_fresh": True, "login_at": now, "last_seen": now})
    url = f"/dashboard/teams/{team_id}"

    def request() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    samples = timed(request, args.runs)
    print(f"\nGET {url} (whole request, {args.runs} runs): {summary(samples)}")
    cpu = cpu_per_request(app, request, args.runs)
    print(
        f"CPU time per request (this process + the database server processes of this database; "
        f"the request's time on cores of its own): {cpu}"
    )
    print(f"load average during the runs: {os.getloadavg()[0]:.1f}")
    if args.explain:
        explain_request(app, client, url)


if __name__ == "__main__":
    main()
