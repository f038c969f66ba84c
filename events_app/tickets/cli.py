"""Command-line commands of the tickets capability."""
from __future__ import annotations

commands: list = []
