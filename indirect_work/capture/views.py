"""Clinician pages: log an activity, my activities, edit, delete, duplicate, favourites, week view, import."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from indirect_work.audit.services import record_event
from indirect_work.capture import importer, pages
from indirect_work.capture.duration import format_duration
from indirect_work.capture.forms import ActivityForm, ConfirmForm, merge_errors
from indirect_work.capture.rules import validate_activity
from indirect_work.capture.services import (
    add_favourite,
    create_activity,
    delete_activity,
    get_activity_for,
    get_favourite_for,
    remove_favourite,
    update_activity,
)
from indirect_work.core.errors import Conflict, ValidationFailed, error_response
from indirect_work.core.permissions import Permission, require_permission
from indirect_work.core.web import safe_next
from indirect_work.extensions import db

bp = Blueprint("capture", __name__, template_folder="templates")


@bp.before_request
def _section() -> None:
    g.nav_section = "capture.activity_list" if request.endpoint != "capture.log" else "capture.log"


def _user() -> Any:
    return current_user._get_current_object()


def _require_token() -> None:
    """Buttons that change state post a form with only the CSRF token."""
    if not ConfirmForm().validate_on_submit():
        abort(400, "Your session expired before you saved. Please try again.")


@bp.route("/log", methods=["GET", "POST"])
@require_permission(Permission.ACTIVITY_LOG)
def log() -> Any:
    """The clinician's home: favourites, the log form, and this week's records."""
    user = _user()
    form = ActivityForm()
    status = 200
    if form.validate_on_submit():
        data, parse_errors = form.to_data()
        try:
            if parse_errors:
                raise ValidationFailed(merge_errors(parse_errors, validate_activity(user, data)))
            activity = create_activity(
                actor=user, data=data, source="web", submission_token=form.submission_token.data or None
            )
        except ValidationFailed as exc:
            db.session.rollback()
            form.show_errors(exc.fields)
            status = 422
        else:
            flash(  # before the commit, which expires the record
                f"Saved: {activity.activity_type.label}, {format_duration(activity.duration_minutes)} "
                f"on {activity.activity_on:%-d %B %Y}.",
                "success",
            )
            db.session.commit()
            return redirect(url_for("capture.log"))
    elif request.method == "POST":
        status = 422
    else:
        if pages.prefill(form, user, request.args):
            form.duration.render_kw = {"autofocus": True}
    if not form.submission_token.data:
        form.submission_token.data = secrets.token_urlsafe(24)
    pages.set_choices(form, user)  # only to render: a successful post never needs them
    return render_template("capture/log.html", form=form, **pages.log_context(user, form)), status


@bp.get("/activities")
@require_permission(Permission.ACTIVITY_LOG)
def activity_list() -> Any:
    """My activities: filters, totals of the filtered set, pages of 25."""
    return render_template("capture/activity_list.html", **pages.list_context(_user(), request.args))


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
@require_permission(Permission.ACTIVITY_LOG)
def activity_edit(activity_id: int) -> Any:
    """Correct a record; a version changed meanwhile is refused and the current one shown."""
    user = _user()
    activity = get_activity_for(user, activity_id)
    form = ActivityForm()
    status, current = 200, None
    if form.validate_on_submit():
        data, parse_errors = form.to_data()
        try:
            if parse_errors:
                raise ValidationFailed(
                    merge_errors(parse_errors, validate_activity(user, data, existing=activity))
                )
            update_activity(
                actor=user,
                activity=activity,
                data=data,
                expected_version=pages.int_or_zero(form.version.data),
            )
        except ValidationFailed as exc:
            db.session.rollback()
            form.show_errors(exc.fields)
            status = 422
        except Conflict as exc:
            db.session.rollback()
            current = get_activity_for(user, activity_id)
            form.version.data = str(current.version)
            form.form_errors.append(exc.message)
            status = 409
        else:
            db.session.commit()
            flash(
                f"Changes saved: {activity.activity_type.label} on {activity.activity_on:%-d %B %Y}.",
                "success",
            )
            return redirect(safe_next(request.args.get("next")) or url_for("capture.activity_list"))
    elif request.method == "POST":
        status = 422
    else:
        pages.fill_from_activity(form, activity, include_all=True)
        form.version.data = str(activity.version)
    pages.set_choices(form, user, activity)
    return render_template(
        "capture/activity_edit.html",
        form=form,
        activity=activity,
        current=current,
        **pages.form_context(user, form, activity),
    ), status


@bp.route("/activities/<int:activity_id>/delete", methods=["GET", "POST"])
@require_permission(Permission.ACTIVITY_LOG)
def activity_delete(activity_id: int) -> Any:
    """Confirm, then soft-delete a record (it stays in the audit trail)."""
    user = _user()
    activity = get_activity_for(user, activity_id)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        try:
            delete_activity(
                actor=user, activity=activity, expected_version=pages.int_or_zero(form.version.data)
            )
        except (ValidationFailed, Conflict) as exc:
            db.session.rollback()
            activity = get_activity_for(user, activity_id)
            form.form_errors.append(exc.message)
            status = 409 if isinstance(exc, Conflict) else 422
        else:
            db.session.commit()
            flash(f"Deleted: {activity.activity_type.label} on {activity.activity_on:%-d %B %Y}.", "success")
            return redirect(url_for("capture.activity_list"))
    elif request.method == "POST":
        status = 422
    form.version.data = str(activity.version)
    return render_template("capture/activity_delete.html", form=form, activity=activity), status


@bp.post("/activities/<int:activity_id>/favourite")
@require_permission(Permission.ACTIVITY_LOG)
def favourite_add(activity_id: int) -> Any:
    """Star a record so it becomes a one-click button on the log page."""
    user = _user()
    activity = get_activity_for(user, activity_id)
    _require_token()
    try:
        favourite = add_favourite(actor=user, activity=activity)
    except ValidationFailed as exc:
        db.session.rollback()
        flash(exc.message, "warning")
    else:
        db.session.commit()
        flash(f"Added to your favourites: {favourite.label}.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("capture.log"))


@bp.post("/favourites/<int:favourite_id>/remove")
@require_permission(Permission.ACTIVITY_LOG)
def favourite_remove(favourite_id: int) -> Any:
    """Remove a favourite (the records logged from it stay)."""
    user = _user()
    favourite = get_favourite_for(user, favourite_id)
    _require_token()
    label = favourite.label
    remove_favourite(actor=user, favourite=favourite)
    db.session.commit()
    flash(f"Removed from your favourites: {label}.", "success")
    return redirect(url_for("capture.log"))


@bp.route("/activities/week", methods=["GET", "POST"])
@require_permission(Permission.ACTIVITY_LOG)
def week() -> Any:
    """A week grid to catch up several days at once, or adjust what is there."""
    user = _user()
    start = pages.week_from_arg(request.values.get("start"))
    grid = pages.WeekGrid(user, start)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        try:
            saved = grid.save(request.form)
        except (ValidationFailed, Conflict) as exc:
            db.session.rollback()
            grid = pages.WeekGrid(user, start)
            grid.keep_typed(request.form, exc)
            status = 409 if isinstance(exc, Conflict) else 422
        else:
            db.session.commit()
            flash(f"Week saved: {saved} change{'s' if saved != 1 else ''}.", "success")
            return redirect(url_for("capture.week", start=start.isoformat()))
    elif request.method == "POST":
        status = 422
    return render_template(
        "capture/week.html",
        form=form,
        grid=grid,
        start=start,
        prev_start=start - timedelta(days=7),
        next_start=start + timedelta(days=7),
        today=date.today(),
    ), status


def _import_page(form: ConfirmForm, status: int, *, error: str | None = None, **extra: Any) -> Any:
    context = {"preview": None, "payload": None, "problems": [], **extra}
    return render_template(
        "capture/import.html",
        form=form,
        file_error=error,
        columns=importer.COLUMNS,
        max_rows=importer.MAX_ROWS,
        **context,
    ), status


@bp.route("/activities/import", methods=["GET", "POST"])
@require_permission(Permission.ACTIVITY_LOG)
def import_upload() -> Any:
    """Upload a CSV or XLSX of past records and see, row by row, what can be imported."""
    user = _user()
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _import_page(form, 422 if request.method == "POST" else 200)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise importer.ImportFileError("Choose a CSV or XLSX file to upload")
        preview = importer.preview_file(user, upload.filename, upload.read())
    except importer.ImportFileError as exc:
        return _import_page(form, 422, error=str(exc))
    payload = importer.sign_preview(preview, user, current_app.secret_key or "")
    db.session.rollback()
    return _import_page(form, 200, preview=preview, payload=payload)


@bp.post("/activities/import/commit")
@require_permission(Permission.ACTIVITY_LOG)
def import_commit() -> Any:
    """Save the previewed valid rows in one transaction (all or none)."""
    user = _user()
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400, "Your session expired before you confirmed. Upload the file again.")
    try:
        file_hash, rows = importer.load_signed(
            request.form.get("payload", ""), user, current_app.secret_key or ""
        )
        result = importer.commit_rows(user, file_hash, rows)
    except importer.ImportFileError as exc:
        return _import_page(form, 422, error=str(exc))
    except IntegrityError:
        db.session.rollback()
        return _import_page(
            form,
            409,
            error="This file is being imported at this moment (perhaps in another "
            "tab). Check My activities before trying again.",
        )
    except ValidationFailed as exc:
        db.session.rollback()
        problems = [f"{where.capitalize()}: {' '.join(messages)}" for where, messages in exc.fields.items()]
        return _import_page(form, 422, error=exc.message, problems=problems)
    record_event(
        "activity.import",
        actor=user,
        object_type="import",
        object_id=file_hash[:16],
        details={"created": result.created, "already_imported": result.already_imported},
    )
    db.session.commit()
    message = f"Imported {result.created} record{'s' if result.created != 1 else ''}."
    if result.already_imported:
        message += f" {result.already_imported} had been imported from this file before and were skipped."
    flash(message, "success")
    return redirect(url_for("capture.activity_list", period="all"))


@bp.get("/activities/import/template.<any(csv, xlsx):kind>")
@require_permission(Permission.ACTIVITY_LOG)
def import_template(kind: str) -> Any:
    """The import template with its header row and one example."""
    if kind == "csv":
        body: Any = importer.template_csv()
        mimetype = "text/csv"
    else:
        body = importer.template_xlsx()
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="indirect-work-import-template.{kind}"'},
    )


@bp.errorhandler(413)
def upload_too_large(_exc: Any) -> Any:
    """A file over the upload limit gets a page that says what to do, not a bare error."""
    limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
    return error_response(
        413,
        f"The file is larger than {limit} MB, so it was not uploaded. Split it into "
        f"smaller files of up to {importer.MAX_ROWS:,} records, or save it as CSV, "
        "which is much smaller than Excel.",
    )
