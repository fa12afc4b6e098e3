"""Shared work: co-deliverers of a session and several service requests on one record.

Existing records keep their clinician, team and duration (the creator's part) unchanged; each
record's single service request identifier is copied into the new table at position 0 and stays
in ``activities.service_request_id`` too.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 23:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "activity_deliverers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("clinician_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "minutes BETWEEN 1 AND 1440", name=op.f("ck_activity_deliverers_deliverer_minutes_range")
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_deliverers_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["users.id"], name=op.f("fk_activity_deliverers_added_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["clinician_id"], ["users.id"], name=op.f("fk_activity_deliverers_clinician_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_deliverers")),
        sa.UniqueConstraint(
            "activity_id", "clinician_id", name=op.f("uq_activity_deliverers_activity_id_clinician_id")
        ),
    )
    with op.batch_alter_table("activity_deliverers", schema=None) as batch_op:
        batch_op.create_index("ix_activity_deliverers_clinician_id", ["clinician_id"], unique=False)
    op.create_table(
        "activity_service_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("service_request_id", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_activity_service_requests_activity_id_activities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_service_requests")),
        sa.UniqueConstraint(
            "activity_id", "position", name=op.f("uq_activity_service_requests_activity_id_position")
        ),
        sa.UniqueConstraint(
            "activity_id",
            "service_request_id",
            name=op.f("uq_activity_service_requests_activity_id_service_request_id"),
        ),
    )
    op.execute(
        "INSERT INTO activity_service_requests (activity_id, position, service_request_id) "
        "SELECT id, 0, service_request_id FROM activities WHERE service_request_id IS NOT NULL"
    )


def downgrade():
    op.drop_table("activity_service_requests")
    with op.batch_alter_table("activity_deliverers", schema=None) as batch_op:
        batch_op.drop_index("ix_activity_deliverers_clinician_id")
    op.drop_table("activity_deliverers")
