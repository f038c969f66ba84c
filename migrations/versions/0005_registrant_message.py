"""Registration: messages operators send to an event's registrants

Revision ID: 0005_registrant_message
Revises: 0004_webinar_has_no_venue
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_registrant_message'
down_revision = '0004_webinar_has_no_venue'
branch_labels = None
depends_on = None


def upgrade():
    # A new table only: the mails themselves are outbox rows whose payload names the message.
    op.create_table('registrant_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_by_label', sa.String(length=254), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('subject_en', sa.String(length=200), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False),
    sa.Column('recipient_count', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.CheckConstraint("(subject_en = '') = (body_en = '')", name=op.f('ck_registrant_message_english_text_complete')),
    sa.CheckConstraint('length(subject) > 0 AND length(body) > 0', name=op.f('ck_registrant_message_has_text')),
    sa.CheckConstraint('recipient_count > 0', name=op.f('ck_registrant_message_has_recipients')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_registrant_message_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['staff_user.id'], name=op.f('fk_registrant_message_sent_by_id_staff_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrant_message')),
    sa.UniqueConstraint('event_id', 'idempotency_key', name='uq_registrant_message_idempotency')
    )


def downgrade():
    op.drop_table('registrant_message')
