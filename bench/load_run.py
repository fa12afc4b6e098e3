"""Month-end load test against gunicorn on PostgreSQL (127.0.0.1 only), with the budget enforced.

    .venv/bin/python bench/load_run.py          # 200 users arriving 2 a second, 4 minutes, then throughput
    .venv/bin/python bench/load_run.py --users 50 --duration 60 --rows 0

1. Recreates the scratch database ``iw_load`` (``IW_BENCH_POSTGRES_URL``, default the local server),
   migrates it, loads the demo provider and ``--rows`` synthetic background activities.
2. Adds the load accounts: ``--users`` in all, 90% clinicians and 10% team leads across the demo teams,
   plus the demo commissioner.
3. Starts the app under gunicorn (``gunicorn.conf.py``: sync workers, 2 x cores + 1) and, for comparison,
   a bare Flask insert app under the same gunicorn settings.
4. Runs locust headless: the month-end profile (budget: < 1% errors, log POST p95 < 500 ms), then
   30 s of back-to-back log POSTs and 30 s of bare inserts for throughput.

Exits 1 when a budget is missed. Prints a Markdown summary for ``docs/performance.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
ADMIN_URL = os.environ.get("IW_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
DB_NAME = "iw_load"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _flask(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [PYTHON, "-m", "flask", "--app", "indirect_work", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def prepare_database(rows: int) -> tuple[str, dict[str, str]]:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
    env = {**os.environ, "IW_CONFIG": "development", "DATABASE_URL": url}
    _flask(env, "db", "upgrade")
    _flask(env, "seed-demo")
    if rows:
        _flask(env, "bulk-activities", "--rows", str(rows))
    return url, env


def add_load_accounts(url: str, users: int) -> dict[str, Any]:
    """Clinicians and leads across the demo teams, all with the demo password; returns the plan."""
    from sqlalchemy import select, text

    from indirect_work import create_app
    from indirect_work.auth.models import Role, RoleAssignment, User
    from indirect_work.auth.passwords import hash_password
    from indirect_work.core.dates import add_months, month_start
    from indirect_work.demo.seed import DEMO_ACCOUNTS, DEMO_ODS, DEMO_PASSWORD
    from indirect_work.extensions import db
    from indirect_work.org.models import Organisation, Team
    from indirect_work.taxonomy.models import ActivityType, RecipientType

    app = create_app({"IW_CONFIG": "development", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.ods_code == DEMO_ODS))
        teams = list(db.session.scalars(select(Team).where(Team.organisation_id == org.id).order_by(Team.id)))
        password_hash = hash_password(DEMO_PASSWORD)
        leads = max(1, users // 10)
        plan: dict[str, Any] = {"clinicians": [], "leads": [], "password": DEMO_PASSWORD}
        for n in range(users - 1):
            team = teams[n % len(teams)]
            is_lead = n < leads
            user = User(
                email=f"load-{'lead' if is_lead else 'clinician'}-{n}@example.org",
                full_name=f"Load user {n}",
                organisation_id=org.id,
                default_team_id=team.id,
                password_hash=password_hash,
                staff_local_id=f"LOAD{n}",
            )
            user.role_assignments.append(RoleAssignment(role=Role.CLINICIAN.value, team_id=team.id))
            if is_lead:
                user.role_assignments.append(RoleAssignment(role=Role.TEAM_LEAD.value, team_id=team.id))
            db.session.add(user)
            plan["leads" if is_lead else "clinicians"].append({"email": user.email, "team_id": team.id})
        plan["commissioner"] = {"email": DEMO_ACCOUNTS["commissioner"]}
        plan["organisation_id"] = org.id
        plan["month"] = f"{add_months(month_start(date.today()), -1):%Y-%m}"
        plan["activity_type_id"] = db.session.scalar(
            select(ActivityType.id).where(ActivityType.code == "CONSULT_TEAM")
        )
        plan["recipient_type_id"] = db.session.scalar(
            select(RecipientType.id).where(RecipientType.code == "MH_TEAM_STAFF")
        )
        db.session.execute(
            text(
                "CREATE TABLE bare_inserts (id bigserial PRIMARY KEY, note text, "
                "created_at timestamptz NOT NULL)"
            )
        )
        db.session.commit()
        db.engine.dispose()
    return plan


@contextmanager
def gunicorn(env: dict[str, str], target: str, workers: int | None, logfile: Path) -> Any:
    port = _free_port()
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        "-c",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "/dev/null",
        target,
    ]
    if workers:
        command[4:4] = ["--workers", str(workers)]
    with open(logfile, "w") as log:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while True:  # every worker boots, then the health check answers
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn {target} did not start; see {logfile}")
                time.sleep(0.5)
            yield f"http://127.0.0.1:{port}"
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def run_locust(
    host: str, profile: str, users: int, spawn_rate: float, seconds: int, plan_file: Path, out: Path
) -> tuple[int, dict[str, dict[str, str]]]:
    env = {**os.environ, "IW_LOAD_PLAN": str(plan_file), "IW_LOAD_PROFILE": profile}
    prefix = out / profile
    result = subprocess.run(
        [
            PYTHON,
            "-m",
            "locust",
            "-f",
            str(ROOT / "bench" / "load_locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(spawn_rate),
            "-t",
            f"{seconds}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "10",
            "--csv-full-history",
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=seconds + 180,
    )
    print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
    with open(f"{prefix}_stats.csv") as handle:
        stats = {row["Name"]: row for row in csv.DictReader(handle)}
    with open(f"{prefix}_stats_history.csv") as handle:
        history = list(csv.DictReader(handle))
    for name, row in stats.items():
        row["steady req/s"] = f"{steady_rate(history, name):.1f}"
    return result.returncode, stats


def steady_rate(history: list[dict[str, str]], name: str, window: int = 15) -> float:
    """Requests per second over the last ``window`` seconds (sign-ins at the start left out)."""
    points = [
        (int(row["Timestamp"]), int(row["Total Request Count"])) for row in history if row["Name"] == name
    ]
    if len(points) < 2:
        return 0.0
    end_time, end_count = points[-1]
    start_time, start_count = next(((t, c) for t, c in points if t >= end_time - window), points[0])
    return (end_count - start_count) / max(end_time - start_time, 1)


def _ms(row: dict[str, str], column: str) -> str:
    return f"{float(row[column]):.0f}"


def summary(
    month_end: dict[str, dict[str, str]],
    throughput: dict[str, dict[str, str]],
    bare: dict[str, dict[str, str]],
    args: argparse.Namespace,
    load: tuple[float, ...],
) -> str:
    lines = [
        f"Run {date.today():%-d %B %Y}: {args.users} users, {args.duration} s, workers "
        f"{args.workers or 'gunicorn.conf.py default'}, background rows {args.rows:,}, "
        f"load average before {load[0]:.1f}.",
        "",
        "| Request | Count | Failures | Median ms | p95 ms | p99 ms | Max ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, row in month_end.items():
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {_ms(row, '50%')} | "
            f"{_ms(row, '95%')} | {_ms(row, '99%')} | {_ms(row, 'Max Response Time')} | "
            f"{float(row['Requests/s']):.1f} |"
        )
    log, floor = throughput.get("POST /log"), bare.get("POST /insert")
    if log and floor:
        ratio = float(log["steady req/s"]) / max(float(floor["steady req/s"]), 1e-9)
        lines += [
            "",
            f"| Throughput, 10 users back to back, {args.throughput_seconds} s "
            "| req/s (last 15 s) | "
            "Median ms | p95 ms | Failures |",
            "|---|---:|---:|---:|---:|",
            f"| Log POST (whole app) | {log['steady req/s']} | {_ms(log, '50%')} | {_ms(log, '95%')} | "
            f"{log['Failure Count']} |",
            f"| Bare Flask insert | {floor['steady req/s']} | {_ms(floor, '50%')} | "
            f"{_ms(floor, '95%')} | {floor['Failure Count']} |",
            "",
            f"Log POST throughput is {ratio:.0%} of the bare insert's.",
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=2, help="users starting per second")
    parser.add_argument("--duration", type=int, default=240, help="seconds of the month-end profile")
    parser.add_argument("--throughput-seconds", type=int, default=30)
    parser.add_argument("--rows", type=int, default=200_000, help="synthetic background activities")
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)"
    )
    args = parser.parse_args()

    url, env = prepare_database(args.rows)
    plan = add_load_accounts(url, args.users)
    out = Path(tempfile.mkdtemp(prefix="iw-load-"))
    plan_file = out / "plan.json"
    plan_file.write_text(json.dumps(plan))
    load = os.getloadavg()
    with ExitStack() as stack:
        app_url = stack.enter_context(gunicorn(env, "wsgi:app", args.workers, out / "app.log"))
        bare_url = stack.enter_context(
            gunicorn(env, "bench.load_bare_app:app", args.workers, out / "bare.log")
        )
        month_end_code, month_end = run_locust(
            app_url, "month_end", args.users, args.spawn_rate, args.duration, plan_file, out
        )
        throughput_code, throughput = run_locust(
            app_url, "throughput", 10, 10, args.throughput_seconds, plan_file, out
        )
        bare_code, bare = run_locust(bare_url, "bare", 10, 10, args.throughput_seconds, plan_file, out)
    text = summary(month_end, throughput, bare, args, load)
    print("\n" + text + f"\n\n(locust CSVs and gunicorn logs in {out})")
    return 1 if month_end_code or throughput_code or bare_code else 0


if __name__ == "__main__":
    raise SystemExit(main())
