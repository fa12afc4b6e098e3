"""Reports services: generate a commissioner workbook and record that it was made (flush, never commit)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime

from indirect_work.audit.services import record_event
from indirect_work.org.models import Organisation
from indirect_work.reports.commissioning import collect_monthly_report
from indirect_work.reports.workbook import build_workbook, workbook_filename


@dataclass(frozen=True)
class GeneratedWorkbook:
    """The workbook's file name and bytes."""

    filename: str
    content: bytes


def generate_workbook(
    organisation: Organisation,
    month: date,
    *,
    threshold: int,
    team_type_code: str | None = None,
    action: str = "report.workbook_download",
    actor_email: str | None = None,
    generated_at: datetime | None = None,
) -> GeneratedWorkbook:
    """Build the workbook in memory and record the audit event (the caller commits)."""
    report = collect_monthly_report(
        organisation, month, team_type_code=team_type_code, generated_at=generated_at
    )
    buffer = io.BytesIO()
    build_workbook(report, buffer, threshold=threshold)
    filename = workbook_filename(organisation.ods_code, report.month, team_type_code)
    record_event(
        action,
        actor_email=actor_email,
        object_type="organisation",
        object_id=organisation.id,
        details={
            "month": f"{report.month:%Y-%m}",
            "team_type": team_type_code,
            "file": filename,
            "threshold": threshold,
        },
    )
    return GeneratedWorkbook(filename, buffer.getvalue())
