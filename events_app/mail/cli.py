"""Command-line commands of the mail capability."""
from __future__ import annotations

commands: list = []
