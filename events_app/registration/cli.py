"""Command-line commands of the registration capability."""
from __future__ import annotations

commands: list = []
