"""`flask --app wsgi ...` commands. Each capability keeps its commands in its own cli.py."""
from __future__ import annotations

import importlib

from flask import Flask

CLI_MODULES = [
    "events_app.auth.cli",
    "events_app.events.cli",
    "events_app.registration.cli",
    "events_app.mail.cli",
    "events_app.tickets.cli",
    "events_app.calendar.cli",
    "events_app.reports.cli",
]


def register_cli(app: Flask) -> None:
    for name in CLI_MODULES:
        module = importlib.import_module(name)
        for command in getattr(module, "commands", []):
            app.cli.add_command(command)
