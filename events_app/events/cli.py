"""Command-line commands of the events capability."""
from __future__ import annotations

commands: list = []
