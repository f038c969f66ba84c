"""Background export jobs (PDFs of large events take WeasyPrint many seconds), run by the mail worker.

A web request only inserts an ExportJob row. The worker's loop calls `run_due_jobs()`, which
claims one job the way the outbox claims mail: `FOR UPDATE SKIP LOCKED` on PostgreSQL and a
conditional `UPDATE ... WHERE status = 'queued'` (row count 1 wins) everywhere, so two
workers never run the same job. A claim carries a lease (`locked_until`); a job whose
worker died is claimed again after the lease runs out.

How many jobs one call runs: the long-running worker runs one per loop, so a queue of slow
PDFs never holds up mail; `deliver-mail --once` promises to run pending work and exit, so
there it runs every due job (still one at a time, each claimed and finished in its own
transaction).
"""
from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select, update

from ..audit.services import record
from ..database import is_sqlite, utcnow, write_transaction
from ..enums import JobStatus
from ..errors import DomainError, NotFound, ValidationError
from ..events.models import Event
from ..extensions import db
from .. import pdf
from ..pdf import PdfUnavailable
from .exports import AttendanceFilter, file_stamp, validate_session
from .models import ExportJob

log = logging.getLogger(__name__)

JOB_KINDS = ("summary_pdf", "attendance_pdf")
LEASE = timedelta(minutes=15)
MAX_JOBS_PER_LOOP = 1  # one job per worker loop, so mail delivery is never starved
MAX_JOBS_PER_DRAIN = 1000  # a bound for `deliver-mail --once`, against a queue refilled as fast as it drains


def check_pdf_available() -> None:
    """Raise PdfUnavailable (with the install hint) where WeasyPrint cannot load."""
    pdf._weasyprint()


def request_job(event: Event, kind: str, actor, *, lang: str, filters: AttendanceFilter | None = None,
                appendix: bool = True) -> ExportJob:
    """Queue a PDF export; the request is audited now, as the export of personal data it is."""
    if kind not in JOB_KINDS:
        raise ValidationError(_("Unknown export."), fields={"kind": [_("Choose an export from the list.")]})
    if lang not in current_app.config["LANGUAGES"]:
        raise ValidationError(_("Choose Japanese or English."), fields={"lang": [_("Choose Japanese or English.")]})
    check_pdf_available()
    filters = filters or AttendanceFilter()
    validate_session(event, filters)
    params = {"lang": lang, "appendix": bool(appendix), "filters": filters.as_params()}
    with write_transaction() as session:
        job = ExportJob(kind=kind, event_id=event.id, params=params, status=JobStatus.QUEUED,
                        requested_by_id=getattr(actor, "id", None))
        session.add(job)
        session.flush()
        record(actor, f"export.{kind}", "event", event.id, event_id=event.id,
               details={"job_id": job.id, "format": "pdf", **params})
    return job


def job_for(job_id: int, event: Event | None = None) -> ExportJob:
    job = db.session.get(ExportJob, job_id)
    if job is None or (event is not None and job.event_id != event.id):
        raise NotFound(_("That export does not exist."))
    return job


def recent_jobs(event: Event, limit: int = 10) -> list[ExportJob]:
    return list(db.session.scalars(
        select(ExportJob).where(ExportJob.event_id == event.id).order_by(ExportJob.id.desc()).limit(limit)))


def _claim(now: datetime) -> ExportJob | None:
    due = or_(ExportJob.status == JobStatus.QUEUED,
              and_(ExportJob.status == JobStatus.RUNNING, ExportJob.locked_until < now))
    with write_transaction() as session:
        query = select(ExportJob.id).where(due).order_by(ExportJob.id).limit(1)
        if not is_sqlite():
            query = query.with_for_update(skip_locked=True)
        job_id = session.scalar(query)
        if job_id is None:
            return None
        claimed = session.execute(
            update(ExportJob).where(ExportJob.id == job_id, due)
            .values(status=JobStatus.RUNNING, locked_until=now + LEASE, progress=5)
            .execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            return None
    return db.session.get(ExportJob, job_id, populate_existing=True)


def _progress(job_id: int, percent: int) -> None:
    with write_transaction() as session:
        session.execute(update(ExportJob).where(ExportJob.id == job_id).values(progress=percent)
                        .execution_options(synchronize_session=False))


def _finish(job_id: int, *, path: str = "", error: str = "") -> None:
    with write_transaction() as session:
        session.execute(update(ExportJob).where(ExportJob.id == job_id).values(
            status=JobStatus.FAILED if error else JobStatus.DONE, progress=100 if not error else 0,
            file_path=path, error=error, finished_at=utcnow(), locked_until=None,
        ).execution_options(synchronize_session=False))


def job_file_path(job: ExportJob, event: Event) -> Path:
    stamp = file_stamp(event.tz, job.created_at)
    name = "summary" if job.kind == "summary_pdf" else "attendance"
    return Path(current_app.config["EXPORT_DIR"]) / "jobs" / f"{event.slug}-{name}-{stamp}-{job.id}.pdf"


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def run_job(job: ExportJob) -> None:
    from . import pdfs  # late: keeps WeasyPrint and templates out of the worker's import path until needed

    event = db.session.get(Event, job.event_id)
    params = job.params or {}
    lang = params.get("lang", "ja")
    filters = AttendanceFilter.parse(**(params.get("filters") or {}))
    job_id = job.id
    _progress(job_id, 15)
    if job.kind == "summary_pdf":
        data = pdfs.summary_pdf_for(event, lang=lang, appendix=params.get("appendix", True),
                                    on_stage=lambda pct: _progress(job_id, pct))
    else:
        data = pdfs.attendance_pdf_for(event, filters, lang=lang, on_stage=lambda pct: _progress(job_id, pct))
    path = job_file_path(job, event)
    write_atomically(path, data)
    _finish(job_id, path=str(path))


def run_due_jobs(*, now: datetime | None = None, limit: int | None = None, drain: bool = False) -> int:
    """Claim and run up to `limit` queued jobs, one after the other; returns how many ran (done or failed).

    Without a limit: one (MAX_JOBS_PER_LOOP) per loop of the mail worker, every due job when the
    worker drains (`deliver-mail --once`, see mail.hooks).
    """
    if limit is None:
        limit = MAX_JOBS_PER_DRAIN if drain else MAX_JOBS_PER_LOOP
    ran = 0
    while ran < limit:
        job = _claim(now or utcnow())
        if job is None:
            break
        ran += 1
        try:
            run_job(job)
        except PdfUnavailable as exc:
            db.session.rollback()
            _finish(job.id, error=exc.message)
        except DomainError as exc:
            db.session.rollback()
            _finish(job.id, error=exc.message)
        except Exception as exc:  # keep the worker alive; the operator sees the failure
            log.exception("export job %s failed", job.id)
            db.session.rollback()
            _finish(job.id, error=f"{type(exc).__name__}: {exc}")
    return ran


def job_status(job: ExportJob) -> dict:
    return {"id": job.id, "kind": job.kind, "status": str(job.status), "progress": job.progress,
            "error": job.error, "ready": job.status == JobStatus.DONE and bool(job.file_path),
            "created_at": job.created_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}


EXPORT_SUFFIXES = {".csv", ".xlsx", ".pdf"}


def prune_exports(*, older_than_days: int, now: datetime | None = None) -> int:
    """Delete export files older than the retention period; returns how many were deleted.

    Exports hold personal data, so they should not outlive their use. Only .csv, .xlsx and
    .pdf files under EXPORT_DIR are touched; a pruned job keeps its row (and audit trail) but
    no longer offers a file.
    """
    if older_than_days < 0:
        raise ValidationError(_("The retention period cannot be negative."))
    now = now or utcnow()
    cutoff = (now - timedelta(days=older_than_days)).timestamp()
    root = Path(current_app.config["EXPORT_DIR"])
    removed = []
    for path in root.rglob("*"):
        if path.is_file() and path.suffix in EXPORT_SUFFIXES and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(str(path))
    if removed:
        with write_transaction() as session:
            session.execute(update(ExportJob).where(ExportJob.file_path.in_(removed))
                            .values(file_path="", error=_("The file was deleted after the retention period."))
                            .execution_options(synchronize_session=False))
            record("cli", "export.prune", "export_dir", None, details={"files": len(removed),
                                                                        "older_than_days": older_than_days})
    return len(removed)
