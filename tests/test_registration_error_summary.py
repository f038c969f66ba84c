"""A refused registration form says at the top what to fix, with a link to each field."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from events_app.enums import QuestionKind
from events_app.events.models import Question
from events_app.extensions import db
from events_app.registration.models import Registration
from tests.test_registration_pages import form_data


def summary_items(html: str) -> list[tuple[str, str]]:
    """(link target, text) of each entry in the error summary, in page order."""
    box = html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    return [(href, re.sub(r"<[^>]+>|\s+", " ", text).strip())
            for href, text in re.findall(r'<a href="(#[^"]+)">(.*?)</a>', box, re.S)]


def test_a_missing_answer_to_a_question_is_summarised_at_the_top(client, db_backend, make_event):
    event = make_event()
    q = Question(event_id=event.id, kind=QuestionKind.TEXT, label="壁打ちしたいテーマ", required=True)
    db.session.add(q)
    db.session.commit()
    response = client.post(f"/events/{event.slug}/register", data=form_data(), headers={"Accept-Language": "ja"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert summary_items(html) == [(f"#field-q-{q.id}", "壁打ちしたいテーマ：この質問は回答必須です。")]
    assert html.index('id="error-summary"') < html.index("<form")
    assert f'id="field-q-{q.id}"' in html and db.session.scalar(select(func.count(Registration.id))) == 0


def test_field_errors_are_listed_in_form_order_with_links(client, db_backend, make_event):
    event = make_event()
    response = client.post(f"/events/{event.slug}/register", data=form_data(email="not-an-address", name=""),
                           headers={"Accept-Language": "ja"})
    html = response.get_data(as_text=True)
    items = summary_items(html)
    assert [href for href, _text in items] == ["#field-name", "#field-email"]
    assert items[0][1].startswith("氏名：") and items[1][1].startswith("メールアドレス：")
    for href, _text in items:
        assert f'id="{href[1:]}"' in html  # every link lands on its field


def test_a_valid_form_has_no_summary(client, db_backend, make_event):
    event = make_event()
    assert 'id="error-summary"' not in client.get(f"/events/{event.slug}/register").get_data(as_text=True)
