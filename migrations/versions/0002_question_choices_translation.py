"""Questions: their choices in the event's other language

Revision ID: 0002_choices_translation
Revises: 0001_initial
"""
from alembic import op
import sqlalchemy as sa


revision = '0002_choices_translation'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    # Existing questions have no translated choices: an empty list, as new ones default to.
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choices_translation', sa.JSON(), nullable=False, server_default='[]'))


def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('choices_translation')
