"""The audit trail: search, page through and export who changed what."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, render_template, request, stream_with_context

from indirect_work.admin.forms import AuditFilterForm
from indirect_work.admin.services import audit_trail as svc
from indirect_work.admin.views.common import bp
from indirect_work.audit.services import record_event
from indirect_work.core.spreadsheets import iter_csv
from indirect_work.extensions import db

PER_PAGE = 50


def _filters() -> tuple[AuditFilterForm, svc.AuditFilter, dict[str, Any]]:
    """The filter form from the query string, the filter it means, and the arguments to keep in links."""
    form = AuditFilterForm(request.args)
    form.action.choices = [("", "Any action")] + [(a, a) for a in svc.known_actions()]
    form.object_type.choices = [("", "Any object")] + [(t, t) for t in svc.known_object_types()]
    valid = form.validate()
    criteria = svc.AuditFilter(
        actor=(form.actor.data or "").strip(),
        action=form.action.data or "",
        object_type=form.object_type.data or "",
        object_id=(form.object_id.data or "").strip(),
        date_from=form.date_from.data if valid else None,
        date_to=form.date_to.data if valid else None,
    )
    args = {k: v for k, v in request.args.items() if k in AuditFilterForm.FILTER_FIELDS and v}
    return form, criteria, args


@bp.get("/audit")
def audit() -> Any:
    """Audit events, newest first, filtered by person, action, object and period."""
    form, criteria, args = _filters()
    page = db.paginate(svc.audit_query(criteria), per_page=PER_PAGE, error_out=False)
    rows = [(event, svc.describe_details(event)) for event in page.items]
    status = 422 if any(f.errors for f in form) else 200
    return render_template("admin/audit.html", form=form, page=page, rows=rows, args=args), status


@bp.get("/audit/export.csv")
def audit_export() -> Any:
    """The matching events as CSV (formula-safe); the export itself is audited."""
    # Written before anything is read (on SQLite a read-then-write transaction could not queue);
    # the commit point saves it before the body streams.
    asked = {k: v for k, v in request.args.items() if k in AuditFilterForm.FILTER_FIELDS and v}
    record_event("audit.export", object_type="audit_event", details={"filters": asked})
    db.session.flush()
    _form, criteria, _args = _filters()
    filename = f"indirect-work_audit_{date.today().isoformat()}.csv"
    body = stream_with_context(iter_csv(svc.CSV_HEADER, svc.csv_rows(criteria)))
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
