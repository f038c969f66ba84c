"""Translated names of event kinds and statuses, for pages and messages."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import pgettext

from ..enums import EventKind, EventStatus


def status_label(status: EventStatus) -> str:
    return {
        EventStatus.DRAFT: pgettext("event status", "draft"),
        EventStatus.PUBLISHED: pgettext("event status", "published"),
        EventStatus.CANCELLED: pgettext("event status", "cancelled"),
        EventStatus.COMPLETED: pgettext("event status", "completed"),
    }[EventStatus(status)]


def kind_label(kind: EventKind) -> str:
    return {
        EventKind.NETWORKING: _("Networking"),
        EventKind.BUSINESS_DISCUSSION: _("Business discussion"),
        EventKind.WEBINAR: _("Webinar"),
        EventKind.HYBRID: _("Hybrid"),
    }[EventKind(kind)]
