"""The door screen in Chromium: an offline admission whose first sync reached the server but not
its answer, undone meanwhile from another screen, re-syncs as `ok` with `undone: true`; the device
then no longer holds the person checked in (QA, issue 4)."""
from __future__ import annotations

import re

import pytest

from events_app.events.models import Event
from events_app.extensions import db
from events_app.tickets import services
from tests.test_checkin_browser import door_browser  # noqa: F401  (a fixture)
from tests.test_checkin_browser_qa15 import admit_offline, go_offline

pytestmark = pytest.mark.browser


def test_a_resynced_admission_undone_meanwhile_leaves_the_person_not_checked_in(door_browser, make_staff):
    page, context, registration = door_browser
    code = services.ticket_code(registration)
    go_offline(page, context)
    admit_offline(page, code)
    nonce = page.evaluate("window.DoorScreen.queue[0].nonce")
    # The queue's first sync was taken but its answer lost; another screen undid the admission.
    event, operator = db.session.get(Event, registration.event_id), make_staff("operator")
    services.sync_offline(event, [{"nonce": nonce, "code": code}], staff=operator)
    services.undo_check_in(event, registration.id, staff=operator, reason="別の方でした")
    # Only the sync's own answer may put the device right: the list's refresh and the polled
    # changes (which would also clear it, later) get nowhere.
    page.route(re.compile(r"/api/(offline|counts)"), lambda route: route.fulfill(status=503, body="{}"))
    context.set_offline(False)
    page.wait_for_function("document.getElementById('queue-label').dataset.count === '0'", timeout=15000)
    assert page.evaluate(f"window.DoorScreen.byId[{registration.id}].checked_in_at") is None
    assert page.evaluate("window.DoorScreen.load('cache', null).attendees[0].checked_in_at") is None  # kept so
    # What staff see: offline again, the ticket admits them anew, not "already checked in".
    go_offline(page, context)
    page.fill("#code-input", code)
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#result[data-result='ok']", timeout=5000)
