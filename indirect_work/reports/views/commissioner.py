"""The commissioner Reports page and its downloads: the workbook, the MHS204 extract and its validation.

Commissioners download workbooks for the organisations they commission; admins for every
organisation, plus the MHSDS MHS204 extract (it holds staff identifiers). Every download is
audited, and the commit point keeps the audit row before the file is sent.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Response, abort, current_app, render_template, request, send_file
from flask_login import current_user
from sqlalchemy import select

from indirect_work.audit.services import record_event
from indirect_work.auth.models import User
from indirect_work.core.dates import add_months, format_month, month_start
from indirect_work.core.permissions import (
    Permission,
    can_view_organisation_reports,
    has_permission,
    require_permission,
)
from indirect_work.core.replica import reads_from_replica
from indirect_work.core.spreadsheets import iter_csv
from indirect_work.extensions import db
from indirect_work.org.models import Organisation, ServiceTeamType
from indirect_work.reports import mhsds_extract
from indirect_work.reports.commissioning import reportable_organisations, unlocked_teams
from indirect_work.reports.disclosure import DisclosurePolicy
from indirect_work.reports.forms import ReportForm
from indirect_work.reports.services import generate_workbook
from indirect_work.reports.views.blueprints import commissioning_bp as bp
from indirect_work.reports.workbook import workbook_filename

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _default_month() -> str:
    return f"{add_months(month_start(date.today()), -1):%Y-%m}"


def _form(organisations: list[Organisation]) -> ReportForm:
    form = ReportForm(request.args, meta={"csrf": False})
    form.organisation.choices = [(o.id, f"{o.name} ({o.ods_code})") for o in organisations]
    form.team_type.choices = [("", "All team types")] + [
        (t.code, f"{t.code} {t.description}")
        for t in db.session.scalars(select(ServiceTeamType).order_by(ServiceTeamType.code))
    ]
    if not request.args:
        form.month.data = _default_month()
        if organisations:
            form.organisation.data = organisations[0].id
    return form


def _organisation_for(user: User, organisation_id: int) -> Organisation:
    """The organisation if the user may report on it; 404 otherwise (another's looks like no such thing)."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_view_organisation_reports(user, organisation.id):
        abort(404)
    return organisation


@bp.get("/")
@require_permission(Permission.COMMISSIONER_REPORT)
@reads_from_replica
def index() -> Any:
    """Pick provider, month and team type; see whether every team has locked the month."""
    organisations = reportable_organisations(current_user)
    form = _form(organisations)
    status = None
    if form.validate():
        organisation = _organisation_for(current_user, form.organisation.data)
        month = form.month.parsed  # type: ignore[attr-defined]
        status = {
            "organisation": organisation,
            "month": month,
            "month_label": format_month(month),
            "unlocked": unlocked_teams(organisation, month, form.team_type.data or None),
            "filename": workbook_filename(organisation.ods_code, month, form.team_type.data or None),
        }
    return _page(form, organisations, status, show_errors=bool(request.args))


def _page(
    form: ReportForm, organisations: list[Organisation], status: dict[str, Any] | None, *, show_errors: bool
) -> str:
    """The Reports page, with the status of the chosen month or the form's errors."""
    return render_template(
        "commissioning/index.html",
        form=form,
        status=status,
        organisations=organisations,
        show_errors=show_errors,
        can_extract=has_permission(current_user, Permission.MHSDS_EXTRACT),
    )


@dataclass(frozen=True)
class ReportRequest:
    """A checked download request: the provider, the month and the optional team type."""

    organisation: Organisation
    month: date
    team_type: str | None


def _valid_request() -> ReportRequest | Any:
    """The checked provider, month and team type, or the page again with the errors (400)."""
    organisations = reportable_organisations(current_user)
    form = _form(organisations)
    if not form.validate():
        return _page(form, organisations, None, show_errors=True), 400
    organisation = _organisation_for(current_user, form.organisation.data)
    return ReportRequest(organisation, form.month.parsed, form.team_type.data or None)  # type: ignore[attr-defined]


@bp.get("/workbook")
@require_permission(Permission.COMMISSIONER_REPORT)
@reads_from_replica
def workbook() -> Any:
    """Download the workbook (audited)."""
    checked = _valid_request()
    if not isinstance(checked, ReportRequest):
        return checked
    result = generate_workbook(
        checked.organisation,
        checked.month,
        team_type_code=checked.team_type,
        policy=DisclosurePolicy.from_config(current_app.config),
    )
    return send_file(
        io.BytesIO(result.content), mimetype=XLSX, as_attachment=True, download_name=result.filename
    )


def _extract_response(kind: str) -> Any:
    """The extract or its validation report, built whole before the response starts.

    Building first means the rows are read while the request's transaction is open and the
    response carries its length; the audit row (added first, so that on SQLite this request
    takes the write lock before it reads) is committed only when the file was built.
    """
    checked = _valid_request()
    if not isinstance(checked, ReportRequest):
        return checked
    organisation, month = checked.organisation, checked.month
    extract_name, validation_name = mhsds_extract.extract_filenames(organisation.ods_code, month)
    record_event(
        "report.mhsds_extract" if kind == "extract" else "report.mhsds_validation",
        object_type="organisation",
        object_id=organisation.id,
        details={"month": f"{month:%Y-%m}"},
    )
    rows = mhsds_extract.extract_rows(organisation, month)
    if kind == "extract":
        body, name = (
            "".join(iter_csv(mhsds_extract.COLUMNS, mhsds_extract.extract_values(rows))),
            extract_name,
        )
    else:
        body = "".join(iter_csv(mhsds_extract.VALIDATION_COLUMNS, mhsds_extract.validation_values(rows)))
        name = validation_name
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/mhsds-extract")
@require_permission(Permission.MHSDS_EXTRACT)
@reads_from_replica
def mhsds_extract_download() -> Any:
    """The MHS204 CSV for the provider's month (admins only: it holds staff identifiers)."""
    return _extract_response("extract")


@bp.get("/mhsds-validation")
@require_permission(Permission.MHSDS_EXTRACT)
@reads_from_replica
def mhsds_validation_download() -> Any:
    """Rows left out of the MHS204 extract and rows likely to be queried, with the reasons."""
    return _extract_response("validation")
