"""JSON API routes of the calendar capability (added to events_app.api.api_bp)."""
from __future__ import annotations
