"""Catalogues of all capabilities are merged into one: the same English text must not mean
two different things in Japanese (the later catalogue would silently win everywhere)."""
from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext, pgettext

PACKAGE = Path(__file__).resolve().parent.parent / "events_app"

# The same English text translated with harmless variations (synonyms, a longer wording);
# the merged result reads well wherever it appears. Anything else must use a distinct msgid
# or a context (pgettext).
ACCEPTED_VARIANTS = {
    "Date", "Message from the organisers:", "Status", "Cancelled", "Registrations",
    "The year of leaving cannot be before the year of joining.", "We could not find that event.",
    "cancelled", "Confirmed", "Employee", "In person", "Attendance", "Source",
    "Attended", "Please correct the highlighted fields.", "Failed", "Queued", "Time",
    "Checked in", "Alumni", "Company", "The body must be a JSON object.",
}


def _translations_by_msgid() -> dict[tuple[str | None, str], set[str]]:
    seen: dict[tuple[str | None, str], set[str]] = {}
    for po in PACKAGE.glob("**/translations/ja/LC_MESSAGES/messages.po"):
        with po.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.string:
                    key = message.id if isinstance(message.id, str) else message.id[0]
                    value = message.string if isinstance(message.string, str) else message.string[0]
                    seen.setdefault((message.context, key), set()).add(value)
    return seen


def test_no_english_text_means_two_different_things_in_japanese():
    conflicts = sorted(key for (ctx, key), values in _translations_by_msgid().items()
                       if len(values) > 1 and key not in ACCEPTED_VARIANTS)
    assert conflicts == []


def test_event_and_registration_wordings_stay_apart(app):
    with app.test_request_context("/"), force_locale("ja"):
        assert pgettext("event status", "cancelled") == "中止"
        assert gettext("Event cancelled") == "中止"
        assert gettext("Registered on") == "申込日時"
        assert gettext("Done by") == "実施者"
        assert gettext("Keep the event") == "中止しない"
        assert gettext("Business discussion") == "事業の壁打ち"


def test_staff_pages_call_employees_what_the_public_form_does(app):
    # Check-in and reports say 現役社員 like the registration form, not 社員.
    with app.test_request_context("/"), force_locale("ja"):
        assert gettext("Employee") == gettext("Employees") == "現役社員"
