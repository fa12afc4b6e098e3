"""Impact: question sets, feedback links and anonymous responses (answers keep the wording asked).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 23:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outcome_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_options")),
        sa.UniqueConstraint("code", name=op.f("uq_outcome_options_code")),
    )
    op.create_table(
        "activity_outcomes",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("outcome_option_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_outcomes_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outcome_option_id"],
            ["outcome_options.id"],
            name=op.f("fk_activity_outcomes_outcome_option_id_outcome_options"),
        ),
        sa.PrimaryKeyConstraint("activity_id", "outcome_option_id", name=op.f("pk_activity_outcomes")),
    )
    op.create_table(
        "question_sets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("follow_up_days", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "follow_up_days IS NULL OR follow_up_days BETWEEN 1 AND 365",
            name=op.f("ck_question_sets_follow_up_days_range"),
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["activity_categories.id"],
            name=op.f("fk_question_sets_category_id_activity_categories"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_sets")),
        sa.UniqueConstraint("category_id", name=op.f("uq_question_sets_category_id")),
    )
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_set_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("wording", sa.String(length=200), nullable=False),
        sa.Column("scale", sa.String(length=20), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.CheckConstraint("stage IN ('first', 'follow_up')", name=op.f("ck_questions_stage_known")),
        sa.ForeignKeyConstraint(
            ["question_set_id"],
            ["question_sets.id"],
            name=op.f("fk_questions_question_set_id_question_sets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
        sa.UniqueConstraint("question_set_id", "code", name=op.f("uq_questions_question_set_id_code")),
    )
    op.create_table(
        "feedback_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("question_set_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("stage IN ('first', 'follow_up')", name=op.f("ck_feedback_links_stage_known")),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_feedback_links_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_id"], ["users.id"], name=op.f("fk_feedback_links_closed_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_feedback_links_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["question_set_id"],
            ["question_sets.id"],
            name=op.f("fk_feedback_links_question_set_id_question_sets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_links")),
        sa.UniqueConstraint("token", name=op.f("uq_feedback_links_token")),
    )
    with op.batch_alter_table("feedback_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_links_activity_id"), ["activity_id"], unique=False)

    op.create_table(
        "feedback_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("browser_hash", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("free_text", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_feedback_responses_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["feedback_links.id"],
            name=op.f("fk_feedback_responses_link_id_feedback_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_responses")),
        sa.UniqueConstraint(
            "link_id", "browser_hash", name=op.f("uq_feedback_responses_link_id_browser_hash")
        ),
    )
    with op.batch_alter_table("feedback_responses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_feedback_responses_activity_id_submitted_at", ["activity_id", "submitted_at"], unique=False
        )

    op.create_table(
        "feedback_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("question_code", sa.String(length=40), nullable=False),
        sa.Column("wording", sa.String(length=200), nullable=False),
        sa.Column("scale", sa.String(length=20), nullable=False),
        sa.Column("scale_labels", sa.String(length=400), nullable=False),
        sa.Column("scale_points", sa.Integer(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "value BETWEEN 1 AND scale_points", name=op.f("ck_feedback_answers_value_on_scale")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            name=op.f("fk_feedback_answers_question_id_questions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["feedback_responses.id"],
            name=op.f("fk_feedback_answers_response_id_feedback_responses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feedback_answers")),
    )
    with op.batch_alter_table("feedback_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_feedback_answers_response_id"), ["response_id"], unique=False)


def downgrade():
    with op.batch_alter_table("feedback_answers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_answers_response_id"))

    op.drop_table("feedback_answers")
    with op.batch_alter_table("feedback_responses", schema=None) as batch_op:
        batch_op.drop_index("ix_feedback_responses_activity_id_submitted_at")

    op.drop_table("feedback_responses")
    with op.batch_alter_table("feedback_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_links_activity_id"))

    op.drop_table("feedback_links")
    op.drop_table("questions")
    op.drop_table("question_sets")
    op.drop_table("activity_outcomes")
    op.drop_table("outcome_options")
