"""Team dashboard index: one team's live records over a period, read from the index alone.

Replaces ix_activities_team_id_activity_on (its leading columns). The extra key columns make the
dashboard's GROUP BY queries index-only on SQLite and PostgreSQL; PostgreSQL also carries the
mechanism and id (INCLUDE) for the mechanism filter and the recipient join.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 01:50:00

"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = [
    "team_id",
    "activity_on",
    "deleted_at",
    "activity_type_id",
    "clinician_id",
    "duration_minutes",
    "people_reached",
]


def upgrade():
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_team_dashboard",
            COLUMNS,
            unique=False,
            postgresql_include=["consultation_mechanism_code", "id"],
        )
        batch_op.drop_index("ix_activities_team_id_activity_on")


def downgrade():
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index("ix_activities_team_id_activity_on", ["team_id", "activity_on"], unique=False)
        batch_op.drop_index("ix_activities_team_dashboard")
