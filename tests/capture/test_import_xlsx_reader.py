"""The XLSX reader returns what Excel shows, in the right cells, and never a formula's value."""

from __future__ import annotations

import io
import zipfile
from datetime import date, time, timedelta

from openpyxl import Workbook

from indirect_work.capture.importer.files import FormulaCell, cell_text, read_table
from tests.capture.xlsx_crafted import SHEET, far_cell


def with_markup(sheet_xml: bytes) -> bytes:
    """A valid workbook whose first sheet part is exactly ``sheet_xml``."""
    source = zipfile.ZipFile(io.BytesIO(far_cell()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part in source.infolist():
            archive.writestr(
                part.filename, sheet_xml if part.filename == SHEET else source.read(part.filename)
            )
    return out.getvalue()


def saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_formula_with_a_cached_result_is_refused_not_read_even_with_prefixed_markup():
    # As some writers save it: a namespace prefix on every element and the formula's result cached.
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        b'<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>date</x:t></x:is></x:c>'
        b'<x:c r="B1" t="inlineStr"><x:is><x:t>duration</x:t></x:is></x:c></x:row>'
        b'<x:row r="2"><x:c r="B2"><x:v>45</x:v></x:c></x:row>'
        b'<x:row r="3"><x:c r="B3"><x:f>30*2</x:f><x:v>60</x:v></x:c></x:row>'
        b"</x:sheetData></x:worksheet>"
    )
    rows = read_table("records.xlsx", with_markup(sheet))
    assert rows[0][:2] == ["date", "duration"]
    assert rows[1][1] == 45
    assert isinstance(rows[2][1], FormulaCell) and rows[2][1] != "60"


def test_cells_without_references_are_placed_one_after_another():
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row><c t="inlineStr"><is><t>date</t></is></c><c t="inlineStr"><is><t>note</t></is></c></row>'
        b'<row><c t="inlineStr"><is><t>2026-11-02</t></is></c><c><f>"a"&amp;"b"</f><v>ab</v></c></row>'
        b"</sheetData></worksheet>"
    )
    rows = read_table("records.xlsx", with_markup(sheet))
    assert rows[0][:2] == ["date", "note"]
    assert rows[1][0] == "2026-11-02" and isinstance(rows[1][1], FormulaCell)


def test_the_first_sheet_in_the_workbook_is_read_whatever_its_part_is_called():
    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["These are my notes, not records"])
    records = workbook.create_sheet("Records")
    records.append(["date", "activity_type"])
    records.append([date(2026, 11, 2), "CONSULT_TEAM"])
    workbook.move_sheet("Records", offset=-1)  # first in the workbook, but stored as sheet2.xml
    rows = read_table("records.xlsx", saved(workbook))
    assert rows[0][:2] == ["date", "activity_type"]
    assert rows[1][:2] == [date(2026, 11, 2), "CONSULT_TEAM"]


def test_dates_times_numbers_and_durations_read_as_a_person_typed_them():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["date", "duration", "start_time", "people_reached", "long_duration"])
    sheet.append([date(2026, 11, 2), time(1, 30), time(9, 15), 12, timedelta(hours=2, minutes=5)])
    sheet["E2"].number_format = "[h]:mm"
    row = read_table("records.xlsx", saved(workbook))[1]
    names = ["date", "duration", "start_time", "people_reached", "duration"]
    assert [cell_text(v, n) for v, n in zip(row[:5], names, strict=True)] == [
        "2026-11-02",
        "1:30",
        "09:15",
        "12",
        "2:05",
    ]
    assert row[5:] == [None] * len(row[5:])
