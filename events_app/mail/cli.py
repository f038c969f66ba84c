"""Command-line commands of the mail capability: the delivery worker and scheduled reminders."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("deliver-mail")
@click.option("--once", is_flag=True, help="Deliver everything due now, run pending worker tasks, then exit.")
@click.option("--idle-sleep", default=2.0, show_default=True, help="Seconds to wait when there is nothing to do.")
@with_appcontext
def deliver_mail(once: bool, idle_sleep: float) -> None:
    """Send queued mail from the outbox (and run background jobs); loops until SIGTERM."""
    from . import hooks
    from .worker import drain, run_forever

    if once:
        sent, failed = drain()
        tasks = hooks.run_worker_tasks(drain=True) or 0
        click.echo(f"delivered {sent}, failed attempts {failed}, background tasks {tasks}")
        return
    click.echo("mail worker started (Ctrl+C or SIGTERM to stop)")
    run_forever(idle_sleep=idle_sleep)
    click.echo("mail worker stopped")


@click.command("send-reminders")
@with_appcontext
def send_reminders() -> None:
    """Queue due reminders (day before; online join link shortly before) and scheduled messages to
    registrants whose time has come. Safe to run every few minutes, and on two hosts at once."""
    from ..registration.message_schedule import send_due_messages
    from ..registration.reminders import queue_due_reminders

    counts = queue_due_reminders()
    click.echo(f"queued {counts['day_before']} day-before and {counts['online']} online reminders")
    sent = send_due_messages()
    click.echo(f"sent {sent['sent']} scheduled message(s); {sent['cancelled']} not sent (event cancelled or no recipients)")


@click.command("requeue-mail")
@click.argument("message_id", type=int)
@with_appcontext
def requeue_mail(message_id: int) -> None:
    """Put a failed outbox message back in the queue."""
    from .worker import requeue

    if requeue(message_id):
        click.echo(f"message {message_id} queued again")
    else:
        raise click.ClickException(f"message {message_id} is not failed or sent")


commands = [deliver_mail, send_reminders, requeue_mail]
