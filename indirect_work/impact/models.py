"""Impact: question sets, feedback links, and the anonymous responses of the people who received the work.

A response keeps the wording and the scale of every question as they were when it was answered, so
editing or retiring a question never changes what past respondents were asked.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from indirect_work.capture.models import Activity
from indirect_work.core.db import UTCDateTime, utcnow
from indirect_work.extensions import Model
from indirect_work.taxonomy.models import ActivityCategory

STAGES = ("first", "follow_up")


class QuestionSet(Model):
    """The questions people are asked about one category of work (one set per category)."""

    __tablename__ = "question_sets"
    __table_args__ = (
        CheckConstraint(
            "follow_up_days IS NULL OR follow_up_days BETWEEN 1 AND 365", name="follow_up_days_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("activity_categories.id"), unique=True)
    #: Days after the work when a follow-up link ("did anything change?") is offered; None: no follow-up.
    follow_up_days: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[ActivityCategory] = relationship()
    questions: Mapped[list[Question]] = relationship(
        back_populates="question_set", order_by="Question.sort_order"
    )

    def active_questions(self, stage: str) -> list[Question]:
        return [q for q in self.questions if q.is_active and q.stage == stage]


class Question(Model):
    """One item on a fixed response scale (``impact.scales``)."""

    __tablename__ = "questions"
    __table_args__ = (
        CheckConstraint("stage IN ('first', 'follow_up')", name="stage_known"),
        UniqueConstraint("question_set_id", "code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_set_id: Mapped[int] = mapped_column(ForeignKey("question_sets.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(10), default="first")
    code: Mapped[str] = mapped_column(String(40))
    wording: Mapped[str] = mapped_column(String(200))
    scale: Mapped[str] = mapped_column(String(20))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    question_set: Mapped[QuestionSet] = relationship(back_populates="questions")


class FeedbackLink(Model):
    """A link (and QR code) a clinician shares with the people who received one activity."""

    __tablename__ = "feedback_links"
    __table_args__ = (CheckConstraint("stage IN ('first', 'follow_up')", name="stage_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 256 random bits, URL-safe; the only thing a respondent needs.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"), index=True)
    question_set_id: Mapped[int] = mapped_column(ForeignKey("question_sets.id"))
    stage: Mapped[str] = mapped_column(String(10), default="first")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    activity: Mapped[Activity] = relationship()
    question_set: Mapped[QuestionSet] = relationship()

    def refusal(self, now: datetime) -> str | None:
        """Why the link takes no response now ("closed", "expired"), or None when it is open."""
        if self.closed_at is not None:
            return "closed"
        if now >= self.expires_at or self.activity.deleted_at is not None:
            return "expired"
        return None


class FeedbackResponse(Model):
    """One anonymous response: no account, no address; only a per-link hash of the browser's nonce."""

    __tablename__ = "feedback_responses"
    __table_args__ = (
        UniqueConstraint("link_id", "browser_hash"),
        Index("ix_feedback_responses_activity_id_submitted_at", "activity_id", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("feedback_links.id", ondelete="CASCADE"))
    activity_id: Mapped[int] = mapped_column(ForeignKey("activities.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(10), default="first")
    #: SHA-256 of the link id and the browser's nonce cookie: one response per browser per link.
    browser_hash: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: "What will you do differently?": shown to the clinician and their leads only.
    free_text: Mapped[str | None] = mapped_column(String(1000))

    answers: Mapped[list[FeedbackAnswer]] = relationship(
        back_populates="response", order_by="FeedbackAnswer.sort_order"
    )


class FeedbackAnswer(Model):
    """One answer, with the question's wording and scale copied as they were when it was answered."""

    __tablename__ = "feedback_answers"
    __table_args__ = (CheckConstraint("value BETWEEN 1 AND scale_points", name="value_on_scale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id", ondelete="SET NULL"))
    question_code: Mapped[str] = mapped_column(String(40))
    wording: Mapped[str] = mapped_column(String(200))
    scale: Mapped[str] = mapped_column(String(20))
    #: The scale's labels, lowest first, separated by "|", as shown to the respondent.
    scale_labels: Mapped[str] = mapped_column(String(400))
    scale_points: Mapped[int] = mapped_column(Integer)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[int] = mapped_column(Integer)

    response: Mapped[FeedbackResponse] = relationship(back_populates="answers")
