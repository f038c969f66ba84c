"""The mail of a message to registrants: the operator's plain text as safe HTML, the stored message
an outbox row refers to, and the preview staff read before sending.

The mail templates are templates/emails/registrant_message.*; the greeting, the event box, the
personal link and the footer come from templates/emails/_layout.* in the reader's language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from types import SimpleNamespace

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..events.models import Event
from ..extensions import db
from ..mail.models import OutboxMessage
from .links import manage_url
from .models import RegistrantMessage

TEMPLATE = "registrant_message"
PAYLOAD_KEY = "registrant_message_id"

# ASCII only: Japanese text written straight after a URL (「…/slidesをご覧ください」) ends it. The scheme
# alone ignores case: IGNORECASE on the class would let "k", "s" and "i" fold into the excluded range.
_URL = re.compile(r"(?i:https?)://[^\s<>\"'\x00-\x1f\x7f-\U0010ffff]+")
# Punctuation that closes a sentence rather than the URL ("see https://x.jp/a." or "(https://x.jp/a)").
_TRAILING = ".,;:!?'\")]}"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u3000]*\n")


def _split_url(candidate: str) -> tuple[str, str]:
    url = candidate
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break  # https://ja.wikipedia.org/wiki/Foo_(bar) keeps its own parenthesis
        url = url[:-1]
    return url, candidate[len(url):]


def _linked(text: str) -> Markup:
    out, position = [], 0
    for match in _URL.finditer(text):
        url, rest = _split_url(match.group(0))
        out.append(escape(text[position:match.start()]))
        out.append(Markup('<a href="{0}" style="color:#1d4e89;">{0}</a>').format(url))
        out.append(escape(rest))
        position = match.end()
    out.append(escape(text[position:]))
    return Markup("").join(out)


def text_to_html(text: str) -> Markup:
    """Plain text as HTML: escaped, paragraphs at blank lines, line breaks kept, URLs as links."""
    paragraphs = [p for p in _PARAGRAPH_BREAK.split((text or "").replace("\r\n", "\n").strip("\n")) if p.strip()]
    return Markup("\n").join(
        Markup('<p style="margin:0 0 1em;">{}</p>').format(Markup("<br>\n").join(_linked(line) for line in p.split("\n")))
        for p in paragraphs)


def message_for_payload(payload: dict) -> RegistrantMessage | None:
    """The message an outbox row of template `registrant_message` carries."""
    message_id = (payload or {}).get(PAYLOAD_KEY)
    return db.session.get(RegistrantMessage, int(message_id)) if message_id else None


@dataclass(frozen=True)
class MailPreview:
    language: str
    subject: str
    text: str
    html: str


def preview_mail(event: Event, message: RegistrantMessage, language: str) -> MailPreview:
    """The mail as a reader of `language` gets it; the greeting and the link are placeholders,
    since each recipient's are their own (a real personal link is a secret, even from staff)."""
    outbox = OutboxMessage(template=TEMPLATE, language=language, payload={}, event_id=event.id)
    with force_locale(language):
        context = dict(message=outbox, registration=None, event=event, payload={}, inline_images={},
                       person=SimpleNamespace(name=_("(recipient's name)")),
                       links={"manage": manage_url("…")}, registrant_message=message)
        subject = render_template(f"emails/{TEMPLATE}.subject.txt", **context)
        text = render_template(f"emails/{TEMPLATE}.txt", **context)
        html = render_template(f"emails/{TEMPLATE}.html", **context)
    return MailPreview(language, " ".join(subject.split()), text, html)
