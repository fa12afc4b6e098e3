"""The public feedback form (built from the link's questions) and the clinician's buttons."""

from __future__ import annotations

from typing import Any

from wtforms import RadioField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3 API, not in types-WTForms 3.2
from wtforms.widgets import CheckboxInput, ListWidget

from indirect_work.core.inputs import CheckedForm
from indirect_work.impact.models import Question
from indirect_work.impact.questions import SCALES


class ConfirmForm(CheckedForm):
    """A button that changes state: only the CSRF token."""


class OutcomesForm(CheckedForm):
    """What changed because of the work (choices: the active outcome options)."""

    outcomes = SelectMultipleField(
        "What changed?",
        choices=[],
        validate_choice=False,
        coerce=str,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class FeedbackForm(CheckedForm):
    """Base of the respondent's form; one radio group per question is added by :func:`feedback_form`."""

    free_text = TextAreaField("What will you do differently? (optional)")

    def answers(self) -> dict[str, int | None]:
        return {name[2:]: field.data for name, field in self._fields.items() if name.startswith("q_")}

    def show_errors(self, fields: dict[str, list[str]]) -> None:
        for name, messages in fields.items():
            if name in self._fields:
                self._fields[name].errors = list(messages)
            else:
                self.form_errors.extend(messages)


def feedback_form(questions: list[Question], **kwargs: Any) -> FeedbackForm:
    """A form class with the link's questions, each on its fixed scale (checked by the service)."""

    class LinkFeedbackForm(FeedbackForm):
        pass

    for question in questions:
        scale = SCALES[question.scale]
        field = RadioField(
            question.wording,
            choices=[SelectChoice(index, label) for index, label in enumerate(scale.labels, start=1)],
            coerce=_int_or_none,
            validate_choice=False,
        )
        setattr(LinkFeedbackForm, f"q_{question.code}", field)
    return LinkFeedbackForm(**kwargs)
