"""Words for registration codes as staff read them: affiliation, source, and the audit trail.

The codes themselves stay in the API JSON, where machines read them; the attendance exports use these
words too (reports.exports), since people open them in Excel.
Contexts (pgettext) keep these apart from same-English texts in other capabilities' catalogues,
which are merged into one: "Employee" there means 社員, here it must match the public form.
"""
from __future__ import annotations

from dataclasses import dataclass

from babel.lists import format_list
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from flask_babel import ngettext

from ..audit.models import AuditEntry
from ..enums import Affiliation, RegistrationStatus
from ..events.models import Event
from ..templating import localized
from .lifecycle import status_label


def affiliation_label(affiliation: Affiliation | str) -> str:
    return {
        Affiliation.ALUMNI: pgettext("affiliation", "Alumni"),
        Affiliation.EMPLOYEE: pgettext("affiliation", "Current employee"),
        Affiliation.GUEST: pgettext("affiliation", "Guest"),
    }[Affiliation(affiliation)]


def source_label(source: str) -> str:
    return {
        "web": pgettext("registration source", "Web form"),
        "api": pgettext("registration source", "API"),
        "walk_in": pgettext("registration source", "Walk-in at the door"),
        "operator": pgettext("registration source", "Added by staff"),
    }.get(source, source)


def action_label(action: str) -> str:
    """An audit action on a registration; an action added later shows its code until it gets a label."""
    return {
        "registration.create": pgettext("audit action", "Registered by staff"),
        "registration.update": pgettext("audit action", "Changed sessions or answers"),
        "registration.approve": pgettext("audit action", "Approved"),
        "registration.reject": pgettext("audit action", "Declined"),
        "registration.cancel": pgettext("audit action", "Cancelled"),
        "registration.promote": pgettext("audit action", "Promoted from the waitlist by staff"),
        "registration.promote_from_waitlist": pgettext("audit action", "Promoted from the waitlist (a seat was freed)"),
        "registration.move_in_waitlist": pgettext("audit action", "Moved in the waitlist"),
        "registration.switch_attendance": pgettext("audit action", "Switched between in person and online"),
        "ticket.reissued": pgettext("audit action", "Ticket reissued"),
        "checkin.undone": pgettext("audit action", "Check-in undone"),
        "checkin.conflict_reviewed": pgettext("audit action", "Check-in conflict reviewed"),
        "registrant_message.sent": pgettext("audit action", "Message sent to registrants"),
        "registrant_message.scheduled": pgettext("audit action", "Message to registrants scheduled"),
        "registrant_message.cancelled": pgettext("audit action", "Scheduled message cancelled"),
    }.get(action, action)


def actor_label(label: str) -> str:
    """Staff appear by their email; the other actors are recorded as codes."""
    return {
        "attendee": pgettext("audit actor", "The attendee"),
        "system": pgettext("audit actor", "Automatic"),
        "cli": pgettext("audit actor", "Command line"),
    }.get(label, label)


@dataclass(frozen=True)
class TrailLine:
    at: object
    actor: str
    action: str
    details: list[str]


def session_titles(event: Event) -> dict[int, str]:
    """Each session's title in the reader's language (the original where there is no translation)."""
    return {s.id: localized(s, "title") for s in event.sessions}


def _titles(ids, session_titles: dict[int, str]) -> str:
    names = [session_titles.get(int(i), f"#{i}") for i in ids]
    return format_list(names, locale=str(get_locale() or "ja"))


def _status(value: str) -> str:
    try:
        return status_label(RegistrationStatus(value))
    except ValueError:
        return value


def _mode(value: str) -> str:
    return {"in_person": _("In person"), "online": _("Online")}.get(value, value)


def detail_lines(details: dict, session_titles: dict[int, str]) -> list[str]:
    """An audit entry's details as sentences: session titles instead of ids, words instead of codes."""
    lines = []
    if "source" in details:
        lines.append(_("Source: %(source)s", source=source_label(details["source"])))
    if "status" in details:
        lines.append(_("Status: %(status)s", status=_status(details["status"])))
    if "attendance_to" in details:
        lines.append(_("Attendance: %(old)s → %(new)s", old=_mode(details.get("attendance_from", "")),
                       new=_mode(details["attendance_to"])))
    if "result" in details:
        lines.append(_("Result: %(status)s", status=_status(details["result"])))
    if "from" in details and "to" in details:
        lines.append(_("From position %(old)d to %(new)d", old=int(details["from"]), new=int(details["to"])))
    if details.get("sessions_added"):
        lines.append(_("Sessions added: %(titles)s", titles=_titles(details["sessions_added"], session_titles)))
    if details.get("sessions_removed"):
        lines.append(_("Sessions removed: %(titles)s", titles=_titles(details["sessions_removed"], session_titles)))
    if details.get("answers"):
        lines.append(_("Answers changed."))
    if details.get("session_id"):
        lines.append(_("Session: %(title)s", title=_titles([details["session_id"]], session_titles)))
    if details.get("message"):
        lines.append(_("Message: %(text)s", text=details["message"]))
    if details.get("reason"):
        lines.append(_("Reason: %(text)s", text=details["reason"]))
    if details.get("revoked_ticket_id"):
        lines.append(_("Replaces ticket #%(id)d", id=int(details["revoked_ticket_id"])))
    if details.get("note"):
        lines.append(_("Note: %(text)s", text=details["note"]))
    if details.get("subject"):
        lines.append(_("Subject: %(text)s", text=details["subject"]))
    if "recipients" in details:
        lines.append(ngettext("Sent to %(num)d person", "Sent to %(num)d people", int(details["recipients"])))
    known = {"source", "status", "result", "from", "to", "sessions_added", "sessions_removed", "answers",
             "attendance_from", "attendance_to",
             "session_id", "message", "reason", "revoked_ticket_id", "subject", "recipients",
             "note", "check_in_id"}  # check_in_id: the history row reviewed, an internal id
    # A detail without wording yet is still shown rather than hidden from the trail.
    lines.extend(f"{key}: {value}" for key, value in details.items() if key not in known)
    return lines


def trail_lines(entries: list[AuditEntry], session_titles: dict[int, str]) -> list[TrailLine]:
    return [TrailLine(entry.at, actor_label(entry.actor_label), action_label(entry.action),
                      detail_lines(entry.details or {}, session_titles)) for entry in entries]


def message_filter_lines(filters: dict, session_titles: dict[int, str]) -> list[str]:
    """A sent message's recipients as staff read them: "Included: Confirmed and Waitlist", ..."""
    statuses = {"confirmed": _("Confirmed"), "waitlisted": _("Waitlist"), "pending": _("Awaiting approval")}
    lines = [_("Included: %(list)s", list=format_list([statuses.get(s, s) for s in filters.get("statuses") or []],
                                                       locale=str(get_locale() or "ja")))]
    if filters.get("attendance"):
        mode = {"in_person": _("In person"), "online": _("Online")}.get(filters["attendance"], filters["attendance"])
        lines.append(_("Attendance: %(mode)s", mode=mode))
    if filters.get("affiliation"):
        lines.append(_("Affiliation: %(name)s", name=affiliation_label(filters["affiliation"])))
    if filters.get("session_id"):
        lines.append(_("Session: %(title)s", title=_titles([filters["session_id"]], session_titles)))
    if filters.get("attended"):
        lines.append(_("People who came") if filters["attended"] == "yes" else _("People who did not come"))
    return lines


def message_cancel_reason(reason) -> str:
    """Why a scheduled message was not sent, as staff read it."""
    return {"operator": _("Cancelled by an operator"),
            "event_cancelled": _("Not sent: the event was cancelled before the send time"),
            "no_recipients": _("Not sent: no one matched the recipients at the send time")
            }.get(getattr(reason, "value", reason) or "", "")
