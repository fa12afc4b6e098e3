"""Spreadsheet import: mixed good and bad rows, every bad-file case, one transaction, no doubles."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.capture import importer
from indirect_work.capture.models import Activity
from indirect_work.extensions import db
from tests.capture.helpers import count_activities

HEADER = (
    "date,activity_type,duration,team,consultation_mechanism,recipient_types,people_reached,start_time,"
    "service_request_id,note\n"
)


def upload(client, name, content):
    return client.post_form(
        "/activities/import", {"file": (io.BytesIO(content), name)}, content_type="multipart/form-data"
    )


def mixed_csv() -> bytes:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    future = (date.today() + timedelta(days=3)).strftime("%d/%m/%Y")
    rows = [
        f"{yesterday},CONSULT_TEAM,1:30,CMHT-N,01,MH_TEAM_STAFF,3,,,Pathway advice",  # row 2 ok
        f"{future},TRAIN_STAFF,45,,Telephone,Inpatient ward staff;GP or primary care,12,,,",  # row 3 future
        f"{yesterday},NOPE,45,,01,MH_TEAM_STAFF,1,,,",  # row 4 type
        f"{yesterday},Training delivered to staff,2h,North CMHT,video consultation,WARD_STAFF,20,,,",  # 5 ok
        f"{yesterday},CONSULT_PATIENT,30,,02,FAMILY_CARER,1,,,",  # row 6 needs time + SRI
        f"{yesterday},CONSULT_PATIENT,30,,02,FAMILY_CARER,1,09:15,SR-1234,",  # row 7 ok
        f"{yesterday},CONSULT_TEAM,0,,01,MH_TEAM_STAFF,1,,,note 9434765919",  # row 8 duration + note
        ",,,,,,,,,",  # blank: skipped
        f"{yesterday},CONSULT_TEAM,=1+1,,01,MH_TEAM_STAFF,1,,,",  # row 10 formula
    ]
    return (HEADER + "\n".join(rows) + "\n").encode()


def test_preview_shows_valid_rows_and_errors_by_row_and_column(signed_in, clinician):
    response = upload(signed_in, "past.csv", mixed_csv())
    assert response.status_code == 200
    html = response.text
    assert (
        "<strong>3</strong> rows can be imported" in html and "<strong>5</strong> rows have problems" in html
    )
    errors = re.findall(r"<tr><td>(\d+)</td><td>([a-z_]+)</td><td>([^<]*)</td></tr>", html)
    by_cell = {(int(r), c): m for r, c, m in errors}
    assert "future" in by_cell[(3, "date")]
    assert "not an activity type" in by_cell[(4, "activity_type")]
    assert (6, "start_time") in by_cell and (6, "service_request_id") in by_cell
    assert "between 1 minute" in by_cell[(8, "duration")] and "NHS number" in by_cell[(8, "note")]
    assert "formula" in by_cell[(10, "duration")]
    assert count_activities(clinician_id=clinician.id) == 0  # nothing saved by a preview


def test_commit_saves_the_valid_rows_once(signed_in, clinician):
    html = upload(signed_in, "past.csv", mixed_csv()).text
    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    response = signed_in.post_form("/activities/import/commit", {"payload": payload})
    assert response.status_code == 302
    rows = db.session.query(Activity).filter_by(clinician_id=clinician.id).order_by(Activity.id).all()
    assert [(a.duration_minutes, a.source) for a in rows] == [(90, "import"), (120, "import"), (30, "import")]
    assert rows[2].service_request_id == "SR-1234" and rows[1].consultation_mechanism_code == "11"
    assert [r.code for r in rows[1].recipient_types] == ["WARD_STAFF"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "activity.create")).all()
    assert sorted(int(e.object_id) for e in events) == sorted(a.id for a in rows)
    assert all(e.details["source"] == "import" and "Pathway" not in str(e.details) for e in events)
    again = signed_in.post_form("/activities/import/commit", {"payload": payload})
    assert again.status_code == 302
    assert count_activities(clinician_id=clinician.id) == 3
    assert "had been imported from this file before" in signed_in.get("/activities").text


def test_commit_is_all_or_nothing_when_a_row_became_invalid(signed_in, clinician, team):
    from indirect_work.capture.models import MonthLock
    from indirect_work.core.dates import month_start

    html = upload(signed_in, "past.csv", mixed_csv()).text
    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    yesterday = date.today() - timedelta(days=1)
    db.session.add(MonthLock(team_id=team.id, month=month_start(yesterday), is_locked=True))
    db.session.commit()
    response = signed_in.post_form("/activities/import/commit", {"payload": payload})
    assert response.status_code == 422 and "nothing was saved" in response.text
    assert count_activities(clinician_id=clinician.id) == 0


def test_tampered_or_someone_elses_preview_is_refused(app, make, signed_in, login, clinician):
    html = upload(signed_in, "past.csv", mixed_csv()).text
    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    assert (
        signed_in.post_form("/activities/import/commit", {"payload": payload[:-3] + "abc"}).status_code == 422
    )
    other = make.clinician()
    db.session.commit()
    other_client = app.test_client()
    login(other, target=other_client)
    response = other_client.post_form("/activities/import/commit", {"payload": payload})
    assert response.status_code == 422 and "Upload the file again" in response.text
    assert count_activities() == 0


def test_xlsx_import_with_real_dates_numbers_and_a_formula(signed_in, clinician):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Date", "Activity type", "Duration", "Consultation mechanism", "Recipient types"])
    yesterday = date.today() - timedelta(days=1)
    sheet.append([yesterday, "SUPERVISION_CLINICAL", 60, "1", "PSYCH_PROFESSIONS"])
    sheet.append([yesterday, "SUPERVISION_CLINICAL", "=30*2", "01", "PSYCH_PROFESSIONS"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    html = upload(signed_in, "old.xlsx", buffer.getvalue()).text
    assert "<strong>1</strong> row can be imported" in html
    assert re.search(r"<tr><td>3</td><td>duration</td><td>This cell holds a formula", html)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.pdf", b"%PDF-1.4", "must be a CSV"),
        ("old.xls", b"\xd0\xcf\x11\xe0", "old Excel file"),
        ("bad.csv", "date,activity_type\n15/03/2026,Caf\u00e9".encode("cp1252") + b"\xff\xfe", "not UTF-8"),
        ("fake.xlsx", b"date,activity_type\n", "not a real Excel"),
        ("broken.xlsx", b"PK\x03\x04garbage", "could not be opened"),
        ("empty.csv", b"", "empty"),
        ("header.csv", b"date,duration\n2026-01-01,45\n", "missing the columns activity_type"),
        ("only-header.csv", HEADER.encode(), "no records"),
        ("binary.csv", b"\x00\x01\x02date", "not a CSV"),
    ],
)
def test_bad_files_get_a_clear_message(signed_in, name, content, message):
    response = upload(signed_in, name, content)
    assert response.status_code == 422
    assert message in response.text and 'data-testid="file-error"' in response.text


def test_more_than_10000_rows_is_refused(signed_in):
    row = f"{date.today().isoformat()},CONSULT_TEAM,45,,01,MH_TEAM_STAFF,1,,,\n"
    response = upload(signed_in, "big.csv", (HEADER + row * 10_001).encode())
    assert response.status_code == 422 and "more than 10,000 records" in response.text


def test_a_50_mb_upload_gets_a_clear_413_page(signed_in):
    # Built by hand: the test client would spool 50 MB to a temporary file it never closes.
    body = (
        b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
        + signed_in.csrf_token().encode()
        + b'\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="huge.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + b"x" * (50 * 1024 * 1024) + b"\r\n--b--\r\n"
    )
    response = signed_in.post(
        "/activities/import",
        input_stream=io.BytesIO(body),
        content_length=len(body),
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status_code == 413
    assert "larger than 10 MB" in response.text and "Split it" in response.text


def test_templates_download_with_the_documented_columns(signed_in):
    csv_response = signed_in.get("/activities/import/template.csv")
    assert csv_response.headers["Content-Disposition"].startswith("attachment")
    assert csv_response.text.splitlines()[0].replace('"', "") == ",".join(importer.COLUMN_NAMES)
    xlsx = load_workbook(io.BytesIO(signed_in.get("/activities/import/template.xlsx").data))
    assert [c.value for c in xlsx["Records"][1]] == importer.COLUMN_NAMES
    assert xlsx["Columns"].max_row == len(importer.COLUMNS) + 1
    page = signed_in.get("/activities/import").text
    for name in importer.COLUMN_NAMES:
        assert f"<code>{name}</code>" in page


def test_the_template_example_row_imports(signed_in, clinician):
    html = upload(
        signed_in,
        "template.csv",
        importer.template_csv()
        .replace("2026-03-02", (date.today() - timedelta(days=1)).isoformat())
        .encode(),
    ).text
    assert "<strong>1</strong> row can be imported" in html


def test_a_preview_larger_than_the_form_field_limit_reaches_the_commit(signed_in):
    """10,000 rows with long notes make a signed preview of about 1 MB. The confirm form is URL-encoded,
    which Werkzeug reads whole within MAX_CONTENT_LENGTH (the 500 kB per-field limit is for multipart)."""
    response = signed_in.post_form("/activities/import/commit", {"payload": "x" * 1_200_000})
    assert response.status_code == 422 and "The preview could not be read" in response.text
