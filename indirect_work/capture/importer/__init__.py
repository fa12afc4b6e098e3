"""Import past records from a CSV or XLSX file: read it, check every row with the record rules, commit.

The preview is not kept on the server: the valid rows travel to the confirmation step inside a
signed, compressed form field (bound to the user and valid for an hour), so any worker can commit
them, and they are checked once more before saving. Each row gets a submission token derived from
the file and row, so committing the same file twice never doubles a record.

``files`` reads uploads and writes the template, ``rows`` checks rows, ``payload`` carries the
preview to the commit; the names the pages use are re-exported here.
"""

from indirect_work.capture.importer.files import (
    COLUMN_NAMES,
    COLUMNS,
    MAX_ROWS,
    ImportFileError,
    read_table,
    template_csv,
    template_xlsx,
)
from indirect_work.capture.importer.payload import (
    ImportResult,
    commit_rows,
    load_signed,
    row_token,
    sign_preview,
)
from indirect_work.capture.importer.rows import ImportPreview, ImportRow, check_row, preview_file

__all__ = [
    "COLUMNS",
    "COLUMN_NAMES",
    "MAX_ROWS",
    "ImportFileError",
    "ImportPreview",
    "ImportResult",
    "ImportRow",
    "check_row",
    "commit_rows",
    "load_signed",
    "preview_file",
    "read_table",
    "row_token",
    "sign_preview",
    "template_csv",
    "template_xlsx",
]
