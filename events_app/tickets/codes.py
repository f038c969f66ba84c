"""Ticket codes: a random 128-bit id plus a truncated HMAC, in a compact base32 form.

A code is base32(id[16 bytes] + HMAC-SHA256(key, id)[:9 bytes]) = 40 characters of A-Z2-7,
exactly (25 bytes is a multiple of 5, so there are no padding bits that two spellings could
share). The id is random, so codes cannot be enumerated or guessed from database ids; the
72-bit MAC makes a forged or mistyped code fail before any database lookup. The key is
derived from SECRET_KEY with a salt of its own, so a ticket MAC can never be replayed as
another signature the app makes (attendee links, sessions).

The QR holds `BASE_URL/t/<code>`: an attendee who scans it sees their ticket page, and the
scanner accepts the whole URL or the bare code ("the QR's text exactly as scanned").
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata
from functools import lru_cache

from flask import current_app

ID_BYTES = 16
MAC_BYTES = 9
CODE_LENGTH = 40  # (16 + 9) * 8 / 5
_SALT = b"tsunagu.ticket.v1"
# Letters people confuse when typing a code by hand; base32 has none of 0, 1, 8.
_TYPING_FIXES = str.maketrans({"0": "O", "1": "I", "8": "B"})
_URL_PATH = re.compile(r"/t/([^/?#\s]+)")
_SEPARATORS = re.compile(r"[\s\-_.]")
_BASE32 = re.compile(r"[A-Z2-7]+")


@lru_cache(maxsize=8)
def _key_for(secret: str) -> bytes:
    # Derived once per SECRET_KEY, not on every scan (a key rotation simply derives the new one).
    return hmac.digest(secret.encode(), _SALT, "sha256")


def _mac(raw_id: bytes) -> bytes:
    return hmac.digest(_key_for(current_app.config["SECRET_KEY"]), raw_id, "sha256")[:MAC_BYTES]


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=")


def new_code_id() -> str:
    """A fresh random ticket id (stored in Ticket.code_id): 26 base32 characters."""
    return _b32(secrets.token_bytes(ID_BYTES))


def _raw_id(code_id: str) -> bytes:
    return base64.b32decode(code_id + "=" * (-len(code_id) % 8))


def code_for(code_id: str) -> str:
    """The printable, signed code for a stored ticket id."""
    raw = _raw_id(code_id)
    return _b32(raw + _mac(raw))


def ticket_url(code: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/t/{code}"


def canonical(text: str) -> str:
    """The code inside what a scanner or a person typed: a full URL or the bare code.

    Case, spaces and dashes do not matter, nor full-width letters and digits (a Japanese phone
    keyboard's); 0/1/8 typed for O/I/B are read as letters. The same rules exist in
    static/js/checkin-codes.js for offline decisions.
    """
    text = unicodedata.normalize("NFKC", text or "").strip()
    match = _URL_PATH.search(text)
    if match:
        text = match.group(1)
    text = _SEPARATORS.sub("", text).upper().translate(_TYPING_FIXES)
    return text


def verify(text: str) -> str | None:
    """The stored ticket id of a genuine code, or None for anything forged, altered or malformed."""
    code = canonical(text)
    if len(code) != CODE_LENGTH or not _BASE32.fullmatch(code):
        return None
    try:
        data = base64.b32decode(code)
    except ValueError:
        return None
    raw, mac = data[:ID_BYTES], data[ID_BYTES:]
    if not hmac.compare_digest(mac, _mac(raw)):
        return None
    return _b32(raw)


def code_hash(code: str) -> str:
    """What an offline device stores per ticket: SHA-256 of the code, never the code itself.

    A phone that caches the attendee list can recognise a scanned code, but whoever copies
    that cache cannot print a ticket from it.
    """
    return hashlib.sha256(canonical(code).encode()).hexdigest()[:32]
