"""Ticket documents as pure functions returning bytes: QR PNG, QR SVG, one-page PDF."""
from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from qrcode.constants import ERROR_CORRECT_M


def _qr(text: str) -> qrcode.QRCode:
    # Level M survives a scuffed print or a cracked phone screen; 4 modules of quiet zone is
    # what the standard asks for and what cheap phone cameras need.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    return qr


def qr_png(text: str, *, box_size: int = 10) -> bytes:
    qr = _qr(text)
    qr.box_size = box_size
    image = qr.make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def qr_svg(text: str) -> bytes:
    """A standalone SVG (one path, white background) that scales without blur."""
    image = _qr(text).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def qr_data_uri(text: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(text, box_size=8)).decode()


def ticket_pdf(html: str) -> bytes:
    """The printable ticket from its rendered HTML (templates/tickets/ticket_pdf.html)."""
    from ..pdf import html_to_pdf

    return html_to_pdf(html)
