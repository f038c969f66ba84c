"""Events: hosts' current title and profile in the event's other language

Revision ID: 0006_host_translation
Revises: 0005_registrant_message
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_host_translation'
down_revision = '0005_registrant_message'
branch_labels = None
depends_on = None


def upgrade():
    # Existing hosts have no translation: empty, as new ones default to, so every visitor keeps
    # reading the original until an operator adds one.
    with op.batch_alter_table('host', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_title_translation', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('profile_translation', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('host', schema=None) as batch_op:
        batch_op.drop_column('profile_translation')
        batch_op.drop_column('current_title_translation')
