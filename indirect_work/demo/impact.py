"""Demo feedback and outcomes: links on about a quarter of recent group work, realistic answers, outcomes.

Deterministic (the seed's random generator), written once with the rest of the demo year, so the
team dashboards and the commissioner workbook show impact on first run.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select

from indirect_work.capture.models import Activity, activity_outcomes
from indirect_work.core.dates import add_months, month_start
from indirect_work.extensions import db
from indirect_work.impact.models import FeedbackLink, FeedbackResponse, QuestionSet
from indirect_work.impact.services import answer_to, browser_hash, new_token, question_set_for
from indirect_work.org.models import Organisation
from indirect_work.taxonomy.models import ActivityCategory, ActivityType, OutcomeOption

CATEGORIES = ("CONSULTATION", "TRAINING", "SUPERVISION", "REFLECTIVE", "FORMULATION", "LIAISON")
COMMENTS = (
    "Ask about what happened before the incident rather than only what happened.",
    "Use the formulation diagram in our next ward round.",
    "Slow down and check the person's understanding before agreeing a plan.",
    "Try the grounding exercise at handover when things feel tense.",
    "Share the safety plan with the whole team, not only the named nurse.",
    "Think about what the behaviour is communicating before responding.",
    "Book a follow-up consultation before making the referral.",
)
OUTCOMES_BY_CATEGORY = {
    "CONSULTATION": ("CARE_PLAN_CHANGED", "REFERRAL_AVOIDED", "RISK_MANAGEMENT_CHANGED", "NOT_YET_KNOWN"),
    "FORMULATION": ("CARE_PLAN_CHANGED", "RISK_MANAGEMENT_CHANGED", "STAFF_SKILLS"),
    "TRAINING": ("STAFF_SKILLS", "SERVICE_CHANGE", "NOT_YET_KNOWN"),
    "SUPERVISION": ("STAFF_SKILLS", "CARE_PLAN_CHANGED"),
    "REFLECTIVE": ("STAFF_SKILLS", "NOT_YET_KNOWN"),
    "LIAISON": ("REFERRAL_AVOIDED", "CARE_PLAN_CHANGED", "SERVICE_CHANGE"),
}


def seed_impact(rng: random.Random, organisation: Organisation, today: date) -> int:
    """Links, responses and outcomes on the last four months' group work; returns the responses added."""
    start = add_months(month_start(today), -3)
    rows = db.session.execute(
        select(Activity, ActivityCategory)
        .join(ActivityType, ActivityType.id == Activity.activity_type_id)
        .join(ActivityCategory, ActivityCategory.id == ActivityType.category_id)
        .where(
            Activity.organisation_id == organisation.id,
            Activity.activity_on >= start,
            Activity.deleted_at.is_(None),
            ActivityType.is_patient_specific.is_(False),
            ActivityCategory.code.in_(CATEGORIES),
        )
        .order_by(Activity.id)
    ).all()
    options = {o.code: o.id for o in db.session.scalars(select(OutcomeOption))}
    sets: dict[int, QuestionSet] = {}
    added = 0
    outcome_rows = []
    for activity, category in rows:
        if rng.random() < 0.4:
            outcome_rows += [
                {"activity_id": activity.id, "outcome_option_id": options[code]}
                for code in rng.sample(OUTCOMES_BY_CATEGORY[category.code], k=1 + (rng.random() < 0.3))
            ]
        if rng.random() > 0.25:
            continue
        question_set = sets.get(category.id) or sets.setdefault(category.id, question_set_for(category))
        added += _feedback(rng, activity, question_set, today)
    if outcome_rows:
        db.session.execute(insert(activity_outcomes), outcome_rows)
    db.session.flush()
    return added


def _feedback(rng: random.Random, activity: Activity, question_set: QuestionSet, today: date) -> int:
    opened = datetime.combine(activity.activity_on, time(17, 0), tzinfo=UTC)
    link = FeedbackLink(
        token=new_token(),
        activity_id=activity.id,
        question_set_id=question_set.id,
        created_by_id=activity.clinician_id,
        created_at=opened,
        expires_at=opened + timedelta(days=30),
    )
    if activity.activity_on < today - timedelta(days=14):  # older links were closed after two weeks
        link.closed_at, link.closed_by_id = opened + timedelta(days=14), activity.clinician_id
    db.session.add(link)
    db.session.flush()
    questions = question_set.active_questions("first")
    count = rng.randint(1, max(1, min(activity.people_reached, 8)))
    for number in range(count):
        response = FeedbackResponse(
            link_id=link.id,
            activity_id=activity.id,
            browser_hash=browser_hash(link, f"demo-{number}"),
            submitted_at=opened + timedelta(hours=rng.randint(1, 96)),
            free_text=rng.choice(COMMENTS) if rng.random() < 0.3 else None,
        )
        for question in questions:
            value = rng.choices((1, 2, 3, 4, 5), weights=(1, 2, 6, 12, 9))[0]
            response.answers.append(answer_to(question, value))
        db.session.add(response)
    return count
