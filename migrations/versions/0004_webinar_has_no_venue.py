"""Events: a webinar holds no venue and no venue seats (CHECK constraint)

Revision ID: 0004_webinar_has_no_venue
Revises: 0003_session_choice_required
"""
from alembic import op


revision = '0004_webinar_has_no_venue'
down_revision = '0003_session_choice_required'
branch_labels = None
depends_on = None

# The model's WEBINAR_HAS_NO_VENUE as it was when this migration was written.
WEBINAR_HAS_NO_VENUE = (
    "kind <> 'webinar' OR (venue_name = '' AND venue_address = '' AND venue_map_url = '' "
    "AND venue_latitude IS NULL AND venue_longitude IS NULL AND capacity IS NULL)"
)


def upgrade():
    # Webinars saved before the service refused a venue may hold one; the constraint would reject
    # them. A webinar is online only, so what they held was never true: clear it. In-person seats
    # taken stay counted (seats_taken), only the limit goes.
    op.execute(
        "UPDATE event SET venue_name = '', venue_address = '', venue_map_url = '', venue_latitude = NULL, "
        "venue_longitude = NULL, capacity = NULL WHERE kind = 'webinar'"
    )
    # SQLite rebuilds the table for this; migrations/env.py turns foreign keys off meanwhile so
    # dropping the old table does not cascade to registrations, sessions and the rest.
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.create_check_constraint(batch_op.f('ck_event_webinar_has_no_venue'), WEBINAR_HAS_NO_VENUE)


def downgrade():
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_event_webinar_has_no_venue'), type_='check')
