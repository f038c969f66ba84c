"""JSON API routes of the tickets capability (added to events_app.api.api_bp)."""
from __future__ import annotations
