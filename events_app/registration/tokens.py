"""The attendee's private link: an unguessable token derived from a random nonce."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from .models import Registration


def new_nonce() -> str:
    return secrets.token_hex(16)


def token_for_nonce(nonce: str) -> str:
    """The link token for a nonce: HMAC-SHA256 with the app's secret key, URL-safe."""
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"manage:{nonce}".encode(), hashlib.sha256).digest()
    import base64
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def assign_manage_token(registration: Registration) -> str:
    """Give a new registration its nonce and token hash; returns the token."""
    registration.manage_nonce = new_nonce()
    token = token_for_nonce(registration.manage_nonce)
    registration.manage_token_hash = hash_token(token)
    return token


def manage_token(registration: Registration) -> str:
    """The registration's current link token (to mail it again)."""
    return token_for_nonce(registration.manage_nonce)


def registration_for_token(token: str) -> Registration | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Registration).where(Registration.manage_token_hash == hash_token(token)))
