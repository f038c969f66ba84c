"""Events: whether attendees must choose a breakout session

Revision ID: 0003_session_choice_required
Revises: 0002_choices_translation
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_session_choice_required'
down_revision = '0002_choices_translation'
branch_labels = None
depends_on = None


def upgrade():
    # Existing events keep what they had: choosing a session stays optional.
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_choice_required', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('session_choice_required')
