"""The feedback questions of each activity category (their defaults until an admin first saves them)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3 API
from wtforms.validators import Optional

from indirect_work.admin.services.questions import update_outcome_options, update_question_set
from indirect_work.admin.views.common import bp, show_refusal
from indirect_work.core.inputs import CheckedForm
from indirect_work.core.transactions import attempt
from indirect_work.extensions import db
from indirect_work.impact.models import QuestionSet
from indirect_work.impact.questions import SCALES, default_items
from indirect_work.impact.services import question_set_for
from indirect_work.taxonomy.models import ActivityCategory, OutcomeOption


class QuestionSetForm(CheckedForm):
    """The set's own fields; one wording, scale and active field per question is added per page."""

    follow_up_days = IntegerField(
        "Days after the work when a follow-up link is offered (empty: no follow-up)", validators=[Optional()]
    )
    new_wording = StringField("Add a question (optional)")
    new_scale = SelectField("Its scale", choices=[], validate_choice=False)
    new_stage = SelectField("Asked on", choices=[], validate_choice=False)


def _scale_choices() -> list[Any]:
    return [SelectChoice(code, " / ".join(scale.labels[::2])) for code, scale in SCALES.items()]


def _form(question_set: QuestionSet | None) -> QuestionSetForm:
    class PageForm(QuestionSetForm):
        pass

    for question in question_set.questions if question_set else []:
        setattr(PageForm, f"wording_{question.id}", StringField(f"Question {question.sort_order}"))
        setattr(
            PageForm,
            f"scale_{question.id}",
            SelectField("Scale", choices=_scale_choices(), validate_choice=False),
        )
        setattr(PageForm, f"active_{question.id}", BooleanField("Asked"))
    form = PageForm()
    form.new_scale.choices = _scale_choices()
    form.new_stage.choices = [
        SelectChoice("first", "The first link"),
        SelectChoice("follow_up", "The follow-up"),
    ]
    return form


@bp.route("/taxonomy/categories/<int:category_id>/questions", methods=["GET", "POST"])
def question_set(category_id: int) -> Any:
    """Edit a category's feedback questions; answers already given keep the wording they were given."""
    category = db.get_or_404(ActivityCategory, category_id)
    stored = db.session.scalar(select(QuestionSet).where(QuestionSet.category_id == category.id))
    if request.method == "POST" and stored is None:
        stored = question_set_for(category)  # the defaults become editable rows on the first save
    form = _form(stored)
    if request.method == "GET" and stored is not None:
        form.follow_up_days.data = stored.follow_up_days
        for question in stored.questions:
            form[f"wording_{question.id}"].data = question.wording
            form[f"scale_{question.id}"].data = question.scale
            form[f"active_{question.id}"].data = question.is_active
    elif request.method == "GET":
        form.follow_up_days.data = default_items(category.code)[2]
    if stored is not None and form.validate_on_submit():
        _, error = attempt(update_question_set, stored, form.data)
        if error is None:
            flash(f"Feedback questions for {category.label} saved.", "success")
            return redirect(url_for("admin.question_set", category_id=category.id))
        show_refusal(form, error)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/question_set.html",
        form=form,
        category=category,
        stored=stored,
        defaults=default_items(category.code),
    ), status


@bp.route("/taxonomy/outcomes", methods=["GET", "POST"])
def outcome_options() -> Any:
    """The "what changed" outcomes clinicians can record: rename, retire or add."""
    options = list(db.session.scalars(select(OutcomeOption).order_by(OutcomeOption.sort_order)))

    class OutcomesForm(CheckedForm):
        new_label = StringField("Add an outcome (optional)")

    for option in options:
        setattr(OutcomesForm, f"label_{option.id}", StringField(f"Outcome {option.code}"))
        setattr(OutcomesForm, f"active_{option.id}", BooleanField("In use"))
    form = OutcomesForm()
    if request.method == "GET":
        for option in options:
            form[f"label_{option.id}"].data = option.label
            form[f"active_{option.id}"].data = option.is_active
    elif form.validate_on_submit():
        _, error = attempt(update_outcome_options, form.data)
        if error is None:
            flash("Outcomes saved.", "success")
            return redirect(url_for("admin.outcome_options"))
        show_refusal(form, error)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/outcome_options.html", form=form, options=options), status
