"""Delivering the outbox: claim due rows, send them over SMTP, record every attempt.

A claim is a lease: `status='sending'` with `locked_until`. A worker that dies mid-send
leaves rows that come back after the lease. On PostgreSQL candidates are picked with
FOR UPDATE SKIP LOCKED, so parallel workers never wait on or share a row; on SQLite a
conditional `UPDATE ... WHERE status='queued'` decides who owns the row.
"""
from __future__ import annotations

import logging
import signal
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import select

from ..database import is_sqlite, utcnow, write_transaction
from ..enums import OutboxStatus
from ..extensions import db
from .composer import compose, new_message_id
from .models import OutboxMessage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BATCH = 20
MAX_ATTEMPTS_DEFAULT = 8
_table = OutboxMessage.__table__


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... capped at one hour, after the n-th failed attempt."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def max_attempts() -> int:
    return int(current_app.config.get("MAIL_MAX_ATTEMPTS", MAX_ATTEMPTS_DEFAULT))


def _due_condition(now):
    return sa.or_(
        sa.and_(_table.c.status == OutboxStatus.QUEUED.value, _table.c.next_attempt_at <= now),
        sa.and_(_table.c.status == OutboxStatus.SENDING.value, _table.c.locked_until < now),  # a dead worker's lease
    )


def claim(limit: int = BATCH) -> list[int]:
    """Take up to `limit` due messages for this worker; returns their ids."""
    now = utcnow()
    lease_until = now + LEASE
    claimed: list[int] = []
    with write_transaction():
        stmt = (select(_table.c.id).where(_due_condition(now))
                .order_by(_table.c.next_attempt_at, _table.c.id).limit(limit))
        if not is_sqlite():
            stmt = stmt.with_for_update(skip_locked=True)
        for message_id in db.session.execute(stmt).scalars().all():
            result = db.session.execute(
                sa.update(_table).where(_table.c.id == message_id, _due_condition(now))
                .values(status=OutboxStatus.SENDING.value, locked_until=lease_until,
                        attempts=_table.c.attempts + 1)
            )
            if result.rowcount == 1:
                claimed.append(message_id)
    return claimed


def _ensure_message_id(message: OutboxMessage) -> None:
    """Generate the Message-ID once and keep it, so a retried mail is recognisably the same mail."""
    if message.message_id:
        return
    candidate = new_message_id(message)
    with write_transaction():
        db.session.execute(sa.update(_table).where(_table.c.id == message.id, _table.c.message_id == "")
                           .values(message_id=candidate))
    db.session.refresh(message)


@dataclass
class SmtpSettings:
    server: str
    port: int
    use_tls: bool
    username: str
    password: str
    timeout: float = 30.0

    @classmethod
    def from_config(cls, config) -> SmtpSettings:
        return cls(config["MAIL_SERVER"], int(config["MAIL_PORT"]), bool(config["MAIL_USE_TLS"]),
                   config.get("MAIL_USERNAME", ""), config.get("MAIL_PASSWORD", ""),
                   float(config.get("MAIL_TIMEOUT", 30)))


class Transport:
    """One SMTP connection reused for a batch, opened lazily."""

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def send(self, mime, to_address: str) -> None:
        if self.smtp is None:
            s = self.settings
            if s.port == 465:
                self.smtp = smtplib.SMTP_SSL(s.server, s.port, timeout=s.timeout,
                                             context=ssl.create_default_context())
            else:
                self.smtp = smtplib.SMTP(s.server, s.port, timeout=s.timeout)
                if s.use_tls:
                    self.smtp.starttls(context=ssl.create_default_context())
            if s.username:
                self.smtp.login(s.username, s.password)
        self.smtp.send_message(mime, to_addrs=[to_address])

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self.smtp = None


def _finish(message_id: int, **values) -> None:
    with write_transaction():
        db.session.execute(sa.update(_table).where(_table.c.id == message_id,
                                                   _table.c.status == OutboxStatus.SENDING.value).values(**values))


def deliver(message_id: int, transport: Transport | None) -> bool:
    """Send one claimed message; True when delivered (or kept for the outbox page)."""
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None:
        return False
    try:
        _ensure_message_id(message)
        mime = compose(message)
        subject = str(mime["Subject"])[:300]
        if transport is None:
            # Development without MAIL_SERVER: the mail stays readable at /admin/outbox.
            payload = dict(message.payload or {})
            payload["_delivery"] = "outbox_page"
            _finish(message_id, status=OutboxStatus.SENT.value, sent_at=utcnow(), subject=subject,
                    locked_until=None, last_error="", payload=payload)
            return True
        transport.send(mime, message.to_address)
    except Exception as err:  # noqa: BLE001 — any failure is recorded and retried, never lost
        if transport is not None:
            transport.close()
        error = f"{type(err).__name__}: {err}"[:2000]
        db.session.rollback()
        attempts = db.session.scalar(select(_table.c.attempts).where(_table.c.id == message_id)) or 0
        if attempts >= max_attempts():
            log.error("mail %s failed for good after %s attempts: %s", message_id, attempts, error)
            _finish(message_id, status=OutboxStatus.FAILED.value, locked_until=None, last_error=error)
        else:
            log.warning("mail %s attempt %s failed, will retry: %s", message_id, attempts, error)
            _finish(message_id, status=OutboxStatus.QUEUED.value, locked_until=None, last_error=error,
                    next_attempt_at=utcnow() + backoff(attempts))
        return False
    _finish(message_id, status=OutboxStatus.SENT.value, sent_at=utcnow(), subject=subject, locked_until=None,
            last_error="")
    return True


def run_once(limit: int = BATCH) -> tuple[int, int]:
    """Claim and deliver one batch; returns (sent, failed)."""
    ids = claim(limit)
    if not ids:
        return 0, 0
    server = current_app.config.get("MAIL_SERVER")
    transport = Transport(SmtpSettings.from_config(current_app.config)) if server else None
    sent = failed = 0
    try:
        for message_id in ids:
            if deliver(message_id, transport):
                sent += 1
            else:
                failed += 1
    finally:
        if transport is not None:
            transport.close()
        db.session.rollback()  # end the read transaction; the next batch sees fresh rows
    return sent, failed


def drain(max_batches: int = 1000) -> tuple[int, int]:
    """Deliver everything that is due now (used by `deliver-mail --once` and tests)."""
    total_sent = total_failed = 0
    for _ in range(max_batches):
        sent, failed = run_once()
        total_sent, total_failed = total_sent + sent, total_failed + failed
        if sent + failed == 0:
            break
    return total_sent, total_failed


def requeue(message_id: int) -> bool:
    """Put a failed (or sent) message back in the queue, as an operator asks from the outbox page."""
    with write_transaction():
        result = db.session.execute(
            sa.update(_table).where(_table.c.id == message_id,
                                    _table.c.status.in_([OutboxStatus.FAILED.value, OutboxStatus.SENT.value]))
            .values(status=OutboxStatus.QUEUED.value, next_attempt_at=utcnow(), locked_until=None, attempts=0)
        )
    return result.rowcount == 1


class StopFlag:
    def __init__(self):
        self.stop = False

    def __call__(self, *_args):
        self.stop = True


def run_forever(*, idle_sleep: float = 2.0, max_loops: int | None = None) -> None:
    """The worker loop: deliver mail, run other capabilities' tasks, sleep when idle; stops on SIGTERM/SIGINT."""
    from . import hooks

    flag = StopFlag()
    previous = {sig: signal.signal(sig, flag) for sig in (signal.SIGTERM, signal.SIGINT)}
    loops = 0
    try:
        while not flag.stop and (max_loops is None or loops < max_loops):
            loops += 1
            worked = 0
            try:
                sent, failed = run_once()
                worked = sent + failed
                worked += hooks.run_worker_tasks() or 0
            except Exception:  # noqa: BLE001 — a database hiccup must not kill the worker
                log.exception("worker loop failed; continuing")
                db.session.rollback()
            finally:
                db.session.remove()
            if not worked:
                deadline = time.monotonic() + idle_sleep
                while not flag.stop and time.monotonic() < deadline:
                    time.sleep(0.1)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
