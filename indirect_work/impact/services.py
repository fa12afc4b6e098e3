"""The writes of impact: question sets from their defaults, feedback links, anonymous responses.

Plain functions: they check, write, audit and flush; the request's commit point commits. A refused
response raises ``ValidationFailed`` with the field names, and nothing of it is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from indirect_work.audit.services import record_event
from indirect_work.auth.throttle import note_failure, recent_failures
from indirect_work.capture.models import Activity
from indirect_work.capture.rules import find_nhs_numbers
from indirect_work.core.db import utcnow
from indirect_work.core.errors import DomainError, PermissionDenied, ValidationFailed
from indirect_work.core.permissions import Principal, can_manage_feedback
from indirect_work.extensions import db
from indirect_work.impact.models import FeedbackAnswer, FeedbackLink, FeedbackResponse, Question, QuestionSet
from indirect_work.impact.questions import SCALES, default_items
from indirect_work.taxonomy.models import ActivityCategory

MAX_FREE_TEXT = 1000
FREE_TEXT_NHS_MESSAGE = (
    "This seems to contain an NHS number ({masked}). Please do not include anything that could identify "
    "a patient: remove it and send again"
)
LINK_REFUSALS = {
    "closed": "This feedback link has been closed by the person who shared it, so it takes no more answers.",
    "expired": "This feedback link has expired, so it takes no more answers.",
}


class LinkRefused(DomainError):
    """A response to a closed or expired link, or a second one from the same browser."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def question_set_if_any(category_id: int) -> QuestionSet | None:
    """The category's stored question set (None while it uses the defaults); never writes."""
    return db.session.scalar(select(QuestionSet).where(QuestionSet.category_id == category_id))


def question_set_for(category: ActivityCategory) -> QuestionSet:
    """The category's question set, created from the defaults the first time it is needed."""
    existing = db.session.scalar(select(QuestionSet).where(QuestionSet.category_id == category.id))
    if existing is not None:
        return existing
    first, follow_up, days = default_items(category.code)
    question_set = QuestionSet(category_id=category.id, follow_up_days=days)
    order = 0
    for stage, items in (("first", first), ("follow_up", follow_up)):
        for code, wording, scale in items:
            order += 1
            question_set.questions.append(
                Question(stage=stage, code=code, wording=wording, scale=scale, sort_order=order)
            )
    db.session.add(question_set)
    db.session.flush()
    return question_set


def new_token() -> str:
    """256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def create_link(*, actor: Principal, activity: Activity, stage: str = "first") -> FeedbackLink:
    """A new feedback link for the activity, open for ``IW_FEEDBACK_EXPIRY_DAYS`` days."""
    if not can_manage_feedback(actor, activity):
        raise PermissionDenied("Only the clinician who logged the work can ask for feedback on it")
    question_set = question_set_for(activity.activity_type.category)
    if stage == "follow_up" and not question_set.active_questions("follow_up"):
        raise ValidationFailed({"stage": ["This kind of work has no follow-up questions"]})
    days = int(current_app.config["IW_FEEDBACK_EXPIRY_DAYS"])
    link = FeedbackLink(
        token=new_token(),
        activity_id=activity.id,
        question_set_id=question_set.id,
        stage=stage,
        created_by_id=actor.id,
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(link)
    db.session.flush()
    record_event(
        "impact.link_created",
        actor=actor,
        object_type="feedback_link",
        object_id=link.id,
        details={"activity_id": activity.id, "stage": stage, "expires_at": link.expires_at.isoformat()},
    )
    return link


def close_link(*, actor: Principal, link: FeedbackLink) -> FeedbackLink:
    """Stop the link taking answers (closing a closed link changes nothing)."""
    if not can_manage_feedback(actor, link.activity):
        raise PermissionDenied("Only the clinician who logged the work can close its feedback link")
    if link.closed_at is None:
        link.closed_at = utcnow()
        link.closed_by_id = actor.id
        db.session.flush()
        record_event(
            "impact.link_closed",
            actor=actor,
            object_type="feedback_link",
            object_id=link.id,
            details={"activity_id": link.activity_id},
        )
    return link


def browser_hash(link: FeedbackLink, nonce: str) -> str:
    """The per-link fingerprint of a browser's nonce (one browser cannot be followed across links)."""
    return hashlib.sha256(f"{link.id}:{nonce}".encode()).hexdigest()


def has_answered(link: FeedbackLink, nonce: str | None) -> bool:
    if not nonce:
        return False
    found = db.session.scalar(
        select(FeedbackResponse.id).where(
            FeedbackResponse.link_id == link.id, FeedbackResponse.browser_hash == browser_hash(link, nonce)
        )
    )
    return found is not None


def check_link_open(link: FeedbackLink, nonce: str | None) -> None:
    """Raise ``LinkRefused`` when the link is closed or expired, or this browser has answered."""
    reason = link.refusal(utcnow())
    if reason:
        raise LinkRefused(reason, LINK_REFUSALS[reason])
    if has_answered(link, nonce):
        raise LinkRefused("answered", "Thank you: this browser has already answered this feedback form.")


def _checked_answers(questions: list[Question], answers: Mapping[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for question in questions:
        value = answers.get(question.code)
        points = SCALES[question.scale].points
        if value is None or value == "":
            errors[f"q_{question.code}"] = ["Choose an answer to this question"]
        elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= points:
            errors[f"q_{question.code}"] = ["Choose one of the answers shown"]
    return errors


def _checked_free_text(text: str | None) -> list[str]:
    if not text:
        return []
    if len(text) > MAX_FREE_TEXT:
        return [f"Please keep this to {MAX_FREE_TEXT} characters or fewer (it has {len(text)})"]
    if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
        return ["This contains characters that cannot be stored; please retype it as plain text"]
    numbers = find_nhs_numbers(text)
    if numbers:
        digits = "".join(c for c in numbers[0] if c.isdigit())
        return [FREE_TEXT_NHS_MESSAGE.format(masked=f"{digits[:3]}…{digits[-2:]}")]
    return []


def answer_to(question: Question, value: int) -> FeedbackAnswer:
    """An answer that keeps the question's wording and scale as they are now, so later edits leave it be."""
    scale = SCALES[question.scale]
    return FeedbackAnswer(
        question_id=question.id,
        question_code=question.code,
        wording=question.wording,
        scale=scale.code,
        scale_labels="|".join(scale.labels),
        scale_points=scale.points,
        sort_order=question.sort_order,
        value=value,
    )


def record_response(
    *, link: FeedbackLink, nonce: str | None, answers: Mapping[str, Any], free_text: str | None
) -> FeedbackResponse:
    """Store one anonymous response, with each question's wording and scale as asked."""
    check_link_open(link, nonce)
    if not nonce:
        raise ValidationFailed(
            {
                "_form": [
                    "Your browser did not keep this form's cookie. Allow cookies and open the link again."
                ]
            }
        )
    questions = link.question_set.active_questions(link.stage)
    errors = _checked_answers(questions, answers)
    text = (free_text or "").strip() or None
    text_errors = _checked_free_text(text)
    if text_errors:
        errors["free_text"] = text_errors
    if errors:
        raise ValidationFailed(errors)
    response = FeedbackResponse(
        link_id=link.id,
        activity_id=link.activity_id,
        stage=link.stage,
        browser_hash=browser_hash(link, nonce),
        free_text=text,
    )
    response.answers.extend(answer_to(question, int(answers[question.code])) for question in questions)
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:  # the same browser's two posts racing: the second is the duplicate
        raise LinkRefused(
            "answered", "Thank you: this browser has already answered this feedback form."
        ) from None
    event = record_event(
        "impact.response_recorded",
        object_type="feedback_link",
        object_id=link.id,
        details={"activity_id": link.activity_id, "has_free_text": text is not None},
    )
    event.ip_address = None  # the response is anonymous: its audit row does not keep the address
    return response


def _address_key(address: str | None) -> str:
    """The throttle key of an address: keyed with the secret, so the rows do not hold the address."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, (address or "unknown").encode(), hashlib.sha256).hexdigest()[:32]
    return f"feedback-address:{digest}"


def address_is_limited(address: str | None) -> bool:
    """Whether this client address has used up its feedback posts for the throttle's window."""
    return recent_failures(_address_key(address)) >= int(current_app.config["IW_FEEDBACK_MAX_PER_ADDRESS"])


def count_post(address: str | None) -> None:
    """Count one feedback post from this address (the sign-in throttle's shared, per-worker-safe rows)."""
    note_failure(_address_key(address))
