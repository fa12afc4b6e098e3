"""GETs that write (download and refusal audit rows) wait for SQLite's lock instead of failing.

gunicorn (2 workers, 4 threads each) on a SQLite file; 6 client threads for 10 seconds, half
downloading the commissioner workbook (audited), half making API calls the caller may not make
(each refusal audited). Every download must arrive and every refusal must have its audit row.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from indirect_work.audit.models import AuditEvent
from indirect_work.extensions import db as _db
from tests.live import live_server
from tests.reports.at_risk import MONTH_ARG, build_at_risk

THREADS = 6
SECONDS = 10


def _fill(make: Any) -> dict[str, Any]:
    from indirect_work.api.tokens import create_token

    risk = build_at_risk(make, _db, lock=True)
    commissioner = make.commissioner(risk.org)
    token = create_token(user=commissioner, name="load test", lifetime_days=30).secret
    return {"org_id": risk.org.id, "email": commissioner.email, "token": token}


def _hammer(work: Any, answers: Counter[tuple[str, int]], stop_at: float) -> None:
    while time.monotonic() < stop_at:
        kind, status = work()
        answers[(kind, status)] += 1


def _count(server: Any, action: str, endpoint: str | None = None) -> int:
    with server.app.app_context():
        statement = select(func.count(AuditEvent.id)).where(AuditEvent.action == action)
        events = _db.session.scalar(statement)
        if endpoint is None:
            return int(events)
        rows = _db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return sum(1 for e in rows if (e.details or {}).get("endpoint") == endpoint)


def test_concurrent_audited_gets_on_sqlite_all_succeed_and_every_refusal_is_audited(
    db_backend: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db_backend != "sqlite":
        pytest.skip("SQLite's single writer is what this test loads")
    monkeypatch.setenv("IW_API_RATE_LIMIT_PER_MINUTE", "1000000")
    with live_server(db_backend, tmp_path, _fill) as (server, data):
        url = f"{server.url}/commissioner-reports/workbook?organisation={data['org_id']}&month={MONTH_ARG}"
        sessions = [server.signed_in(data["email"]) for _ in range(THREADS // 2)]
        headers = {"Authorization": f"Bearer {data['token']}"}

        def download(session: requests.Session) -> Any:
            return lambda: ("workbook", session.get(url, timeout=60).status_code)

        def refused() -> tuple[str, int]:
            response = requests.get(server.url + "/api/v1/activities", headers=headers, timeout=60)
            return "refused", response.status_code

        answers: Counter[tuple[str, int]] = Counter()
        stop_at = time.monotonic() + SECONDS
        workers = [threading.Thread(target=_hammer, args=(download(s), answers, stop_at)) for s in sessions]
        workers += [
            threading.Thread(target=_hammer, args=(refused, answers, stop_at)) for _ in range(THREADS // 2)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

        statuses = {status for (_kind, status) in answers}
        assert statuses <= {200, 403}, answers
        downloads, refusals = answers[("workbook", 200)], answers[("refused", 403)]
        assert downloads > 5 and refusals > 20, answers
        assert _count(server, "report.workbook_download") == downloads
        assert _count(server, "access.denied", "api.activity_list") == refusals
