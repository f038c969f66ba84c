"""Event slugs: readable, unique addresses under /events/."""
from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

import pykakasi
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


# Kana, kanji (with 々〆〇 and the extension planes): what marks a title as Japanese.
_JAPANESE = re.compile("[\u3005-\u3007\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


@cache
def _kakasi() -> pykakasi.kakasi:
    # Loading the dictionaries takes a moment; one converter serves every request.
    return pykakasi.kakasi()


def _romaji(title: str) -> str:
    """A Japanese title in Hepburn romaji, word by word; "" when any letter would stay
    non-Latin (half-romanised text, or python-slugify's pinyin for the rest, reads as noise)."""
    text = unicodedata.normalize("NFKC", title)
    if not _JAPANESE.search(text):
        return ""
    words = " ".join(part["hepburn"] for part in _kakasi().convert(text))
    words = unicodedata.normalize("NFKC", words)
    if any(ord(ch) >= 0x250 and unicodedata.category(ch)[0] in "LN" for ch in words):
        return ""
    # Japanese brackets and the middle dot are not letters: they only separate words.
    return "".join(ch if ord(ch) < 0x250 else " " for ch in words)


def _first_free(base: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever is not taken yet (the unique index has the last word)."""
    candidate, n = base, 2
    while slug_taken(candidate):
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def generate_slug(title: str, starts_at: datetime | None, *, title_translation: str = "",
                  tz_name: str = "Asia/Tokyo") -> str:
    """A readable, unique slug: from the title when it is in Latin script, else from its
    translation, else from the Japanese title in romaji, else `event-<date>-<random>`."""
    latin = (source for source in (title, title_translation) if source and _is_latin(source))
    # Romaji comes last and only when needed: the first use loads the dictionaries.
    for source in (*latin, None):
        source = _romaji(title) if source is None else source
        base = slugify(source, max_length=80, word_boundary=True) if source else ""
        if base:
            return _first_free(base)
    day = (starts_at or utcnow()).astimezone(ZoneInfo(tz_name)).strftime("%Y%m%d")
    return _first_free(f"event-{day}-{secrets.token_hex(3)}")


def copy_slug(slug: str) -> str:
    """The slug of a duplicated event."""
    return _first_free(f"{slug[:110]}-copy")
