"""Time the log form's POST (sign-in check, CSRF, parsing, rules, insert, audit row, commit).

    .venv/bin/python bench/capture_log_post.py                    # SQLite file, 1,000,000 rows
    ROWS=200000 POSTS=300 .venv/bin/python bench/capture_log_post.py postgresql+psycopg://postgres@127.0.0.1/iw_bench

The database named must be a scratch one (tables are dropped and created). Synthetic activity is
added with the bulk generator first; then one benchmark clinician posts the form ``POSTS`` times
through Flask's test client (the whole request pipeline, without the network and gunicorn). Reported:
median and 95th percentile per POST, and the rows present.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from indirect_work import create_app  # noqa: E402
from indirect_work.auth.models import User  # noqa: E402
from indirect_work.auth.passwords import hash_password  # noqa: E402
from indirect_work.capture.models import Activity  # noqa: E402
from indirect_work.demo.bulk import BENCH_ODS, generate  # noqa: E402
from indirect_work.extensions import db  # noqa: E402
from indirect_work.org.models import Organisation  # noqa: E402
from indirect_work.taxonomy.models import ActivityType, RecipientType  # noqa: E402
from tests.conftest import IWClient  # noqa: E402


def main() -> None:
    url = (
        sys.argv[1] if len(sys.argv) > 1 else "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    )
    rows, posts = int(os.environ.get("ROWS", 1_000_000)), int(os.environ.get("POSTS", 500))
    app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url})
    app.test_client_class = IWClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        generate(rows=rows)
        org = db.session.scalar(select(Organisation).where(Organisation.ods_code == BENCH_ODS))
        user = db.session.scalar(select(User).where(User.organisation_id == org.id).order_by(User.id))
        user.password_hash = hash_password("bench-password-2026")
        team_id = min(user.clinician_team_ids)
        type_id = db.session.scalar(select(ActivityType.id).where(ActivityType.code == "CONSULT_TEAM"))
        recipient = db.session.scalar(select(RecipientType.id).where(RecipientType.code == "MH_TEAM_STAFF"))
        email = user.email
        db.session.commit()
        present = db.session.scalar(select(func.count()).select_from(Activity))
    client = app.test_client()
    response = client.post_form("/sign-in", {"email": email, "password": "bench-password-2026"})
    assert response.status_code == 302, response.status_code
    form = {
        "activity_type_id": str(type_id),
        "activity_on": date.today().isoformat(),
        "duration": "45",
        "team_id": str(team_id),
        "consultation_mechanism_code": "01",
        "recipient_type_ids": [str(recipient)],
        "people_reached": "3",
        "note": "",
        "csrf_token": client.csrf_token(),
    }
    timings = []
    for index in range(posts):
        started = time.perf_counter()
        response = client.post("/log", data={**form, "submission_token": f"bench-{index}-{time.time_ns()}"})
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.status_code
    timings.sort()
    with app.app_context():
        dialect = db.engine.dialect.name
        db.drop_all()
    print(
        f"{dialect}: {present:,} rows present; {posts} POSTs to /log: "
        f"median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95)]:.1f} ms"
    )


if __name__ == "__main__":
    main()
