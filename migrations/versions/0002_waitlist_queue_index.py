"""registration: an index for counting a waitlisted registration's place in line

Revision ID: 0002_waitlist_queue_index
Revises: 0001_initial
"""
from alembic import op

revision = "0002_waitlist_queue_index"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index("ix_registration_waitlist_queue",
                              ["event_id", "status", "attendance_mode", "waitlist_rank"], unique=False)


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_waitlist_queue")
