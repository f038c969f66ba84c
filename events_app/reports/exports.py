"""Rows for attendance and engagement exports, read in small batches so memory stays flat.

Rows are read by keyset pagination (`key > last ORDER BY key LIMIT n`) rather than one long
server-side cursor: each batch is a short read, so a slow client downloading a large CSV
never holds a cursor (or a PostgreSQL snapshot) open, and SQLite and PostgreSQL behave alike.
Attendance rows come in kana order (五十音順, as Japanese name lists are read): the key is
(no kana given, kana, name, registration id), compared by code point on both databases.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Literal
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import String, and_, case, func, literal, or_, select, tuple_, type_coerce

from ..enums import Affiliation, RegistrationStatus
from ..errors import ValidationError
from ..events.models import Event, EventSession, Question
from ..extensions import db
from ..people.models import Person
from ..registration.labels import source_label
from ..registration.models import Answer, Registration, RegistrationSession

BATCH_SIZE = 2000
# How times are written: "text" ("YYYY-MM-DD HH:MM", CSV and PDF) or "datetime" (naive local
# datetimes, which Excel shows and sorts as dates).
TimeStyle = Literal["text", "datetime"]


@dataclass(frozen=True)
class AttendanceFilter:
    statuses: tuple[str, ...] = ()
    affiliation: str | None = None
    session_id: int | None = None
    attended: bool | None = None

    @classmethod
    def parse(cls, *, statuses=(), affiliation=None, session_id=None, attended=None) -> AttendanceFilter:
        """Validate raw values (from a form, the CLI or job params); raise ValidationError."""
        errors: dict[str, list[str]] = {}
        valid_statuses = {s.value for s in RegistrationStatus}
        statuses = tuple(s for s in (statuses or ()) if s)
        bad = [s for s in statuses if s not in valid_statuses]
        if bad:
            errors["status"] = [_("Unknown status: %(value)s.", value=", ".join(bad))]
        if affiliation in ("", None):
            affiliation = None
        elif affiliation not in {a.value for a in Affiliation}:
            errors["affiliation"] = [_("Unknown affiliation: %(value)s.", value=affiliation)]
        if session_id in ("", None):
            session_id = None
        else:
            try:
                session_id = int(session_id)
            except (TypeError, ValueError):
                errors["session"] = [_("Choose a session from the list.")]
        if attended in ("", None, "any"):
            attended = None
        elif isinstance(attended, str):
            if attended not in ("yes", "no"):
                errors["attended"] = [_("Choose attended, not attended or everyone.")]
            attended = attended == "yes"
        if errors:
            raise ValidationError(_("Some of the filters are not valid."), fields=errors)
        return cls(statuses=statuses, affiliation=affiliation, session_id=session_id, attended=attended)

    def as_params(self) -> dict:
        return {"statuses": list(self.statuses), "affiliation": self.affiliation, "session_id": self.session_id,
                "attended": None if self.attended is None else ("yes" if self.attended else "no")}

    def conditions(self, event: Event) -> list:
        conds = [Registration.event_id == event.id]
        if self.statuses:
            conds.append(Registration.status.in_([RegistrationStatus(s) for s in self.statuses]))
        if self.affiliation:
            conds.append(Person.affiliation == Affiliation(self.affiliation))
        if self.session_id is not None:
            conds.append(Registration.id.in_(
                select(RegistrationSession.registration_id).where(RegistrationSession.session_id == self.session_id)))
        came = or_(Registration.checked_in_at.is_not(None), Registration.online_joined_at.is_not(None))
        if self.attended is True:
            conds.append(came)
        elif self.attended is False:
            conds.append(and_(Registration.checked_in_at.is_(None), Registration.online_joined_at.is_(None)))
        return conds


def file_stamp(zone: ZoneInfo | str, at: datetime | None = None) -> str:
    """The time in export file names, "YYYYmmdd-HHMMSS" in `zone` (the event's), as the PDFs print it."""
    from ..database import utcnow

    tz = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
    return (at or utcnow()).astimezone(tz).strftime("%Y%m%d-%H%M%S")


def validate_session(event: Event, filters: AttendanceFilter) -> None:
    if filters.session_id is None:
        return
    found = db.session.scalar(select(EventSession.id).where(EventSession.id == filters.session_id,
                                                            EventSession.event_id == event.id))
    if found is None:
        raise ValidationError(_("That session does not belong to this event."),
                              fields={"session": [_("Choose a session from the list.")]})


def count_attendance(event: Event, filters: AttendanceFilter) -> int:
    return db.session.scalar(
        select(func.count(Registration.id)).join(Person, Person.id == Registration.person_id)
        .where(*filters.conditions(event))
    ) or 0


@dataclass
class AttendanceExport:
    """An attendance export ready to write: its size, its columns and its rows (read lazily)."""

    total: int
    columns: Columns
    rows: Iterator[list]


def prepare_attendance_export(event: Event, filters: AttendanceFilter, *, lang: str,
                              times: TimeStyle = "text") -> AttendanceExport:
    """Check the filters and count the rows; the rows themselves are read as they are written."""
    validate_session(event, filters)
    columns, _questions = attendance_columns(event, lang)
    return AttendanceExport(total=count_attendance(event, filters), columns=columns,
                            rows=attendance_rows(event, filters, lang, times=times))


def record_attendance_export(event: Event, filters: AttendanceFilter, export: AttendanceExport, *, actor,
                             kind: str, details: dict | None = None) -> None:
    """Record an export of personal data in the audit trail (web downloads and the CLI alike)."""
    from ..audit.services import record
    from ..database import write_transaction

    with write_transaction():
        record(actor, f"export.{kind}", "event", event.id, event_id=event.id,
               details={"rows": export.total, **(details or {}), **filters.as_params()})


@dataclass
class Columns:
    keys: list[str]
    headers: list[str]
    widths: list[int] = field(default_factory=list)


def _labels(lang: str) -> dict:
    with force_locale(lang):
        return {
            "status": {
                "pending": _("Pending approval"), "confirmed": _("Confirmed"), "waitlisted": _("Waitlisted"),
                "cancelled": _("Cancelled"), "rejected": _("Declined"),
            },
            "affiliation": {"alumni": _("Alumni"), "employee": _("Employee"), "guest": _("Guest")},
            "mode": {"in_person": _("In person"), "online": _("Online")},
            "yes": _("Yes"), "no": _("No"),
        }


def attendance_columns(event: Event, lang: str) -> tuple[Columns, list[Question]]:
    questions = list(db.session.scalars(
        select(Question).where(Question.event_id == event.id).order_by(Question.position, Question.id)))
    with force_locale(lang):
        spec = [
            ("name", _("Name"), 18), ("name_kana", _("Kana"), 18), ("email", _("Email"), 28),
            ("affiliation", _("Affiliation"), 10), ("company", _("Company"), 22), ("department", _("Department"), 16),
            ("former_department", _("Former department"), 16), ("joined_year", _("Joined"), 8),
            ("left_year", _("Left"), 8), ("status", _("Status"), 12), ("attendance_mode", _("Attendance"), 10),
            ("sessions", _("Sessions"), 24),
        ]
        for q in questions:
            label = q.label_translation if (lang != event.language and q.label_translation) else q.label
            spec.append((f"q{q.id}", label, 20))
        spec += [("checked_in_at", _("Checked in (%(tz)s)", tz=event.timezone), 17),
                 ("online_joined_at", _("Joined online (%(tz)s)", tz=event.timezone), 17),
                 ("registered_at", _("Registered (%(tz)s)", tz=event.timezone), 17),
                 ("source", _("Source"), 9)]
    return Columns([s[0] for s in spec], [s[1] for s in spec], [s[2] for s in spec]), questions


def _answer_text(value, labels: dict) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return labels["yes"] if value else labels["no"]
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def _local_time(column, tz: ZoneInfo, times: TimeStyle = "text"):
    """(SQL expression, formatter) giving the minute in `tz` of a UTC column, fast.

    As text: "YYYY-MM-DD HH:MM"; as datetime: a naive local datetime (Excel has no zones).
    PostgreSQL converts (and formats) in the query (`to_char(col AT TIME ZONE tz)`), so no
    datetime objects are built for text. SQLite returns the stored naive-UTC text (the column
    type is bypassed) and the conversion is memoised per minute: a large export repeats
    minutes a lot.
    """
    as_text = times == "text"
    if db.engine.dialect.name == "postgresql":
        if as_text:
            return func.to_char(func.timezone(tz.key, column), "YYYY-MM-DD HH24:MI"), _or_empty
        return func.date_trunc("minute", func.timezone(tz.key, column)), _naive_or_none
    cache: dict = {}
    empty = "" if as_text else None

    def convert(utc: datetime):
        local = utc.astimezone(tz)
        return local.strftime("%Y-%m-%d %H:%M") if as_text else local.replace(tzinfo=None, second=0, microsecond=0)

    def fmt(value):
        if value is None:
            return empty
        if value.__class__ is not str:  # another driver returning datetimes
            if value.tzinfo is None:
                value = value.replace(tzinfo=timezone.utc)
            return convert(value)
        key = value[:16]
        out = cache.get(key)
        if out is None:
            out = cache[key] = convert(datetime.fromisoformat(key).replace(tzinfo=timezone.utc))
        return out

    return _raw(column), fmt


def _or_empty(value) -> str:
    return value or ""


def _naive_or_none(value):
    return value.replace(tzinfo=None) if value is not None else None


def _kana_order() -> tuple:
    """The attendance export's sort key: people without kana last, then kana, name and id.

    Code-point order (PostgreSQL's "C" collation, SQLite's default) puts katakana and
    hiragana each in 五十音 order with voiced kana next to their plain ones, and is the same
    on both databases, which the keyset comparison needs.
    """
    kana, name = Person.name_kana, Person.name
    if db.engine.dialect.name == "postgresql":
        kana, name = kana.collate("C"), name.collate("C")
    return case((Person.name_kana == "", 1), else_=0), kana, name, Registration.id


def _raw(column):
    """The column's stored value without its Python type's processing (enums, UTC datetimes)."""
    return type_coerce(column, String)


class _SourceLabels(dict):
    """Registration source code -> words in the export's language (registration.labels), looked up once per code."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    def __missing__(self, code):
        with force_locale(self.lang):
            self[code] = label = source_label(code) if code else ""
        return label


def attendance_rows(event: Event, filters: AttendanceFilter, lang: str, *, times: TimeStyle = "text",
                    batch_size: int = BATCH_SIZE) -> Iterator[list]:
    """One list per registration, in `attendance_columns` order and kana order; times in the event's zone.

    Hot path of large exports: Core rows (no ORM identity map), raw enum and time values,
    and per-batch lookups of session choices and answers for the batch's ids.
    """
    _columns, questions = attendance_columns(event, lang)
    labels = _labels(lang)
    sources = _SourceLabels(lang)
    checked_in_col, local = _local_time(Registration.checked_in_at, event.tz, times)
    online_col, _same = _local_time(Registration.online_joined_at, event.tz, times)
    created_col, _same = _local_time(Registration.created_at, event.tz, times)
    question_ids = [q.id for q in questions]
    order = _kana_order()
    session_titles = {s.id: (s.title_translation if lang != event.language and s.title_translation else s.title)
                      for s in db.session.scalars(select(EventSession).where(EventSession.event_id == event.id))}
    base = (
        select(Registration.id, Person.name, Person.name_kana, Person.email, _raw(Person.affiliation), Person.company,
               Person.department, Person.former_department, Person.joined_year, Person.left_year,
               _raw(Registration.status), _raw(Registration.attendance_mode), checked_in_col, online_col, created_col,
               Registration.source)
        .join(Person, Person.id == Registration.person_id)
        .where(*filters.conditions(event))
        .order_by(*order)
        .limit(batch_size)
    )
    waitlisted = labels["status"]["waitlisted"]
    status_labels, affiliation_labels, mode_labels = labels["status"], labels["affiliation"], labels["mode"]
    connection = db.session.connection()

    page = base
    while True:
        batch = connection.execute(page).all()
        if not batch:
            return
        ids = [row[0] for row in batch]
        chosen: dict[int, list[str]] = {}
        for reg_id, session_id, status in connection.execute(
            select(RegistrationSession.registration_id, RegistrationSession.session_id,
                   _raw(RegistrationSession.status))
            .where(RegistrationSession.registration_id.in_(ids))
            .order_by(RegistrationSession.registration_id, RegistrationSession.session_id)
        ).all():
            title = session_titles.get(session_id)
            if title is None:
                continue
            if status == "waitlisted":
                title = f"{title} ({waitlisted})"
            elif status != "confirmed":
                continue
            chosen.setdefault(reg_id, []).append(title)
        answers: dict[int, dict[int, object]] = defaultdict(dict)
        if question_ids:
            for reg_id, q_id, value in connection.execute(
                select(Answer.registration_id, Answer.question_id, Answer.value)
                .where(Answer.registration_id.in_(ids))
            ):
                answers[reg_id][q_id] = value
        for (reg_id, name, kana, email, affiliation, company, department, former, joined, left, status, mode,
             checked_in_at, online_joined_at, created_at, source) in batch:
            sessions = chosen.get(reg_id)
            row = [name, kana, email, affiliation_labels.get(affiliation, affiliation), company, department, former,
                   joined, left, status_labels.get(status, status), mode_labels.get(mode, mode),
                   "; ".join(sessions) if sessions else ""]
            if question_ids:
                mine = answers.get(reg_id, {})
                row.extend(_answer_text(mine.get(q), labels) for q in question_ids)
            row += [local(checked_in_at), local(online_joined_at), local(created_at), sources[source]]
            yield row
        if len(batch) < batch_size:
            return
        reg_id, name, kana = batch[-1][:3]
        after = (literal(1 if kana == "" else 0), literal(kana), literal(name), literal(reg_id))
        page = base.where(tuple_(*order) > tuple_(*after))
