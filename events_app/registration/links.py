"""Absolute URLs of an attendee's private pages, built from BASE_URL (mail has no request)."""
from __future__ import annotations

from flask import current_app

from .models import Registration
from .tokens import manage_token


def base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def manage_url(token: str) -> str:
    return f"{base_url()}/r/{token}"


def registration_links(registration: Registration, token: str | None = None) -> dict[str, str]:
    """The links an attendee gets: their page, their calendar invite, their ticket QR.

    Fixed paths (owned by: registration `/r/<token>`, calendar `/r/<token>/invite.ics`,
    tickets `/r/<token>/ticket.png`), so every capability can link without importing the others.
    """
    return links_for_token(token or manage_token(registration))


def links_for_token(token: str) -> dict[str, str]:
    """`registration_links` from the raw token alone (a new registration's answer: no row to load)."""
    root = manage_url(token)
    return {
        "manage": root,
        "calendar": f"{root}/invite.ics",
        "ticket_qr": f"{root}/ticket.png",
    }
