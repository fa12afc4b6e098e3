"""Taxonomy pages: categories and activity types, their order, retirement and deletion."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from indirect_work.admin.forms import ActionForm, ActivityTypeForm, CategoryForm, optional_int, show_errors
from indirect_work.admin.services import taxonomy as svc
from indirect_work.admin.views import bp, form_page
from indirect_work.core.errors import Conflict, ValidationFailed
from indirect_work.extensions import db
from indirect_work.taxonomy.models import ActivityCategory, ActivityType

OPERATIONS = "any(retire, reinstate, delete, up, down)"


@bp.get("/taxonomy")
def taxonomy() -> Any:
    """Every category and type, active and retired, with what can be done to each."""
    return render_template("admin/taxonomy.html", categories=svc.list_categories(),
                           used=svc.used_type_ids(), action_form=ActionForm())


@bp.route("/taxonomy/categories/new", methods=["GET", "POST"])
def category_new() -> Any:
    """Add a category."""
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            category = svc.create_category(form.data)
        except ValidationFailed as exc:
            show_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Category {category.label} added.", "success")
            return redirect(url_for("admin.taxonomy"))
    return form_page("admin/category_form.html", form, category=None)


@bp.route("/taxonomy/categories/<int:category_id>/edit", methods=["GET", "POST"])
def category_edit(category_id: int) -> Any:
    """Change a category's code (while unused), label and description."""
    category = db.get_or_404(ActivityCategory, category_id)
    form = CategoryForm(obj=category)
    if form.validate_on_submit():
        try:
            svc.update_category(category, form.data)
        except ValidationFailed as exc:
            show_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Category {category.label} saved.", "success")
            return redirect(url_for("admin.taxonomy"))
    return form_page("admin/category_form.html", form, category=category,
                     locked=svc.category_in_use(category))


@bp.post(f"/taxonomy/categories/<int:category_id>/<{OPERATIONS}:operation>")
def category_change(category_id: int, operation: str) -> Any:
    """Retire, reinstate, delete (when empty) or move a category."""
    return _change(db.get_or_404(ActivityCategory, category_id), operation, svc.delete_category)


@bp.route("/taxonomy/types/new", methods=["GET", "POST"])
def type_new() -> Any:
    """Add an activity type; it appears in the log form at once."""
    form = ActivityTypeForm()
    _type_choices(form)
    if request.method == "GET":
        form.category_id.data = optional_int(request.args.get("category_id"))
        form.mhsds_target.data = "LOCAL"
    if form.validate_on_submit():
        try:
            activity_type = svc.create_type(form.data)
        except ValidationFailed as exc:
            show_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Activity type {activity_type.label} added.", "success")
            return redirect(url_for("admin.taxonomy", _anchor=f"type-{activity_type.id}"))
    return form_page("admin/type_form.html", form, activity_type=None)


@bp.route("/taxonomy/types/<int:type_id>/edit", methods=["GET", "POST"])
def type_edit(type_id: int) -> Any:
    """Change an activity type; its code only while no activity uses it."""
    activity_type = db.get_or_404(ActivityType, type_id)
    form = ActivityTypeForm(obj=activity_type)
    _type_choices(form)
    if form.validate_on_submit():
        try:
            svc.update_type(activity_type, form.data)
        except ValidationFailed as exc:
            show_errors(form, exc)
        else:
            db.session.commit()
            flash(f"Activity type {activity_type.label} saved.", "success")
            return redirect(url_for("admin.taxonomy", _anchor=f"type-{activity_type.id}"))
    return form_page("admin/type_form.html", form, activity_type=activity_type,
                     locked=svc.type_in_use(activity_type))


@bp.post(f"/taxonomy/types/<int:type_id>/<{OPERATIONS}:operation>")
def type_change(type_id: int, operation: str) -> Any:
    """Retire, reinstate, delete (when unused) or move an activity type."""
    return _change(db.get_or_404(ActivityType, type_id), operation, svc.delete_type)


def _change(obj: ActivityType | ActivityCategory, operation: str, delete: Any) -> Any:
    form = ActionForm()
    if not form.validate_on_submit():
        flash("Your session expired before the change was made. Please try again.", "info")
        return redirect(url_for("admin.taxonomy"))
    label = obj.label
    if operation in ("up", "down"):
        svc.move(obj, operation)
    elif operation == "delete":
        try:
            delete(obj)
        except Conflict as exc:  # refused before anything changed
            flash(exc.message, "warning")
            return redirect(url_for("admin.taxonomy", _anchor=_anchor(obj)))
    else:
        svc.set_active(obj, operation == "reinstate")
    db.session.commit()
    if operation not in ("up", "down"):
        flash(f"{label} {operation}d.", "success")
    return redirect(url_for("admin.taxonomy", _anchor=None if operation == "delete" else _anchor(obj)))


def _anchor(obj: ActivityType | ActivityCategory) -> str:
    return f"{'type' if isinstance(obj, ActivityType) else 'category'}-{obj.id}"


def _type_choices(form: ActivityTypeForm) -> None:
    form.category_id.choices = [("", "Choose a category")] + [
        (c.id, c.label + ("" if c.is_active else " (retired)")) for c in svc.list_categories()
    ]
