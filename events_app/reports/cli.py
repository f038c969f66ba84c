"""Command-line commands of the reports capability."""
from __future__ import annotations

commands: list = []
