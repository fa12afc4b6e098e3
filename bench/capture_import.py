"""Time the spreadsheet import at its limit: 10,000 valid rows, preview then commit.

    .venv/bin/python bench/capture_import.py                       # a throwaway SQLite file
    .venv/bin/python bench/capture_import.py postgresql+psycopg://postgres@127.0.0.1/iw_bench

The database named must be a scratch one: its tables are dropped and created. Reported: seconds to
read and check every row (the preview) from a CSV and from the same rows saved as XLSX, the size of
the signed preview carried to the commit, and seconds to save the rows with their audit events in
one transaction.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from openpyxl import Workbook  # noqa: E402

from indirect_work import create_app  # noqa: E402
from indirect_work.capture import importer  # noqa: E402
from indirect_work.extensions import db  # noqa: E402
from indirect_work.taxonomy.services import load_reference_data  # noqa: E402
from tests.factories import Factory  # noqa: E402


def main() -> None:
    url = (
        sys.argv[1] if len(sys.argv) > 1 else "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    )
    rows = int(os.environ.get("ROWS", importer.MAX_ROWS))
    app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.create_all()
        load_reference_data()
        factory = Factory()
        user = factory.clinician(factory.team())
        db.session.commit()
        lines = [",".join(importer.COLUMN_NAMES)]
        for i in range(rows):
            day = (date.today() - timedelta(days=1 + i % 300)).isoformat()
            lines.append(
                f"{day},CONSULT_TEAM,{30 + i % 60},,01,MH_TEAM_STAFF;WARD_STAFF,{1 + i % 9},,,"
                f"Note {i} about pathway work"
            )
        content = "\n".join(lines).encode()
        started = time.monotonic()
        preview = importer.preview_file(user, "bench.csv", content)
        checked = time.monotonic() - started
        workbook = as_xlsx(lines)
        started = time.monotonic()
        xlsx_preview = importer.preview_file(user, "bench.xlsx", workbook)
        xlsx_checked = time.monotonic() - started
        assert len(xlsx_preview.valid_rows) == len(preview.valid_rows) == rows
        payload = importer.sign_preview(preview, user, app.secret_key or "")
        db.session.rollback()
        started = time.monotonic()
        file_hash, signed_rows = importer.load_signed(payload, user, app.secret_key or "")
        result = importer.commit_rows(user, file_hash, signed_rows)
        db.session.commit()
        saved = time.monotonic() - started
        print(
            f"{db.engine.dialect.name}: {rows} rows, {len(content) / 1e6:.1f} MB file; "
            f"preview {checked:.2f} s (CSV), {xlsx_checked:.2f} s (XLSX, {len(workbook) / 1e6:.1f} MB); "
            f"signed preview {len(payload) / 1e3:.0f} kB; commit {saved:.1f} s ({result.created} created)"
        )
        db.drop_all()


def as_xlsx(lines: list[str]) -> bytes:
    """The same rows as an XLSX workbook, numbers stored as numbers the way Excel keeps them."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in lines:
        sheet.append([int(v) if v.isdigit() else v for v in line.split(",")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


if __name__ == "__main__":
    main()
