"""Command-line commands of the events capability."""
from __future__ import annotations

import click

from . import demo


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Seed only when the database has no events yet (used by `make run`).")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo programme (idempotent: a second run changes nothing)."""
    if if_empty and demo.has_events():
        return  # `make run` on an existing database stays quiet
    report = demo.seed_demo()
    if report.changed:
        click.echo(f"Demo data loaded ({len(report.created)} items created).")
    else:
        click.echo("Demo data already present; nothing changed.")
    click.echo("Demo staff accounts (fixed demo passwords — development only):")
    for role, email, password in report.credentials:
        click.echo(f"  {role:<9} {email:<28} {password}")


commands = [seed_demo_command]
