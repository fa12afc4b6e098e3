"""Hostile spreadsheets: each is refused with a message, in a worker that stays small and quick.

The cost is measured in a fresh Python process (peak RSS from ``getrusage`` and CPU seconds), so the
assertion is about what a gunicorn worker would really spend, not about objects the test can see.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.capture.xlsx_crafted import ADMITTED, CRAFTED, far_cell, with_sheet

ROOT = Path(__file__).resolve().parents[2]
MEASURE = """
import json, resource, sys, time
from pathlib import Path
from tests.capture.xlsx_crafted import CRAFTED
# A genuine file is built by the test and passed as a path, so building it costs this process nothing.
content = Path(sys.argv[1]).read_bytes() if sys.argv[1].endswith(".xlsx") else CRAFTED[sys.argv[1]]()
del CRAFTED
from indirect_work.capture.importer.files import ImportFileError, read_table
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = cpu()
rows = 0
try:
    rows = len(read_table("crafted.xlsx", content))
    message = None
except ImportFileError as exc:
    message = str(exc)
print(json.dumps({
    "cpu": cpu() - started,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "before_mb": before_kb / 1024,
    "message": message,
    "rows": rows,
}))
"""


def measure(kind: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, kind], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize("kind", sorted(CRAFTED))
def test_a_crafted_xlsx_costs_a_worker_under_300_mb_and_2_s(kind):
    cost = measure(kind)
    assert cost["message"], "the crafted file was read as if it were a sheet of records"
    assert cost["cpu"] < 2.0, cost
    # The peak includes building the file in memory (the zip bomb's 600 MB source), so the reading
    # itself must not raise it past what it was before, or past 300 MB when the file was small.
    assert cost["peak_mb"] < max(300.0, cost["before_mb"] + 20), cost


@pytest.mark.parametrize("kind", sorted(ADMITTED))
def test_a_full_file_of_records_is_read_in_under_2_s_and_300_mb(kind, tmp_path):
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(ADMITTED[kind]())
    cost = measure(str(path))
    assert cost["message"] is None and cost["rows"] == 10_001, cost
    assert cost["cpu"] < 2.0, cost
    # As above: a process forked from a large test run starts with its parent's peak, so the
    # reading is held to adding little to what was there, and to 300 MB from a small start.
    assert cost["peak_mb"] < max(300.0, cost["before_mb"] + 20), cost


def upload(client, content):
    return client.post_form(
        "/activities/import",
        {"file": (io.BytesIO(content), "records.xlsx")},
        content_type="multipart/form-data",
    )


def test_the_import_page_names_the_far_cell_and_what_to_do(signed_in):
    response = upload(signed_in, far_cell())
    assert response.status_code == 422
    assert 'data-testid="file-error"' in response.text
    assert "reaches cell XFD1048576" in response.text and "Delete the empty rows" in response.text


@pytest.mark.parametrize(
    ("build", "message"),
    [
        # 30 MB of spaces: small enough zipped (30 KB) that the test client keeps it in memory.
        (lambda: with_sheet(b" " * (30 * 1024 * 1024)), "unpacks to more than 24 MB"),
        (CRAFTED["wide-row"], "more than 40 cells"),
        (CRAFTED["many-rows"], "more cells than 10,000 records need"),
    ],
    ids=["zip-bomb", "wide-row", "many-rows"],
)
def test_the_import_page_refuses_an_oversized_workbook_with_a_message(signed_in, build, message):
    response = upload(signed_in, build())
    assert response.status_code == 422
    assert message in response.text and 'data-testid="file-error"' in response.text
