"""The door screen's breakout tables follow the programme while it is open: a table added or
removed after the screen loaded gains or loses its chip and its place in the table choice with the
next counts answer, no reload."""
from __future__ import annotations

import pytest
from sqlalchemy import delete

from events_app.database import write_transaction
from events_app.events import programme
from events_app.events.models import EventSession
from events_app.registration.models import RegistrationSession
from events_app.tickets import services
from tests.test_checkin_browser import door_browser  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser


def poll(page) -> None:
    """The screen's 5 s counts poll, now rather than after the wait."""
    page.evaluate("DoorScreen.refreshCounts()")


def chips(page) -> list[str]:
    return page.eval_on_selector_all("#session-counts li", "items => items.map(i => i.innerText.replace(/\\s+/g, ' '))")


def choices(page) -> list[tuple[str, str]]:
    options = page.eval_on_selector_all("#session-select option", "os => os.map(o => [o.value, o.text])")
    return [tuple(o) for o in options]


def test_tables_added_and_removed_after_the_screen_loaded_come_and_go_without_a_reload(door_browser):  # noqa: F811
    page, context, registration = door_browser
    event = registration.event
    assert page.is_hidden("#session-counts") and page.is_hidden("#session-select")  # no tables yet
    # Meanwhile an operator adds two tables; the guest at the door chose A卓. Written as the app
    # writes (SQLite: BEGIN IMMEDIATE), since the screen polls at the same time.
    with write_transaction() as session:
        table, other = (EventSession(event_id=event.id, title=title, starts_at=event.starts_at, ends_at=event.ends_at,
                                     position=position) for position, title in enumerate(("A卓", "B卓")))
        session.add_all([table, other])
        session.flush()
        session.add(RegistrationSession(registration_id=registration.id, session_id=table.id, status="confirmed"))
    poll(page)
    page.wait_for_selector(f"#session-count-{other.id}", timeout=10000)
    assert chips(page) == ["A卓 0 / 1", "B卓 0 / 0"]
    assert choices(page)[1:] == [(str(table.id), "A卓"), (str(other.id), "B卓")]
    assert page.is_visible("#session-counts") and page.is_visible("#session-select")

    # The table being checked in for is removed: its chip and choice go, and the screen checks in
    # at the entrance again rather than for a table that no longer exists.
    page.select_option("#session-select", str(other.id))
    assert page.get_attribute(f"#session-count-{other.id}", "aria-current") == "true"
    programme.remove_session(event.id, other.id, actor=None)
    poll(page)
    page.wait_for_selector(f"#session-count-{other.id}", state="detached", timeout=10000)
    assert chips(page) == ["A卓 0 / 1"] and choices(page)[1:] == [(str(table.id), "A卓")]
    assert page.input_value("#session-select") == ""

    # The last table goes: the section and the choice hide again, as on an event without tables.
    with write_transaction() as session:
        session.execute(delete(RegistrationSession).where(RegistrationSession.session_id == table.id))
    programme.remove_session(event.id, table.id, actor=None)
    poll(page)
    page.wait_for_selector("#session-counts", state="hidden", timeout=10000)
    assert chips(page) == [] and page.is_hidden("#session-select")


def test_a_table_added_after_the_screen_loaded_reads_in_the_screens_language(door_browser):  # noqa: F811
    """A Japanese event's door screen in English: the new table's chip and choice read as the page
    would have rendered them at load (the counts answer's `display_title`), not in Japanese."""
    page, context, registration = door_browser
    event = registration.event
    context.add_cookies([{"name": "tsunagu_lang", "value": "en", "url": page.url}])
    page.reload()
    page.wait_for_selector("#cache-status[data-count='1']", timeout=15000)
    assert page.get_attribute("html", "lang") == "en"
    with write_transaction() as session:
        table = EventSession(event_id=event.id, title="A卓", title_translation="Table A", starts_at=event.starts_at,
                             ends_at=event.ends_at)
        session.add(table)
    poll(page)
    page.wait_for_selector(f"#session-count-{table.id}", timeout=10000)
    assert chips(page) == ["Table A 0 / 0"]
    assert choices(page)[1:] == [(str(table.id), "Table A")]


def test_a_table_with_a_room_added_after_the_screen_loaded_shows_its_room_in_the_choice(door_browser):  # noqa: F811
    """As the page renders a table choice at load, "title (room)"; the chip stays the title alone."""
    page, context, registration = door_browser
    event = registration.event
    with write_transaction() as session:
        table, other = (EventSession(event_id=event.id, title=title, room=room, starts_at=event.starts_at,
                                     ends_at=event.ends_at, position=position)
                        for position, (title, room) in enumerate((("A卓", "会議室3"), ("B卓", ""))))
        session.add_all([table, other])
    poll(page)
    page.wait_for_selector(f"#session-count-{other.id}", timeout=10000)
    assert choices(page)[1:] == [(str(table.id), "A卓 (会議室3)"), (str(other.id), "B卓")]
    assert chips(page) == ["A卓 0 / 0", "B卓 0 / 0"]


def test_the_result_of_a_table_check_in_names_the_table_in_the_screens_language(door_browser):  # noqa: F811
    """The result panel reads the scan answer's `display_title`, as the table choice does."""
    page, context, registration = door_browser
    event = registration.event
    context.add_cookies([{"name": "tsunagu_lang", "value": "en", "url": page.url}])
    page.reload()
    page.wait_for_selector("#cache-status[data-count='1']", timeout=15000)
    with write_transaction() as session:
        table = EventSession(event_id=event.id, title="A卓", title_translation="Table A", starts_at=event.starts_at,
                             ends_at=event.ends_at)
        session.add(table)
        session.flush()
        session.add(RegistrationSession(registration_id=registration.id, session_id=table.id, status="confirmed"))
    poll(page)
    page.wait_for_selector(f"#session-count-{table.id}", timeout=10000)
    page.select_option("#session-select", str(table.id))
    page.fill("#code-input", services.ticket_code(registration))
    page.click("#code-form button[type=submit]")
    page.wait_for_selector("#result[data-result='ok']", timeout=10000)
    assert page.inner_text("#result-extra").startswith("Table A")
