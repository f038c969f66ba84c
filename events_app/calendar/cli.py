"""Command-line commands of the calendar capability."""
from __future__ import annotations

commands: list = []
