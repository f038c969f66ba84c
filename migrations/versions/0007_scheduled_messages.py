"""Registration: messages to registrants scheduled for later, and cancelled ones

Revision ID: 0007_scheduled_messages
Revises: 0006_host_translation
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_scheduled_messages'
down_revision = '0006_host_translation'
branch_labels = None
depends_on = None

_STATUS = sa.Enum('scheduled', 'sending', 'sent', 'cancelled', name='registrant_message_status', native_enum=False,
                  create_constraint=True, length=32)
_REASON = sa.Enum('operator', 'event_cancelled', 'no_recipients', name='registrant_message_cancel_reason',
                  native_enum=False, create_constraint=True, length=32)


def upgrade():
    # Every message so far was sent at once: it becomes `sent` (the server default fills them).
    # Batch mode so SQLite rebuilds the table for the changed CHECK and the nullable sent_at.
    with op.batch_alter_table('registrant_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', _STATUS, nullable=False, server_default='sent'))
        batch_op.add_column(sa.Column('send_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancel_reason', _REASON, nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('sent_at', existing_type=sa.DateTime(timezone=True), nullable=True)
        batch_op.drop_constraint(op.f('ck_registrant_message_has_recipients'), type_='check')
        batch_op.create_check_constraint('has_recipients', "recipient_count > 0 OR status <> 'sent'")
        batch_op.create_check_constraint('sent_at_when_sent', "(status = 'sent') = (sent_at IS NOT NULL)")
        batch_op.create_check_constraint('scheduled_has_send_at', "status <> 'scheduled' OR send_at IS NOT NULL")
        batch_op.create_check_constraint('cancelled_has_reason', "(status = 'cancelled') = (cancel_reason IS NOT NULL)")
        batch_op.create_index('ix_registrant_message_status_send_at', ['status', 'send_at'], unique=False)


def downgrade():
    # Scheduled and cancelled messages were never sent: the old schema has no place for them.
    op.execute("DELETE FROM registrant_message WHERE status <> 'sent'")
    with op.batch_alter_table('registrant_message', schema=None) as batch_op:
        batch_op.drop_index('ix_registrant_message_status_send_at')
        batch_op.drop_constraint(op.f('ck_registrant_message_cancelled_has_reason'), type_='check')
        batch_op.drop_constraint(op.f('ck_registrant_message_scheduled_has_send_at'), type_='check')
        batch_op.drop_constraint(op.f('ck_registrant_message_sent_at_when_sent'), type_='check')
        batch_op.drop_constraint(op.f('ck_registrant_message_has_recipients'), type_='check')
        batch_op.create_check_constraint('has_recipients', 'recipient_count > 0')
        batch_op.alter_column('sent_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        # SQLite keeps an enum's CHECK when its column goes: drop both by name first.
        batch_op.drop_constraint(op.f('ck_registrant_message_registrant_message_cancel_reason'), type_='check')
        batch_op.drop_constraint(op.f('ck_registrant_message_registrant_message_status'), type_='check')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('cancel_reason')
        batch_op.drop_column('send_at')
        batch_op.drop_column('status')
