"""Measure the commissioner workbook for the benchmark trust's month (see docs/performance.md).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/iw_bench .venv/bin/python bench/workbook_measure.py
    ... bench/workbook_measure.py --month 2026-10 --runs 3 [--team-type A06]

Each run gathers the month's figures in the database and writes the workbook to memory, exactly as
the download and ``flask report monthly`` do (without the audit row). Reported: activities in the
month, wall time per run, the CPU time the run used in this process and in its PostgreSQL backend
(close to the wall time on an otherwise idle machine), the process's peak resident memory
(ru_maxrss) before and after, and the Python heap peak of one run under tracemalloc, which does not
depend on the number of activities when aggregation happens in the database.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select, text  # noqa: E402

from indirect_work import create_app  # noqa: E402
from indirect_work.capture.models import Activity  # noqa: E402
from indirect_work.core.dates import add_months, month_end, month_start, parse_month  # noqa: E402
from indirect_work.demo.bulk import BENCH_ODS  # noqa: E402
from indirect_work.extensions import db  # noqa: E402
from indirect_work.org.models import Organisation, Team  # noqa: E402
from indirect_work.reports.commissioning import collect_monthly_report  # noqa: E402
from indirect_work.reports.disclosure import DisclosurePolicy, disclose  # noqa: E402
from indirect_work.reports.workbook import build_workbook  # noqa: E402


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def backend_cpu_seconds(pid: int | None) -> float:
    """CPU time used so far by the PostgreSQL backend serving us (local server, readable /proc)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build_once(org: Organisation, month: date, team_type: str | None) -> int:
    report = collect_monthly_report(org, month, team_type_code=team_type)
    whole = collect_monthly_report(org, month) if team_type else None
    buffer = io.BytesIO()
    build_workbook(report, buffer, disclosure=disclose(report, DisclosurePolicy(3, 5), whole))
    db.session.rollback()
    return len(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--month", help="YYYY-MM (default: last month)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--team-type")
    parser.add_argument("--organisation", default=BENCH_ODS)
    args = parser.parse_args()
    month = parse_month(args.month) if args.month else add_months(month_start(date.today()), -1)
    app = create_app()
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.ods_code == args.organisation))
        if org is None:
            sys.exit(
                f"No organisation {args.organisation}: load data with bench/dashboard_build_data.sh first"
            )
        stmt = select(func.count(Activity.id)).where(
            Activity.organisation_id == org.id,
            Activity.deleted_at.is_(None),
            Activity.activity_on >= month,
            Activity.activity_on <= month_end(month),
        )
        if args.team_type:
            stmt = stmt.where(
                Activity.team_id.in_(select(Team.id).where(Team.service_team_type_code == args.team_type))
            )
        in_month = db.session.scalar(stmt)
        in_table = db.session.scalar(select(func.count(Activity.id)))
        db.session.rollback()
        print(
            f"{platform.node()} {platform.python_version()} {db.engine.dialect.name} "
            f"{os.cpu_count()} CPUs; {in_table:,} activities in the table; {in_month:,} in "
            f"{args.organisation} {month:%Y-%m}{' team type ' + args.team_type if args.team_type else ''}"
        )
        backend = None
        if db.engine.dialect.name == "postgresql":
            backend = int(db.session.scalar(text("SELECT pg_backend_pid()")))
            db.session.rollback()
        rss_before = peak_rss_mb()
        samples, cpu, size = [], [], 0
        for _ in range(args.runs):
            started, cpu_started = time.perf_counter(), own_cpu_seconds() + backend_cpu_seconds(backend)
            size = build_once(org, month, args.team_type)
            samples.append(time.perf_counter() - started)
            cpu.append(own_cpu_seconds() + backend_cpu_seconds(backend) - cpu_started)
        rss_after = peak_rss_mb()
        tracemalloc.start()
        build_once(org, month, args.team_type)
        _, heap_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"workbook {size / 1024:.0f} KiB; runs (s): {', '.join(f'{s:.2f}' for s in samples)}; "
            f"median {statistics.median(samples):.2f} s; load average {os.getloadavg()[0]:.1f}"
        )
        print(
            f"CPU used per run (this process + its database backend): "
            f"{', '.join(f'{c:.2f}' for c in cpu)} s; median {statistics.median(cpu):.2f} s"
        )
        print(
            f"peak RSS {rss_before:.0f} MB before the first run, {rss_after:.0f} MB after "
            f"(+{rss_after - rss_before:.0f} MB); Python heap peak of one run {heap_peak / 2**20:.1f} MB"
        )


if __name__ == "__main__":
    main()
