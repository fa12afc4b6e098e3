"""Taxonomy pages: categories and activity types, their order, retirement and deletion."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for

from indirect_work.admin.forms import ActionForm, ActivityTypeForm, CategoryForm, optional_int
from indirect_work.admin.services import taxonomy as svc
from indirect_work.admin.views.common import bp, form_page, save_form
from indirect_work.core.errors import Conflict
from indirect_work.core.transactions import abandon
from indirect_work.extensions import db
from indirect_work.taxonomy.models import ActivityCategory, ActivityType

OPERATIONS = "any(retire, reinstate, delete, up, down)"


@bp.get("/taxonomy")
def taxonomy() -> Any:
    """Every category and type, active and retired, with what can be done to each."""
    return render_template(
        "admin/taxonomy.html",
        categories=svc.list_categories(),
        used=svc.used_type_ids(),
        action_form=ActionForm(),
    )


@bp.route("/taxonomy/categories/new", methods=["GET", "POST"])
def category_new() -> Any:
    """Add a category."""
    return _category_form(None)


@bp.route("/taxonomy/categories/<int:category_id>/edit", methods=["GET", "POST"])
def category_edit(category_id: int) -> Any:
    """Change a category's code (while unused), label and description."""
    return _category_form(db.get_or_404(ActivityCategory, category_id))


def _category_form(category: ActivityCategory | None) -> Any:
    form = CategoryForm(obj=category)
    return save_form(
        form,
        category,
        svc.create_category,
        svc.update_category,
        lambda c: f"Category {c.label} saved.",
        lambda c: url_for("admin.taxonomy", _anchor=f"category-{c.id}"),
    ) or form_page(
        "admin/category_form.html",
        form,
        category=category,
        locked=category is not None and svc.category_in_use(category),
    )


@bp.post(f"/taxonomy/categories/<int:category_id>/<{OPERATIONS}:operation>")
def category_change(category_id: int, operation: str) -> Any:
    """Retire, reinstate, delete (when empty) or move a category."""
    return _change(db.get_or_404(ActivityCategory, category_id), operation, svc.delete_category)


@bp.route("/taxonomy/types/new", methods=["GET", "POST"])
def type_new() -> Any:
    """Add an activity type; it appears in the log form at once."""
    return _type_form(None)


@bp.route("/taxonomy/types/<int:type_id>/edit", methods=["GET", "POST"])
def type_edit(type_id: int) -> Any:
    """Change an activity type; its code only while no activity uses it."""
    return _type_form(db.get_or_404(ActivityType, type_id))


def _type_form(activity_type: ActivityType | None) -> Any:
    form = ActivityTypeForm(obj=activity_type)
    form.category_id.choices = [("", "Choose a category")] + [
        (c.id, c.label + ("" if c.is_active else " (retired)")) for c in svc.list_categories()
    ]
    if activity_type is None and request.method == "GET":
        form.category_id.data = optional_int(request.args.get("category_id"))
        form.mhsds_target.data = "LOCAL"
    return save_form(
        form,
        activity_type,
        svc.create_type,
        svc.update_type,
        lambda t: f"Activity type {t.label} saved.",
        lambda t: url_for("admin.taxonomy", _anchor=f"type-{t.id}"),
    ) or form_page(
        "admin/type_form.html",
        form,
        activity_type=activity_type,
        locked=activity_type is not None and svc.type_in_use(activity_type),
    )


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
            abandon()  # answered with a redirect: nothing of the refused delete is kept
            flash(exc.message, "warning")
            return redirect(url_for("admin.taxonomy", _anchor=_anchor(obj)))
    else:
        svc.set_active(obj, operation == "reinstate")
    if operation not in ("up", "down"):
        flash(f"{label} {operation}d.", "success")
    return redirect(url_for("admin.taxonomy", _anchor=None if operation == "delete" else _anchor(obj)))


def _anchor(obj: ActivityType | ActivityCategory) -> str:
    return f"{'type' if isinstance(obj, ActivityType) else 'category'}-{obj.id}"
