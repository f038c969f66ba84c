"""Mail: reminders already queued keep counting as sent under the new dedupe key

Reminder keys now hold the event's start (`reminder-<kind>:<registration id>:<start, UTC>`), so a
moved event reminds again. Keys queued before were `reminder-<kind>:<registration id>`: they are
rewritten with the event's current start, or the next `send-reminders` would send every reminder
already sent once more. (Data only; no schema change.)

Revision ID: 0008_reminder_keys_with_start
Revises: 0007_scheduled_messages
"""
from datetime import timezone

from alembic import op
import sqlalchemy as sa


revision = '0008_reminder_keys_with_start'
down_revision = '0007_scheduled_messages'
branch_labels = None
depends_on = None

_KINDS = ('day-before', 'online')
_outbox = sa.table('outbox_message', sa.column('id', sa.Integer), sa.column('dedupe_key', sa.String))
_registration = sa.table('registration', sa.column('id', sa.Integer), sa.column('event_id', sa.Integer))
_event = sa.table('event', sa.column('id', sa.Integer), sa.column('starts_at', sa.DateTime(timezone=True)))


def _reminder_rows(bind):
    like = sa.or_(*(_outbox.c.dedupe_key.like(f'reminder-{kind}:%') for kind in _KINDS))
    return bind.execute(sa.select(_outbox.c.id, _outbox.c.dedupe_key).where(like)).all()


def upgrade():
    bind = op.get_bind()
    starts = dict(bind.execute(sa.select(_registration.c.id, _event.c.starts_at)
                               .join(_event, _event.c.id == _registration.c.event_id)).all())
    for row_id, key in _reminder_rows(bind):
        prefix, _sep, registration_id = key.rpartition(':')
        if prefix not in {f'reminder-{kind}' for kind in _KINDS} or not registration_id.isdigit():
            continue  # already in the new form
        start = starts.get(int(registration_id))
        if start is None:
            continue
        if start.tzinfo is not None:  # PostgreSQL answers in the session's zone
            start = start.astimezone(timezone.utc)
        bind.execute(_outbox.update().where(_outbox.c.id == row_id)
                     .values(dedupe_key=f'{key}:{start:%Y%m%dT%H%MZ}'))


def downgrade():
    bind = op.get_bind()
    taken = set()
    for row_id, key in sorted(_reminder_rows(bind), key=lambda row: row[0], reverse=True):
        old_key = ':'.join(key.split(':')[:2])
        # A moved event has one key per start; the old form holds one, the newest (keys are unique).
        if key.count(':') == 2 and old_key not in taken:
            bind.execute(_outbox.update().where(_outbox.c.id == row_id).values(dedupe_key=old_key))
        taken.add(old_key)
