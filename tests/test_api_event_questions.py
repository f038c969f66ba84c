"""The public event JSON lists its custom questions: enough for a client to build `answers`."""
from __future__ import annotations

import pytest

from events_app.enums import QuestionKind
from events_app.events.models import Question
from events_app.extensions import db

EN = {"Accept-Language": "en"}
JA = {"Accept-Language": "ja"}


@pytest.fixture
def event_with_questions(make_event):
    """An event in Japanese with one question of each kind; some have English translations."""
    event = make_event()
    questions = [
        Question(event_id=event.id, kind=QuestionKind.SINGLE_CHOICE, label="懇親会の食事", label_translation="Dinner",
                 choices=["肉", "魚"], choices_translation=["Meat", "Fish"], required=True, position=0),
        Question(event_id=event.id, kind=QuestionKind.MULTIPLE_CHOICE, label="関心のあるテーマ",
                 choices=["採用", "協業"], required=False, position=1),
        Question(event_id=event.id, kind=QuestionKind.YES_NO, label="名刺交換を希望しますか",
                 label_translation="Exchange business cards?", required=True, position=2),
        Question(event_id=event.id, kind=QuestionKind.TEXT, label="一言", required=False, position=3),
    ]
    db.session.add_all(questions)
    db.session.commit()
    return event


def questions_of(client, event, headers) -> list[dict]:
    response = client.get(f"/api/v1/events/{event.slug}", headers=headers)
    assert response.status_code == 200
    return response.get_json()["questions"]


def test_the_event_lists_its_questions_in_order_with_kind_and_required(client, db_backend, event_with_questions):
    questions = questions_of(client, event_with_questions, JA)
    assert [(q["label"], q["kind"], q["required"]) for q in questions] == [
        ("懇親会の食事", "single_choice", True), ("関心のあるテーマ", "multiple_choice", False),
        ("名刺交換を希望しますか", "yes_no", True), ("一言", "text", False)]
    assert all(isinstance(q["id"], int) for q in questions)


def test_choices_carry_the_value_to_send_and_the_label_to_show(client, db_backend, event_with_questions):
    dinner, themes, cards, comment = questions_of(client, event_with_questions, JA)
    assert dinner["choices"] == [{"value": "肉", "label": "肉"}, {"value": "魚", "label": "魚"}]
    assert themes["choices"] == [{"value": "採用", "label": "採用"}, {"value": "協業", "label": "協業"}]
    assert cards["choices"] == [] and comment["choices"] == []


def test_an_english_client_reads_the_translations_but_sends_the_original_values(client, db_backend,
                                                                                 event_with_questions):
    dinner, themes, cards, comment = questions_of(client, event_with_questions, EN)
    assert dinner["label"] == "Dinner"
    assert dinner["choices"] == [{"value": "肉", "label": "Meat"}, {"value": "魚", "label": "Fish"}]
    assert cards["label"] == "Exchange business cards?"
    # No translation given: the original is all there is.
    assert themes["label"] == "関心のあるテーマ" and themes["choices"][0] == {"value": "採用", "label": "採用"}


def test_the_lang_parameter_chooses_the_language_as_on_the_pages(client, db_backend, event_with_questions):
    response = client.get(f"/api/v1/events/{event_with_questions.slug}?lang=en", headers=JA)
    assert response.get_json()["questions"][0]["label"] == "Dinner"


def test_answers_built_from_the_listing_register(client, db_backend, event_with_questions):
    """The point of the listing: a client that only reads it sends answers the API accepts."""
    questions = questions_of(client, event_with_questions, EN)
    example = {"text": "よろしく", "yes_no": True}
    answers = {}
    for q in questions:
        if q["kind"] == "single_choice":
            answers[str(q["id"])] = q["choices"][1]["value"]
        elif q["kind"] == "multiple_choice":
            answers[str(q["id"])] = [c["value"] for c in q["choices"]]
        else:
            answers[str(q["id"])] = example[q["kind"]]
    response = client.post(f"/api/v1/events/{event_with_questions.slug}/registrations", headers=EN, json={
        "name": "Ichiro Suzuki", "email": "ichiro@example.jp", "affiliation": "alumni", "consent": True,
        "answers": answers})
    assert response.status_code == 201, response.get_json()


def test_an_event_without_questions_lists_none(client, db_backend, make_event):
    assert questions_of(client, make_event(), JA) == []


def test_the_openapi_document_describes_the_questions(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["Event"]["properties"]["questions"]["items"] == {"$ref": "#/components/schemas/Question"}
    question = schemas["Question"]["properties"]
    assert set(question) >= {"id", "label", "kind", "required", "choices"}
    assert question["kind"]["enum"] == ["text", "single_choice", "multiple_choice", "yes_no"]
    assert set(question["choices"]["items"]["properties"]) == {"value", "label"}


def test_a_text_question_says_how_long_an_answer_may_be(client, db_backend, event_with_questions):
    dinner, _themes, _cards, comment = questions_of(client, event_with_questions, JA)
    assert comment["max_length"] == 2000 and dinner["max_length"] is None
