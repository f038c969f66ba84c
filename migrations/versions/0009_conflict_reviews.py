"""Check-in: offline admissions refused at sync, and operators' reviews of conflicts

`check_in.refused_as` keeps the result the server gave an offline admission it could not accept
(the device let the person in; the server says `revoked`, `cancelled`, ...). `check_in_review`
records that an operator looked at a conflict, by whom, when and with what note: the history row
itself stays as it was written.

Revision ID: 0009_conflict_reviews
Revises: 0008_reminder_keys_with_start
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_conflict_reviews'
down_revision = '0008_reminder_keys_with_start'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('check_in') as batch:
        batch.add_column(sa.Column('refused_as', sa.String(length=30), nullable=True))
    op.create_table(
        'check_in_review',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('check_in_id', sa.Integer(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('note', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['check_in_id'], ['check_in.id'], name=op.f('fk_check_in_review_check_in_id_check_in'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], name=op.f('fk_check_in_review_staff_id_staff_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in_review')),
        sa.UniqueConstraint('check_in_id', name=op.f('uq_check_in_review_check_in_id')),
    )


def downgrade():
    op.drop_table('check_in_review')
    with op.batch_alter_table('check_in') as batch:
        batch.drop_column('refused_as')
