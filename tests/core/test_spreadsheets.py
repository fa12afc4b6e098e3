"""User-typed text never becomes a formula in CSV or XLSX output."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from indirect_work.core.spreadsheets import csv_text, iter_csv, text_cell

PAYLOADS = ["=1+2", "@SUM(A1)", "+1", "-1", "\t=1", '=HYPERLINK("http://x")', "plain text"]


def test_csv_prefixes_risky_text_and_quotes_every_field():
    text = csv_text(["note", "minutes"], [[p, 30] for p in PAYLOADS])
    assert text == "".join(iter_csv(["note", "minutes"], [[p, 30] for p in PAYLOADS]))
    rows = list(csv.reader(io.StringIO(text)))
    notes = [row[0] for row in rows[1:]]
    for original, written in zip(PAYLOADS, notes, strict=True):
        expected = original if original == "plain text" else "'" + original
        assert written == expected
    assert all(line.startswith('"') for line in text.splitlines())
    assert rows[1][1] == "30"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx_text_cells_are_strings_with_quote_prefix(tmp_path, payload):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Notes")
    ws.append([text_cell(ws, payload)])
    path = tmp_path / "notes.xlsx"
    wb.save(path)
    cell = load_workbook(path)["Notes"]["A1"]
    assert cell.value == payload
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
