"""Command-line commands of the events capability."""
from __future__ import annotations

import click

from . import demo, demo_english


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Seed only when the database has no events yet (used by `make run`).")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo programme (idempotent: a second run changes nothing)."""
    if if_empty and demo.has_events():
        # `make run` on an existing database stays quiet, unless an older demo gains its hosts' English.
        _echo_filled(demo_english.fill_missing_host_english())
        return
    report = demo.seed_demo()
    filled = demo_english.fill_missing_host_english()
    if report.changed:
        click.echo(f"Demo data loaded ({len(report.created)} items created).")
    elif not filled:
        click.echo("Demo data already present; nothing changed.")
    _echo_filled(filled)
    click.echo("Demo staff accounts (fixed demo passwords — development only):")
    for role, email, password in report.credentials:
        click.echo(f"  {role:<9} {email:<28} {password}")


def _echo_filled(filled: int) -> None:
    if filled:
        click.echo(f"Demo hosts: {filled} missing English titles and profiles filled in.")


commands = [seed_demo_command]
