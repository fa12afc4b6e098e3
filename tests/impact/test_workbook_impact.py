"""The commissioner workbook's Impact sheet: figures once the thresholds are met, `*` before, no comments."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
from sqlalchemy import select

from indirect_work.capture.outcomes import set_outcomes
from indirect_work.impact.models import FeedbackAnswer
from indirect_work.impact.services import create_link
from indirect_work.reports.commissioning import collect_monthly_report
from indirect_work.reports.disclosure import DisclosurePolicy, disclose
from indirect_work.reports.workbook import SUPPRESSED, build_workbook
from tests.impact.test_feedback import _answer

MONTH = date(2026, 3, 1)


def _impact_rows(org, threshold=3, rounding=1):
    report = collect_monthly_report(org, MONTH, generated_at=datetime(2026, 4, 2, tzinfo=UTC))
    buffer = io.BytesIO()
    build_workbook(report, buffer, disclosure=disclose(report, DisclosurePolicy(threshold, rounding)))
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["Impact"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _row(rows, first, second=None):
    return next(r for r in rows if r[0] == first and (second is None or r[1] == second))


def _training(app, make, db, team, answers, *, outcome=True):
    clinician = make.clinician(team)
    activity = make.activity(
        clinician, team, type_code="TRAIN_STAFF", people_reached=10, activity_on=date(2026, 3, 10)
    )
    link = create_link(actor=clinician, activity=activity)
    if outcome:
        set_outcomes(actor=clinician, activity=activity, values=["STAFF_SKILLS"])
    db.session.commit()
    for values in answers:
        _answer(app, link.token, values, free_text="A private comment for the clinician")


def test_impact_sheet_hides_cells_until_clinicians_and_responses_reach_the_threshold(app, make, db):
    org = make.organisation()
    team = make.team(org)
    _training(app, make, db, team, [[5, 4, 4, 5], [4, 4, 3, 5], [3, 5, 4, 4]])
    rows = _impact_rows(org)
    training = _row(rows, "Teaching and training delivered")
    assert training[1:] == [SUPPRESSED] * 4  # three responses, but one clinician
    assert (
        _row(rows, "Teaching and training delivered", "The session was relevant to my work.")[2:4]
        == [SUPPRESSED] * 2
    )
    assert _row(rows, "Staff skills or confidence developed")[1] == SUPPRESSED

    _training(app, make, db, team, [[4, 4, 4, 4]])
    _training(app, make, db, team, [[2, 3, 3, 4], [5, 5, 5, 5]])
    rows = _impact_rows(org)
    assert _row(rows, "Teaching and training delivered")[1:] == [3, 30, 6, 0.2]
    answers = db.session.scalars(
        select(FeedbackAnswer).where(FeedbackAnswer.question_code == "relevant")
    ).all()
    expected = round(sum(a.value for a in answers) / len(answers), 1)
    assert _row(rows, "Teaching and training delivered", "The session was relevant to my work.")[2:4] == [
        6,
        expected,
    ]
    assert _row(rows, "Staff skills or confidence developed")[1] == 3
    assert not any("private comment" in str(cell) for row in rows for cell in row)


def test_impact_sheet_rounds_counts_like_every_figure(app, make, db):
    org = make.organisation()
    team = make.team(org)
    for answers in ([[5, 4, 4, 5], [4, 4, 3, 5]], [[4, 4, 4, 4]], [[2, 3, 3, 4], [5, 5, 5, 5]]):
        _training(app, make, db, team, answers, outcome=False)
    rows = _impact_rows(org, rounding=5)
    links, people, responses, _ = _row(rows, "Teaching and training delivered")[1:]
    assert (links, people, responses) == (5, 30, 5)


def test_an_item_with_too_few_answers_is_hidden_even_when_enough_clinicians_stand_behind_the_category(
    app, make, db
):
    from indirect_work.impact.models import Question, QuestionSet

    org = make.organisation()
    team = make.team(org)
    for answers in ([[5, 4, 4, 5]], [[4, 4, 4, 4]], [[2, 3, 3, 4]]):
        _training(app, make, db, team, answers, outcome=False)
    question_set = db.session.scalars(select(QuestionSet)).all()
    [training_set] = [q for q in question_set if q.category.code == "TRAINING"]
    training_set.questions.append(
        Question(code="pitch", wording="The session was pitched right.", scale="agree5", sort_order=99)
    )
    db.session.commit()
    _training(app, make, db, team, [[5, 5, 5, 5, 5]], outcome=False)
    rows = _impact_rows(org)
    assert _row(rows, "Teaching and training delivered", "The session was relevant to my work.")[2] == 4
    assert (
        _row(rows, "Teaching and training delivered", "The session was pitched right.")[2:4]
        == [SUPPRESSED] * 2
    )
