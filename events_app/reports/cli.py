"""Command-line commands of the reports capability (thin: parse, call services, write the file).

Interface kept stable (outside checks use it):
  flask --app wsgi export-attendance <slug> --format csv|xlsx|pdf [--output PATH]
  flask --app wsgi event-summary <slug> [--output PATH]
Both print the written file's path on their last line.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from ..audit.services import record
from ..database import write_transaction
from ..errors import DomainError
from . import documents
from .engagement import check_period, engagement_columns, engagement_rows
from .exports import (AttendanceFilter, file_stamp, prepare_attendance_export,
                      record_attendance_export, validate_session)
from .services import event_by_slug

PROGRESS_THRESHOLD = 2000  # rows; smaller exports finish before a bar is worth showing
LANG = click.Choice(["ja", "en"])


def resolve_output(output: str | None, default_name: str) -> Path:
    """The file to write: --output as given (a directory gets the default name), else EXPORT_DIR/<name>."""
    if output:
        path = Path(output).expanduser()
        if path.is_dir():
            path = path / default_name
    else:
        directory = Path(current_app.config["EXPORT_DIR"])
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.ClickException(f"Cannot create the export directory {directory}: {exc.strerror}") from exc
        path = directory / default_name
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise click.ClickException(f"The directory {parent} does not exist.")
    if not os.access(parent, os.W_OK):
        raise click.ClickException(f"Cannot write to {parent}: permission denied.")
    if path.exists() and not os.access(path, os.W_OK):
        raise click.ClickException(f"Cannot overwrite {path}: permission denied.")
    return path


def _write_stream(path: Path, chunks: Iterable[bytes]) -> None:
    """Write to a temporary file beside the target, then rename: no half-written exports."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise click.ClickException(f"Cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _with_progress(rows: Iterator[list], total: int, label: str) -> Iterator[list]:
    if total < PROGRESS_THRESHOLD:
        yield from rows
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        pending = 0
        for row in rows:
            yield row
            pending += 1
            if pending == 500:
                bar.update(pending)
                pending = 0
        bar.update(pending)


def _audit(action: str, event_id: int | None, details: dict) -> None:
    with write_transaction():
        record("cli", action, "event" if event_id else "people", event_id, event_id=event_id, details=details)


@click.command("export-attendance")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv", show_default=True)
@click.option("--output", "-o", help="File (or directory) to write; default exports/<slug>-attendance-<timestamp>.<ext>")
@click.option("--plain-utf8", is_flag=True, help="CSV without the byte-order mark (the default has one for Excel).")
@click.option("--lang", type=LANG, default="ja", show_default=True, help="Language of headers and labels.")
@click.option("--status", "statuses", multiple=True, help="Only these statuses (repeatable): confirmed, waitlisted, ...")
@click.option("--affiliation", type=click.Choice(["alumni", "employee", "guest"]))
@click.option("--session", "session_id", type=int, help="Only people who chose this session (id).")
@click.option("--attended", type=click.Choice(["yes", "no"]), help="Only people who came (yes) or did not (no).")
@with_appcontext
def export_attendance(slug, fmt, output, plain_utf8, lang, statuses, affiliation, session_id, attended):
    """Export an event's attendance list as CSV, XLSX or PDF."""
    try:  # messages in the CLI's language; the file's headers in --lang
        event = event_by_slug(slug)
        filters = AttendanceFilter.parse(statuses=statuses, affiliation=affiliation, session_id=session_id,
                                         attended=attended)
        validate_session(event, filters)
    except DomainError as exc:
        raise click.ClickException(_field_message(exc)) from exc
    path = resolve_output(output, f"{event.slug}-attendance-{file_stamp(event.tz)}.{fmt}")
    with force_locale(lang):
        try:
            export = prepare_attendance_export(event, filters, lang=lang,
                                               times="datetime" if fmt == "xlsx" else "text")
            total, columns = export.total, export.columns
            rows = _with_progress(export.rows, total, "Exporting")
            if fmt == "csv":
                _write_stream(path, documents.csv_chunks(columns.headers, rows, bom=not plain_utf8))
            elif fmt == "xlsx":
                _write_stream(path, [documents.xlsx_bytes(columns.headers, rows, widths=columns.widths,
                                                          sheet_title=event.slug)])
            else:
                from .pdfs import attendance_pdf_for
                click.echo(f"Rendering the PDF of {total} rows…", err=True)
                _write_stream(path, [attendance_pdf_for(event, filters, lang=lang)])
        except DomainError as exc:
            raise click.ClickException(_field_message(exc)) from exc
        # Recorded once the file exists: a failed write exported nothing.
        record_attendance_export(event, filters, export, actor="cli", kind=f"attendance_{fmt}",
                                 details={"format": fmt, "path": str(path)})
    click.echo(f"{total} rows written.", err=True)
    click.echo(str(path))


@click.command("event-summary")
@click.argument("slug")
@click.option("--output", "-o", help="File (or directory) to write; default exports/<slug>-summary-<timestamp>.pdf")
@click.option("--lang", type=LANG, default="ja", show_default=True)
@click.option("--appendix/--no-appendix", default=True, show_default=True, help="Attach the attendance list.")
@with_appcontext
def event_summary(slug, output, lang, appendix):
    """Write the event's post-event summary as a PDF."""
    from .pdfs import summary_pdf_for

    try:
        event = event_by_slug(slug)
    except DomainError as exc:
        raise click.ClickException(exc.message) from exc
    path = resolve_output(output, f"{event.slug}-summary-{file_stamp(event.tz)}.pdf")
    with force_locale(lang):
        try:
            click.echo("Rendering the summary…", err=True)
            data = summary_pdf_for(event, lang=lang, appendix=appendix)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        _write_stream(path, [data])
        _audit("export.summary_pdf", event.id, {"format": "pdf", "lang": lang, "appendix": appendix, "path": str(path)})
    click.echo(str(path))


@click.command("export-engagement")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day (YYYY-MM-DD).")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv", show_default=True)
@click.option("--output", "-o")
@click.option("--plain-utf8", is_flag=True)
@click.option("--lang", type=LANG, default="ja", show_default=True)
@with_appcontext
def export_engagement(start, end, fmt, output, plain_utf8, lang):
    """Per person: events registered and attended in a period, first and last attendance."""
    start_day, end_day = start.date(), end.date()
    try:  # checked here, in the CLI's language: inside force_locale it would speak --lang (the file's)
        check_period(start_day, end_day)
    except DomainError as exc:
        raise click.ClickException(_field_message(exc)) from exc
    with force_locale(lang):
        try:
            path = resolve_output(output, f"engagement-{start_day:%Y%m%d}-{end_day:%Y%m%d}-{file_stamp(current_app.config['DEFAULT_TIMEZONE'])}.{fmt}")
            columns = engagement_columns(lang)
            rows = engagement_rows(start_day, end_day, lang, current_app.config["DEFAULT_TIMEZONE"],
                                   times="datetime" if fmt == "xlsx" else "text")
            counted = _Counted(rows)
            if fmt == "csv":
                _write_stream(path, documents.csv_chunks(columns.headers, counted, bom=not plain_utf8))
            else:
                _write_stream(path, [documents.xlsx_bytes(columns.headers, counted, widths=columns.widths,
                                                          sheet_title="engagement")])
        except DomainError as exc:
            raise click.ClickException(_field_message(exc)) from exc
        _audit(f"export.engagement_{fmt}", None, {"format": fmt, "from": str(start_day), "to": str(end_day),
                                                  "rows": counted.n, "path": str(path)})
    click.echo(f"{counted.n} people written.", err=True)
    click.echo(str(path))


class _Counted:
    def __init__(self, rows: Iterable[list]):
        self.rows, self.n = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.n += 1
            yield row


@click.command("send-followups")
@with_appcontext
def send_followups_command():
    """Queue survey invitations that are due (safe to run from cron every few minutes)."""
    from .survey import send_followups

    queued = send_followups()
    click.echo(f"{queued} survey invitation(s) queued.")


@click.command("run-export-jobs")
@click.option("--limit", default=10, show_default=True, help="Most jobs to run now.")
@with_appcontext
def run_export_jobs(limit):
    """Run queued export jobs now (the mail worker also runs them on every loop)."""
    from .jobs import run_due_jobs

    click.echo(f"{run_due_jobs(limit=limit)} job(s) run.")


@click.command("prune-exports")
@click.option("--older-than-days", type=click.IntRange(min=0), default=None,
              help="Delete export files older than this (default EXPORT_RETENTION_DAYS, 30).")
@with_appcontext
def prune_exports_command(older_than_days):
    """Delete old export files (they hold personal data); safe to run from cron daily."""
    from .jobs import prune_exports

    days = older_than_days if older_than_days is not None else int(current_app.config.get("EXPORT_RETENTION_DAYS", 30))
    click.echo(f"{prune_exports(older_than_days=days)} file(s) older than {days} days deleted.")


def _field_message(exc: DomainError) -> str:
    details = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in exc.fields.items())
    return f"{exc.message} ({details})" if details else exc.message


commands = [export_attendance, event_summary, export_engagement, send_followups_command, run_export_jobs,
            prune_exports_command]
