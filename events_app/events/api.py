"""JSON API routes for events."""
from __future__ import annotations
