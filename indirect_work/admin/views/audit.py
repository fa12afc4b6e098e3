"""The audit trail: search, page through and export who changed what."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, render_template, request, stream_with_context

from indirect_work.admin.forms import AuditFilterForm
from indirect_work.admin.services import audit_trail as svc
from indirect_work.admin.views.common import bp
from indirect_work.audit.services import record_event
from indirect_work.core.inputs import bad_text
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
        actor=_text(form.actor),
        action=_text(form.action),
        object_type=_text(form.object_type),
        object_id=_text(form.object_id),
        date_from=form.date_from.data if valid else None,
        date_to=form.date_to.data if valid else None,
    )
    return form, criteria, _asked()


def _text(field: Any) -> str:
    """A text filter, or none when the field was refused (it is shown with its message instead)."""
    return "" if field.errors else (field.data or "").strip()


def _asked() -> dict[str, str]:
    """The filters as asked, to keep in links and the audit row; text no field may hold is left out."""
    return {
        k: v
        for k, v in request.args.items()
        if k in AuditFilterForm.FILTER_FIELDS and v and not bad_text(v) and len(v) <= 254
    }


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
    record_event("audit.export", object_type="audit_event", details={"filters": _asked()})
    db.session.flush()
    _form, criteria, _args = _filters()
    filename = f"indirect-work_audit_{date.today().isoformat()}.csv"
    body = stream_with_context(iter_csv(svc.CSV_HEADER, svc.csv_rows(criteria)))
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
