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

from indirect_work.auth.models import User
from indirect_work.capture import importer, pages, week_grid
from indirect_work.capture.duration import format_duration
from indirect_work.capture.forms import ActivityForm, ConfirmForm, SharedPartForm
from indirect_work.capture.models import Activity
from indirect_work.capture.outcomes import set_outcomes
from indirect_work.capture.services.activities import create_activity, delete_activity, update_activity
from indirect_work.capture.services.favourites import add_favourite, get_favourite_for, remove_favourite
from indirect_work.capture.services.listing import get_activity_for
from indirect_work.core.errors import (
    Conflict,
    DomainError,
    ValidationFailed,
    error_response,
)
from indirect_work.core.inputs import in_window
from indirect_work.core.permissions import Permission, require_permission
from indirect_work.core.transactions import abandon, attempt
from indirect_work.core.web import safe_next

bp = Blueprint("capture", __name__, template_folder="templates")


@bp.before_request
def _section() -> None:
    g.nav_section = "capture.activity_list" if request.endpoint != "capture.log" else "capture.log"


def _user() -> Any:
    return current_user._get_current_object()


def _answered_here(error: DomainError | None, *kinds: type[DomainError]) -> DomainError:
    """The refusal this view answers on its own page; any other goes on to the error handlers."""
    assert error is not None
    if not isinstance(error, kinds):
        raise error
    return error


def _create_from_form(user: User, form: ActivityForm) -> Activity:
    activity = create_activity(
        actor=user,
        data=form.parsed(user),
        source="web",
        submission_token=form.submission_token.data or None,
        co_deliverers=form.co_deliverers(request.form),
    )
    set_outcomes(actor=user, activity=activity, values=form.outcomes.data or [])
    return activity


def _update_from_form(user: User, activity: Activity, form: ActivityForm) -> Activity:
    updated = update_activity(
        actor=user,
        activity=activity,
        data=form.parsed(user, existing=activity),
        expected_version=pages.int_or_zero(form.version.data),
    )
    set_outcomes(actor=user, activity=activity, values=form.outcomes.data or [])
    return updated


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
        # No savepoint (``attempt``): every refusal comes before the first write, and a write that
        # fails (SQLite's full disk rolls back the whole transaction) must reach the error handlers
        # as it is, not as a failed ROLLBACK TO SAVEPOINT.
        try:
            activity = _create_from_form(user, form)
        except ValidationFailed as exc:
            form.show_errors(exc.fields)
            status = 422
        else:
            flash(
                f"Saved: {activity.activity_type.label}, {format_duration(activity.duration_minutes)} "
                f"on {activity.activity_on:%-d %B %Y}.",
                "success",
            )
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
    activity = pages.editable_activity(user, activity_id)
    locked = pages.locked_reason(user, activity)
    if locked:  # shown read-only with the reason; a Save that could only fail is not offered
        status = 422 if request.method == "POST" else 200
        return render_template(
            "capture/activity_locked.html", activity=activity, locked=locked, format_duration=format_duration
        ), status
    form = ActivityForm()
    status, current = 200, None
    if form.validate_on_submit():
        _, error = attempt(_update_from_form, user, activity, form)
        if error is None:
            flash(
                f"Changes saved: {activity.activity_type.label} on {activity.activity_on:%-d %B %Y}.",
                "success",
            )
            return redirect(safe_next(request.args.get("next")) or url_for("capture.activity_list"))
        refused = _answered_here(error, ValidationFailed, Conflict)
        if isinstance(refused, Conflict):
            current = get_activity_for(user, activity_id)  # as stored now: the attempt was undone
            form.version.data = str(current.version)
            form.form_errors.append(refused.message)
            status = 409
        else:
            form.show_errors(refused.fields)
            status = 422
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


@bp.route("/activities/<int:activity_id>/shared", methods=["GET", "POST"])
@require_permission(Permission.ACTIVITY_LOG)
def activity_shared(activity_id: int) -> Any:
    """Who delivered a shared session; each changes their own time or leaves, the creator removes."""
    user = _user()
    activity = get_activity_for(user, activity_id)
    form = SharedPartForm()
    status = 200
    if form.validate_on_submit():
        _, error = attempt(pages.change_shared_part, user, activity, form)
        if error is None:
            flash(
                f"Saved your changes to {activity.activity_type.label} on {activity.activity_on:%-d %B %Y}."
            )
            return redirect(url_for("capture.activity_list"))
        form.show_errors(_answered_here(error, ValidationFailed).fields)
        activity = get_activity_for(user, activity_id)  # as stored now: the attempt was undone
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template(
        "capture/activity_shared.html", **pages.shared_context(user, activity, form)
    ), status


@bp.route("/activities/<int:activity_id>/delete", methods=["GET", "POST"])
@require_permission(Permission.ACTIVITY_LOG)
def activity_delete(activity_id: int) -> Any:
    """Confirm, then soft-delete a record (it stays in the audit trail)."""
    user = _user()
    activity = pages.editable_activity(user, activity_id)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        _, error = attempt(
            delete_activity,
            actor=user,
            activity=activity,
            expected_version=pages.int_or_zero(form.version.data),
        )
        if error is None:
            flash(f"Deleted: {activity.activity_type.label} on {activity.activity_on:%-d %B %Y}.", "success")
            return redirect(url_for("capture.activity_list"))
        refused = _answered_here(error, ValidationFailed, Conflict)
        activity = get_activity_for(user, activity_id)  # as stored now: the attempt was undone
        form.form_errors.append(refused.message)
        status = 409 if isinstance(refused, Conflict) else 422
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
    favourite, error = attempt(add_favourite, actor=user, activity=activity)
    if favourite is not None:
        flash(f"Added to your favourites: {favourite.label}.", "success")
    else:
        abandon()  # refused, yet answered with a redirect: nothing of this request is kept
        flash(_answered_here(error, ValidationFailed).message, "warning")
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
    flash(f"Removed from your favourites: {label}.", "success")
    return redirect(url_for("capture.log"))


@bp.route("/activities/week", methods=["GET", "POST"])
@require_permission(Permission.ACTIVITY_LOG)
def week() -> Any:
    """A week grid to catch up several days at once, or adjust what is there."""
    user = _user()
    start = week_grid.week_from_arg(request.values.get("start"))
    if not in_window(start):  # the page steps a week either side: keep far from the calendar edge
        start = week_grid.week_from_arg(None)
    grid = week_grid.WeekGrid(user, start)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        saved, error = attempt(grid.save, request.form)
        if saved is not None:
            flash(f"Week saved: {saved} change{'s' if saved != 1 else ''}.", "success")
            return redirect(url_for("capture.week", start=start.isoformat()))
        refused = _answered_here(error, ValidationFailed, Conflict)
        grid = week_grid.WeekGrid(user, start)  # as stored now: the attempt was undone
        grid.keep_typed(request.form, refused)
        status = 409 if isinstance(refused, Conflict) else 422
    elif request.method == "POST":
        status = 422
    return render_template(
        "capture/week.html",
        form=form,
        grid=grid,
        submission_token=request.form.get("submission_token") or secrets.token_urlsafe(24),
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
    abandon()  # a preview saves nothing
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
        file_hash, rows, outcomes = importer.load_signed(
            request.form.get("payload", ""), user, current_app.secret_key or ""
        )
        result, error = attempt(importer.commit_rows, user, file_hash, rows, outcomes)
    except importer.ImportFileError as exc:
        return _import_page(form, 422, error=str(exc))
    except IntegrityError:
        return _import_page(
            form,
            409,
            error="This file is being imported at this moment (perhaps in another "
            "tab). Check My activities before trying again.",
        )
    if result is None:
        refused = _answered_here(error, ValidationFailed)
        problems = [
            f"{where.capitalize()}: {' '.join(messages)}" for where, messages in refused.fields.items()
        ]
        return _import_page(form, 422, error=refused.message, problems=problems)
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
