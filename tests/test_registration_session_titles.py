"""The registration capability names a session in its reader's language wherever that language is
known (the original where a session has no translation): messages to registrants (the form's
session choice and the recipient filter lines), the audit trail of a registration, the attendee's
"this session is full" message and the mail that a waitlisted place is now theirs."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from events_app.database import write_transaction
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.registration import services
from tests.messages_support import send, sent_messages

# (the event's language, the reader's, the translated session's title and its translation)
READERS = pytest.mark.parametrize("event_language, language, original, translation", [
    ("ja", "en", "A卓", "Table A"),  # an English reader of a Japanese event
    ("en", "ja", "Table A", "A卓"),  # a Japanese reader of an English event
])
UNTRANSLATED = "B卓"


@pytest.fixture
def tables(make_event, make_session):
    """tables(event_language, original, translation) -> (event, translated session, untranslated session),
    one hour each, one after the other (so one person may choose both)."""
    def factory(event_language, original, translation, **fields):
        event = make_event(language=event_language)
        middle = event.starts_at + timedelta(hours=1)
        return (event, make_session(event, title=original, title_translation=translation, ends_at=middle, **fields),
                make_session(event, title=UNTRANSLATED, starts_at=middle, **fields))
    return factory


def session_filter_titles(html: str) -> list[str]:
    """The sessions that recipient filter lines name, in page order."""
    return [title.strip() for title in re.findall(r"(?:Session|セッション): ([^<·]+)", html)]


# --- messages to registrants -----------------------------------------------------------------

@READERS
def test_the_message_form_offers_sessions_in_the_operators_language(
        db_backend, tables, operator_in, event_language, language, original, translation):
    event, translated, untranslated = tables(event_language, original, translation)
    html = operator_in(language).get(f"/admin/events/{event.slug}/messages").get_data(as_text=True)
    select_html = re.search(r'<select id="session" name="session">(.*?)</select>', html, re.S).group(1)
    options = dict(re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>', select_html))
    assert options == {str(translated.id): translation, str(untranslated.id): UNTRANSLATED}


@READERS
def test_recipient_filter_lines_name_sessions_in_the_operators_language(
        db_backend, tables, operator_in, make_registration, event_language, language, original, translation):
    event, translated, untranslated = tables(event_language, original, translation)
    for session in (translated, untranslated):
        services.update_choices(make_registration(event), session_ids=[session.id], answers=None)
    client = operator_in(language)
    preview = client.post(f"/admin/events/{event.slug}/messages/preview",
                          data={"subject": "お知らせ", "body": "本文", "statuses": ["confirmed"],
                                "session": str(translated.id), "idempotency_key": "k-preview"})
    for session in (translated, untranslated):
        assert send(client, event, session=str(session.id)).status_code == 302
    first, second = sent_messages()
    history = client.get(f"/admin/events/{event.slug}/messages").get_data(as_text=True)
    recipients = [client.get(f"/admin/events/{event.slug}/messages/{m.id}").get_data(as_text=True)
                  for m in (first, second)]
    assert {
        "preview": session_filter_titles(preview.get_data(as_text=True)),
        "history": sorted(session_filter_titles(history)),
        "recipient pages": [session_filter_titles(page) for page in recipients],
    } == {
        "preview": [translation],
        "history": sorted([translation, UNTRANSLATED]),
        "recipient pages": [[translation], [UNTRANSLATED]],
    }


# --- the registration's audit trail ----------------------------------------------------------

@READERS
def test_the_audit_trail_names_sessions_in_the_operators_language(
        db_backend, tables, operator_in, make_staff, make_registration, event_language, language, original,
        translation):
    event, translated, untranslated = tables(event_language, original, translation)
    registration = make_registration(event)
    services.update_choices(registration, session_ids=[translated.id, untranslated.id], answers=None,
                            actor=make_staff("operator"))
    html = operator_in(language).get(f"/admin/registrations/{registration.id}").get_data(as_text=True)
    added = re.search(r"(?:Sessions added|追加したセッション): ([^<]+)", html).group(1).strip()
    joined = {"en": f"{translation} and {UNTRANSLATED}", "ja": f"{translation}、{UNTRANSLATED}"}[language]
    assert added == joined


# --- the attendee's "this session is full" ---------------------------------------------------

@READERS
def test_the_session_is_full_message_names_sessions_in_the_attendees_language(
        client, db_backend, tables, make_session, make_registration, event_language, language, original,
        translation):
    event, translated, untranslated = tables(event_language, original, translation, capacity=1)
    held = make_session(event, title="C卓", capacity=5)
    attendee = make_registration(event)
    services.update_choices(attendee, session_ids=[held.id], answers=None)
    services.update_choices(make_registration(event), session_ids=[translated.id, untranslated.id],
                            answers=None)  # both are now full
    refused = client.post(f"/r/{attendee.manage_token}/choices",
                          data={"session_ids": [translated.id, untranslated.id]},
                          headers={"Accept-Language": language})
    page = refused.get_data(as_text=True)
    pattern = {"en": r"“(.*?)” is full\. Saving", "ja": r"「(.*?)」は満席です"}[language]
    assert refused.status_code == 422
    assert sorted(re.search(pattern, page).group(1).split("”, “")) == sorted([translation, UNTRANSLATED])


# --- the mail that a waitlisted place is now yours -------------------------------------------

def promoted_mail_text(registration_id: int) -> str:
    """The plain text of the registration's "a place is now yours" mail, as the mail worker builds it."""
    from events_app.mail.composer import compose

    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "registration_promoted",
                                                             OutboxMessage.registration_id == registration_id)
                                 ).one()
    message.message_id = f"<promoted-{message.id}@tsunagu>"
    return " ".join(compose(message).get_body(preferencelist=("plain",)).get_content().split())


@READERS
def test_the_promotion_mail_names_the_session_in_the_registrants_language(
        app, db_backend, tables, make_staff, make_person, make_registration, event_language, language, original,
        translation):
    event, translated, untranslated = tables(event_language, original, translation, capacity=1)
    operator = make_staff("operator")
    holders = {s.id: make_registration(event) for s in (translated, untranslated)}
    waiting = {s.id: make_registration(event, make_person(language=language)) for s in (translated, untranslated)}
    for session_id, registration in [*holders.items(), *waiting.items()]:
        services.update_choices(registration, session_ids=[session_id], answers=None)
    for registration in holders.values():  # each seat is given back: the waiting registrant gets it
        services.update_choices(registration, session_ids=[], answers=None, actor=operator)
    sentence = {"en": "Good news: a place at “{}” has become free", "ja": "「{}」に空きが出たため"}[language]
    texts = {session_id: promoted_mail_text(registration.id) for session_id, registration in waiting.items()}
    assert {session_id: [title for title in (original, translation, UNTRANSLATED)
                         if sentence.format(title) in text] for session_id, text in texts.items()} == {
        translated.id: [translation], untranslated.id: [UNTRANSLATED]}


def test_a_promotion_mail_queued_before_the_translated_title_still_names_its_session(
        app, db_backend, tables, make_person, make_registration):
    from events_app.mail.services import enqueue

    event, translated, _untranslated = tables("ja", "A卓", "Table A")
    registration = make_registration(event, make_person(language="en"))
    with write_transaction():  # the payload as it was written before it carried the reader's title
        enqueue("registration_promoted", to=registration.person.email, language="en", registration=registration,
                payload={"session_id": translated.id, "session_title": "A卓"})
    assert "Good news: a place at “A卓” has become free" in promoted_mail_text(registration.id)


# --- the door's counts, as the API document describes them -----------------------------------

def test_the_api_document_describes_the_counts_sessions_display_title_and_room(client, db_backend):
    document = client.get("/api/v1/openapi.json").get_json()
    summary = document["paths"]["/checkin/events/{slug}/counts"]["get"]["summary"]
    assert "[{id, title, display_title, room, checked_in, expected}]" in summary


# --- the form's "at the same time" refusal -----------------------------------------------------

@READERS
def test_overlapping_tables_are_named_in_the_attendees_language(
        client, db_backend, make_event, make_session, event_language, language, original, translation):
    """Two tables at the same hour cannot both be chosen; the refusal names them as the attendee
    reads them (a translated table by its translation, an untranslated one as it is)."""
    event = make_event(language=event_language)
    translated = make_session(event, title=original, title_translation=translation)
    untranslated = make_session(event, title=UNTRANSLATED)
    response = client.post(f"/api/v1/events/{event.slug}/registrations", headers={"Accept-Language": language},
                           json={"name": "鈴木 一郎", "name_kana": "スズキ イチロウ", "email": "overlap@example.jp",
                                 "affiliation": "alumni", "consent": True, "language": language,
                                 "session_ids": [translated.id, untranslated.id]})
    assert response.status_code == 422
    message = " ".join(response.get_json()["error"]["fields"]["session_ids"])
    assert translation in message and UNTRANSLATED in message and original not in message
