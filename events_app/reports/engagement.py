"""The cross-event engagement export: per person, how many events they registered for and came to
in a period, read in batches by keyset (see `exports`)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select

from ..enums import RegistrationStatus
from ..errors import ValidationError
from ..events.models import Event
from ..extensions import db
from ..people.models import Person
from ..registration.models import Registration
from .exports import BATCH_SIZE, Columns, TimeStyle, _labels


def engagement_columns(lang: str) -> Columns:
    with force_locale(lang):
        spec = [("name", _("Name"), 18), ("name_kana", _("Kana"), 18), ("email", _("Email"), 28),
                ("affiliation", _("Affiliation"), 10), ("company", _("Company"), 22),
                ("department", _("Department"), 16), ("former_department", _("Former department"), 16),
                ("joined_year", _("Joined"), 8), ("left_year", _("Left"), 8),
                ("events_registered", _("Events registered"), 10), ("events_attended", _("Events attended"), 10),
                ("first_attended", _("First attended"), 12), ("last_attended", _("Last attended"), 12)]
    return Columns([s[0] for s in spec], [s[1] for s in spec], [s[2] for s in spec])


def check_period(start: date, end: date) -> None:
    """Raise ValidationError when the period ends before it starts (callers check before the rows stream)."""
    if end < start:
        raise ValidationError(_("The end of the period is before its start."),
                              fields={"end": [_("Choose a date on or after the start.")]})


def engagement_rows(start: date, end: date, lang: str, tz: str, *, times: TimeStyle = "text",
                    batch_size: int = BATCH_SIZE) -> Iterator[list]:
    """Per person with a registration for an event starting within [start, end] (dates in `tz`).

    First/last attended are days in `tz`: "YYYY-MM-DD" text, or `date`s for XLSX ("datetime").
    """
    check_period(start, end)
    zone = ZoneInfo(tz)
    period_start = datetime.combine(start, datetime.min.time(), zone)
    period_end = datetime.combine(end, datetime.max.time(), zone)
    labels = _labels(lang)
    came = or_(Registration.checked_in_at.is_not(None), Registration.online_joined_at.is_not(None))
    per_person = (
        select(Registration.person_id.label("person_id"),
               func.count(func.distinct(case((Registration.status != RegistrationStatus.REJECTED, Registration.event_id)))).label("registered"),
               func.count(func.distinct(case((came, Registration.event_id)))).label("attended"),
               func.min(case((came, Event.starts_at))).label("first"),
               func.max(case((came, Event.starts_at))).label("last"))
        .join(Event, Event.id == Registration.event_id)
        .where(Event.starts_at >= period_start, Event.starts_at <= period_end)
        .group_by(Registration.person_id)
        .subquery()
    )
    base = (
        select(Person.id, Person.name, Person.name_kana, Person.email, Person.affiliation, Person.company,
               Person.department, Person.former_department, Person.joined_year, Person.left_year,
               per_person.c.registered, per_person.c.attended, per_person.c.first, per_person.c.last)
        .join(per_person, per_person.c.person_id == Person.id)
        .order_by(Person.id)
        .limit(batch_size)
    )

    as_text = times == "text"

    def day(value):
        if value is None:
            return "" if as_text else None
        if isinstance(value, str):  # SQLite returns min()/max() of a datetime as text
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        local = value.astimezone(zone).date()
        return local.strftime("%Y-%m-%d") if as_text else local

    last_id = 0
    while True:
        batch = db.session.execute(base.where(Person.id > last_id)).all()
        if not batch:
            return
        for (pid, name, kana, email, affiliation, company, department, former, joined, left,
             registered, attended, first, last) in batch:
            yield [name, kana, email, labels["affiliation"].get(affiliation, affiliation), company, department,
                   former, joined, left, registered, attended, day(first), day(last)]
        last_id = batch[-1][0]
        if len(batch) < batch_size:
            return

