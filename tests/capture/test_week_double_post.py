"""The same week form posted twice at the same moment adds each record once (gunicorn, real threads)."""

from __future__ import annotations

import re
import threading
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from indirect_work.capture.models import Activity
from indirect_work.capture.services.listing import week_start
from indirect_work.extensions import db as _db
from tests.live import csrf_from, live_server

WEEKS = 4


def _fill(make: Any) -> dict[str, Any]:
    clinician = make.clinician()
    # An older record: its line (a "recent") is offered on every week's grid.
    make.activity(clinician, activity_on=date.today() - timedelta(days=7 * (WEEKS + 2)), duration_minutes=20)
    return {"email": clinician.email, "id": clinician.id}


def _week_form(page: str, start: date) -> dict[str, str]:
    token = re.search(r'name="submission_token" value="([^"]+)"', page)
    assert token, "the week form carries no submission token"
    cells = sorted(set(re.findall(r'name="(cell-\d+-\d)"', page)))
    assert len(cells) == 7, cells
    form = {"csrf_token": csrf_from(page), "start": start.isoformat(), "submission_token": token.group(1)}
    return form | {cell: "30" for cell in cells}


def _post_twice_at_once(session: Any, url: str, form: dict[str, str]) -> list[int]:
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post() -> None:
        barrier.wait()
        statuses.append(session.post(url, data=form, allow_redirects=False, timeout=60).status_code)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_a_week_posted_twice_concurrently_saves_each_day_once(db_backend: str, tmp_path: Any) -> None:
    with live_server(db_backend, tmp_path, _fill) as (server, data):
        session = server.signed_in(data["email"])
        for weeks_back in range(1, WEEKS + 1):
            start = week_start(date.today()) - timedelta(days=7 * weeks_back)
            url = f"{server.url}/activities/week?start={start.isoformat()}"
            form = _week_form(session.get(url, timeout=30).text, start)
            statuses = _post_twice_at_once(session, url, form)
            assert statuses == [302, 302], statuses
            with server.app.app_context():
                per_day = dict(
                    _db.session.execute(
                        select(Activity.activity_on, func.count(Activity.id))
                        .where(
                            Activity.clinician_id == data["id"],
                            Activity.activity_on.between(start, start + timedelta(days=6)),
                            Activity.deleted_at.is_(None),
                        )
                        .group_by(Activity.activity_on)
                    ).all()
                )
                _db.session.remove()
            assert per_day == {start + timedelta(days=i): 1 for i in range(7)}, (weeks_back, per_day)
