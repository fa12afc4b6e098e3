"""Read-only roll-ups of feedback: one activity's summary (for its clinician and their leads)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select

from indirect_work.extensions import db
from indirect_work.impact.models import FeedbackAnswer, FeedbackLink, FeedbackResponse


@dataclass(frozen=True)
class ItemSummary:
    """One question as it was asked: how many answered, the mean, and the count at each point."""

    code: str
    wording: str
    labels: tuple[str, ...]
    answers: int
    mean: float | None
    distribution: tuple[int, ...]


@dataclass(frozen=True)
class ActivityFeedback:
    responses: int
    items: tuple[ItemSummary, ...]
    free_texts: tuple[str, ...]


def summarise(answers: list[FeedbackAnswer]) -> tuple[ItemSummary, ...]:
    """Items keyed by code and wording as asked (an edited question is a separate item)."""
    grouped: dict[tuple[str, str, str], list[int]] = {}
    order: dict[tuple[str, str, str], int] = {}
    for answer in answers:
        key = (answer.question_code, answer.wording, answer.scale_labels)
        grouped.setdefault(key, []).append(answer.value)
        order.setdefault(key, answer.sort_order)
    items = []
    for key in sorted(grouped, key=lambda k: (order[k], k)):
        values = grouped[key]
        labels = tuple(key[2].split("|"))
        counts = Counter(values)
        items.append(
            ItemSummary(
                code=key[0],
                wording=key[1],
                labels=labels,
                answers=len(values),
                mean=round(sum(values) / len(values), 2) if values else None,
                distribution=tuple(counts.get(point, 0) for point in range(1, len(labels) + 1)),
            )
        )
    return tuple(items)


def activity_feedback(activity_id: int, stage: str = "first") -> ActivityFeedback:
    """The responses to an activity's links of one stage, with the free text (never for commissioners)."""
    responses = db.session.scalars(
        select(FeedbackResponse)
        .where(FeedbackResponse.activity_id == activity_id, FeedbackResponse.stage == stage)
        .order_by(FeedbackResponse.submitted_at)
    ).all()
    answers = [answer for response in responses for answer in response.answers]
    texts = tuple(r.free_text for r in responses if r.free_text)
    return ActivityFeedback(len(responses), summarise(answers), texts)


def links_of(activity_id: int) -> list[FeedbackLink]:
    return list(
        db.session.scalars(
            select(FeedbackLink)
            .where(FeedbackLink.activity_id == activity_id)
            .order_by(FeedbackLink.created_at)
        )
    )


def response_counts(activity_id: int) -> dict[int, int]:
    """Responses per link of the activity."""
    rows = db.session.execute(
        select(FeedbackResponse.link_id, FeedbackResponse.id).where(
            FeedbackResponse.activity_id == activity_id
        )
    ).all()
    return dict(Counter(link_id for link_id, _ in rows))
