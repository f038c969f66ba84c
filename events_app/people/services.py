"""People: one row per human across events, found by their normalised email."""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
import sqlalchemy as sa
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..database import utcnow
from ..driver_statements import DriverStatement
from ..enums import Affiliation
from ..errors import ValidationError
from ..extensions import db
from .models import Person

_KANA_ALLOWED = re.compile(r"^[\u30A0-\u30FF\u3040-\u309F ・ー\-]+$")


def normalise_email(raw: str) -> str:
    """A valid address, trimmed and lower-cased; ValidationError (field `email`) otherwise.

    Full-width input (ｈａｎａ＠ｅｘａｍｐｌｅ．ｊｐ, typed with a Japanese IME on) is folded to ASCII
    first (NFKC), as years and kana are."""
    raw = unicodedata.normalize("NFKC", raw or "").strip()
    if not raw:
        raise ValidationError(_("Enter your email address."), fields={"email": [_("Enter your email address.")]})
    if len(raw) > 254:
        raise ValidationError(_("Enter a valid email address."), fields={"email": [_("Enter a valid email address.")]})
    try:
        info = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(_("Enter a valid email address."), fields={"email": [_("Enter a valid email address.")]})
    return info.normalized.lower()


def normalise_kana(raw: str) -> str:
    """Kana as full-width katakana with single spaces: ﾔﾏﾀﾞ and やまだ both become ヤマダ.

    Returns "" for empty input; raises ValueError when the text is not kana.
    """
    text = unicodedata.normalize("NFKC", raw or "")
    text = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)
    text = re.sub(r"\s+", " ", text).strip()
    if text and not _KANA_ALLOWED.match(text):
        raise ValueError("not kana")
    return text


def find_person(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == email))


def upsert_person(email: str, *, name: str, affiliation: Affiliation, name_kana: str = "", company: str = "",
                  job_title: str = "", department: str = "", former_department: str = "",
                  joined_year: int | None = None, left_year: int | None = None, language: str = "ja",
                  consent_at: datetime | None = None) -> Person:
    """Create or update the Person with this (already normalised) email, in the caller's transaction.

    INSERT ... ON CONFLICT DO NOTHING, then read: two first registrations of one address at the
    same moment both end with the same row instead of one failing on the unique email.
    The latest details win: alumni change companies and titles between events.
    """
    now = utcnow()
    values = dict(email=email, name=name, name_kana=name_kana, affiliation=affiliation, company=company,
                  job_title=job_title, department=department, former_department=former_department,
                  joined_year=joined_year, left_year=left_year, language=language, consent_at=consent_at,
                  created_at=now, updated_at=now)
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(Person.__table__).values(**values).on_conflict_do_nothing(index_elements=["email"]))
    person = db.session.scalars(select(Person).where(Person.email == email).execution_options(populate_existing=True)).one()
    # Always the latest name, affiliation and language; other details only when given, so a
    # registration from the English form (no kana) does not erase the kana given before.
    for key in ("name", "affiliation", "language", "name_kana", "company", "job_title", "department",
                "former_department", "joined_year", "left_year"):
        new = values[key]
        always = key in ("name", "affiliation", "language")
        if (always or new not in ("", None)) and getattr(person, key) != new:
            setattr(person, key, new)
    if consent_at is not None:
        person.consent_at = consent_at
    return person


_STRING_DETAILS = ("name_kana", "company", "job_title", "department", "former_department")


_UPSERT_STATEMENTS: dict[str, DriverStatement] = {}
_UPSERT_COLUMNS = ("email", "name", "affiliation", "language", "consent_at", "created_at", "updated_at",
                   "name_kana", "company", "job_title", "department", "former_department", "joined_year", "left_year")


def _upsert_statement(dialect: str):
    """Built once per dialect with bind parameters, and run through the driver."""
    statement = _UPSERT_STATEMENTS.get(dialect)
    if statement is None:
        table = Person.__table__
        insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(table).values(
            {c: sa.bindparam(c, type_=table.c[c].type) for c in _UPSERT_COLUMNS})
        new = insert.excluded
        keep = {k: sa.case((new[k] == "", table.c[k]), else_=new[k]) for k in _STRING_DETAILS}
        keep.update({k: sa.func.coalesce(new[k], table.c[k]) for k in ("joined_year", "left_year", "consent_at")})
        statement = insert.on_conflict_do_update(
            index_elements=["email"],
            set_=dict(name=new.name, affiliation=new.affiliation, language=new.language,
                      updated_at=new.updated_at, **keep),
        ).returning(table.c.id)
        statement = _UPSERT_STATEMENTS[dialect] = DriverStatement(statement)
    return statement


def upsert_person_id(email: str, *, name: str, affiliation: Affiliation, language: str = "ja",
                     consent_at: datetime | None = None, connection=None, **details) -> int:
    """The same upsert as `upsert_person` in one statement (INSERT ... ON CONFLICT DO UPDATE
    ... RETURNING id): the registration hot path needs the id, not a loaded object.

    Empty details never overwrite known ones; name, affiliation and language always follow the
    latest registration. `connection` is the writing transaction's, when the caller holds it.
    """
    now = utcnow()
    params = dict(email=email, name=name, affiliation=affiliation, language=language, consent_at=consent_at,
                  created_at=now, updated_at=now, name_kana=details.get("name_kana", ""),
                  **{k: details.get(k, "") for k in _STRING_DETAILS if k != "name_kana"},
                  joined_year=details.get("joined_year"), left_year=details.get("left_year"))
    connection = connection if connection is not None else db.session.connection()
    return _upsert_statement(connection.dialect.name).execute(connection, params).scalar()
