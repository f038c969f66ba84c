"""Event slugs: readable, unique addresses under /events/."""
from __future__ import annotations

import secrets
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from slugify import slugify
from sqlalchemy import select

from ..database import utcnow
from ..errors import Conflict, ErrorCode
from ..extensions import db
from .models import Event


def slug_taken(slug: str, *, exclude_id: int | None = None) -> bool:
    query = select(Event.id).where(Event.slug == slug)
    if exclude_id is not None:
        query = query.where(Event.id != exclude_id)
    return db.session.scalar(query) is not None


def slug_conflict(slug: str) -> Conflict:
    message = _("The address /events/%(slug)s is already used by another event.", slug=slug)
    return Conflict(message, code=ErrorCode.SLUG_TAKEN, fields={"slug": [message]})


def _is_latin(text: str) -> bool:
    text = unicodedata.normalize("NFKC", text)
    return bool(text.strip()) and all(ord(ch) < 0x250 for ch in text)


def _first_free(base: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever is not taken yet (the unique index has the last word)."""
    candidate, n = base, 2
    while slug_taken(candidate):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def generate_slug(title: str, starts_at: datetime | None, *, title_translation: str = "",
                  tz_name: str = "Asia/Tokyo") -> str:
    """A readable, unique slug: from the title when it is in Latin script, else from its
    translation, else `event-<date>-<random>` (transliterated kanji read as Chinese)."""
    for source in (title, title_translation):
        if source and _is_latin(source):
            base = slugify(source, max_length=80, word_boundary=True)
            if base:
                return _first_free(base)
    day = (starts_at or utcnow()).astimezone(ZoneInfo(tz_name)).strftime("%Y%m%d")
    return _first_free(f"event-{day}-{secrets.token_hex(3)}")


def copy_slug(slug: str) -> str:
    """The slug of a duplicated event."""
    return _first_free(f"{slug[:110]}-copy")
