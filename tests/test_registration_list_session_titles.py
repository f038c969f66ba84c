"""The operators' list of registrations filters by session with each title in the operator's
language (the original where a session has no translation), as the event page shows them."""
from __future__ import annotations

import re

import pytest

from events_app.extensions import db


@pytest.mark.parametrize("event_language, language, original, translation", [
    ("ja", "en", "A卓", "Table A"),  # an English operator of a Japanese event
    ("en", "ja", "Table A", "A卓"),  # a Japanese operator of an English event
])
def test_the_session_filter_names_sessions_in_the_operators_language(client, login, make_staff, db_backend, make_event,
                                                                     make_session, event_language, language, original,
                                                                     translation):
    event = make_event(language=event_language)
    table = make_session(event, title=original, title_translation=translation)
    other = make_session(event, title="B卓")
    operator = make_staff("operator")
    operator.language = language
    db.session.commit()
    html = login(operator).get(f"/admin/events/{event.slug}/registrations").get_data(as_text=True)
    select = re.search(r'<select id="session" name="session">(.*?)</select>', html, re.S).group(1)
    options = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select))
    assert options == {str(table.id): translation, str(other.id): "B卓"}
