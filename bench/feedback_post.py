"""Time the public feedback form's POST (token look-up, CSRF, rate count, checks, response, answers, audit).

    .venv/bin/python bench/feedback_post.py                    # SQLite file, 200,000 activity rows
    ROWS=200000 POSTS=300 .venv/bin/python bench/feedback_post.py postgresql+psycopg://postgres@127.0.0.1/iw_bench

Beside ``capture_log_post.py``: the same bulk-generated database, then ``POSTS`` respondents, each a
fresh client with no session (as a phone would be), open one feedback link and send the form. Only
the POST is timed. The database named must be a scratch one (tables are dropped and created).
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from indirect_work import create_app  # noqa: E402
from indirect_work.capture.models import Activity  # noqa: E402
from indirect_work.demo.bulk import generate  # noqa: E402
from indirect_work.extensions import db  # noqa: E402
from indirect_work.impact.services import create_link  # noqa: E402
from indirect_work.taxonomy.models import ActivityType  # noqa: E402
from tests.conftest import IWClient, extract_csrf  # noqa: E402


def main() -> None:
    url = (
        sys.argv[1] if len(sys.argv) > 1 else "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    )
    rows, posts = int(os.environ.get("ROWS", 200_000)), int(os.environ.get("POSTS", 300))
    app = create_app(
        {"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url, "IW_FEEDBACK_MAX_PER_ADDRESS": 10**9}
    )
    app.test_client_class = IWClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        generate(rows=rows)
        training = select(ActivityType.id).where(ActivityType.code == "TRAIN_STAFF")
        activity = db.session.scalar(select(Activity).where(Activity.activity_type_id.in_(training)).limit(1))
        token = create_link(actor=activity.clinician, activity=activity).token
        db.session.commit()
        present = db.session.scalar(select(func.count()).select_from(Activity))
    timings = []
    for index in range(posts):
        client = app.test_client()
        page = client.get(f"/feedback/{token}").get_data(as_text=True)
        form = {
            "csrf_token": extract_csrf(page),
            "free_text": "Use the formulation at handover" if index % 3 else "",
        }
        for number, code in enumerate(dict.fromkeys(re.findall(r'name="q_([a-z_0-9]+)"', page))):
            form[f"q_{code}"] = str(3 + (index + number) % 3)
        started = time.perf_counter()
        response = client.post(f"/feedback/{token}", data=form)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200 and b"feedback-thanks" in response.data, response.status_code
    timings.sort()
    with app.app_context():
        dialect = db.engine.dialect.name
        db.drop_all()
    print(
        f"{dialect}: {present:,} rows present; {posts} POSTs to /feedback/<token>: "
        f"median {statistics.median(timings):.1f} ms, "
        f"p95 {timings[int(len(timings) * 0.95)]:.1f} ms"
    )


if __name__ == "__main__":
    main()
