"""Events: an optional check-in window (the door admits from this many minutes before the start)

`event.checkin_opens_minutes` is NULL for no limit, the default: outside systems create events
ahead and check tickets in at once, and a window nobody asked for would refuse them.

Revision ID: 0010_checkin_window
Revises: 0009_conflict_reviews
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_checkin_window'
down_revision = '0009_conflict_reviews'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event') as batch:
        batch.add_column(sa.Column('checkin_opens_minutes', sa.Integer(), nullable=True))
        batch.create_check_constraint(
            'checkin_opens_within_a_week',
            'checkin_opens_minutes IS NULL OR (checkin_opens_minutes >= 0 AND checkin_opens_minutes <= 10080)')


def downgrade():
    with op.batch_alter_table('event') as batch:
        batch.drop_constraint(op.f('ck_event_checkin_opens_within_a_week'), type_='check')
        batch.drop_column('checkin_opens_minutes')
