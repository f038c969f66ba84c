"""A phone in Japanese: fill in and submit the registration form in a real browser (Chromium)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from events_app.enums import QuestionKind, RegistrationStatus
from events_app.events.models import Question
from events_app.extensions import db
from events_app.registration.models import Registration

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(launch_browser, live_server):
    browser = launch_browser()
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP",
                                  extra_http_headers={"Accept-Language": "ja"}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_alumna_registers_on_a_phone_in_japanese(app, db_backend, live_server, phone, make_event, make_session):
    event = make_event(title="合金鉄部 OB/OG 交流会", capacity=30)
    table = make_session(event, title="新規事業の壁打ち", capacity=5)
    same_time = make_session(event, title="採用の相談", capacity=5)  # the same hour as `table`
    question = Question(event_id=event.id, kind=QuestionKind.SINGLE_CHOICE, label="懇親会に参加しますか",
                        choices=["参加する", "参加しない"], required=True)
    db.session.add(question)
    db.session.commit()
    page = phone
    page.goto(f"{live_server.url}/events/{event.slug}/register")
    assert page.locator("h1").inner_text() == "合金鉄部 OB/OG 交流会"

    # Sending it empty: every problem is named in Japanese, nothing is lost.
    form = page.locator("form.reg-form")
    form.get_by_label("氏名").fill("山本 由美")
    form.get_by_role("button", name="申し込む").click()
    page.wait_for_selector(".field.has-error")
    text = page.locator("main").inner_text()
    assert "メールアドレスを入力してください。" in text and "フリガナをカタカナで入力してください。" in text
    form = page.locator("form.reg-form")
    assert form.get_by_label("氏名").input_value() == "山本 由美"

    form.get_by_label("フリガナ").fill("やまもと ゆみ")
    form.get_by_label("メールアドレス").fill("Yumi.Yamamoto@Example.jp")
    form.get_by_label("アルムナイ(OB/OG)").check()
    # Only the alumni fields are shown once the affiliation is chosen.
    assert form.get_by_label("部署", exact=True).is_hidden()
    form.get_by_label("現在の勤務先").fill("株式会社ミライ")
    form.get_by_label("出身部署").fill("合金鉄部")
    form.get_by_label("入社年").fill("2006")
    form.get_by_label("退職年").fill("2015")
    form.get_by_text("新規事業の壁打ち").click()
    # A table at the same time cannot be ticked as well, and says why.
    assert form.locator(f'input[name=session_ids][value="{same_time.id}"]').is_disabled()
    assert "同じ時間帯です" in form.locator("label.reg-session.is-conflict").inner_text()
    # The note sits under the session's own text, as wide as it, not squeezed into a third column.
    title = form.locator("label.reg-session.is-conflict strong").bounding_box()
    note = form.locator("label.reg-session.is-conflict .reg-conflict-note").bounding_box()
    assert note["y"] > title["y"] and abs(note["x"] - title["x"]) < 2
    form.get_by_label("参加する", exact=True).check()
    form.get_by_text("個人情報の取り扱いに同意します").click()
    # The page fits the phone's width: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    form.get_by_role("button", name="申し込む").click()

    page.wait_for_url("**/register/done")
    assert "参加登録が完了しました" in page.locator("main").inner_text()
    page.get_by_role("link", name="登録ページを開く").click()
    page.wait_for_url("**/r/*")
    assert "参加確定" in page.locator("#reg-status").inner_text()

    db.session.rollback()
    registration = db.session.scalar(select(Registration))
    assert registration.status == RegistrationStatus.CONFIRMED and registration.language == "ja"
    assert registration.person.email == "yumi.yamamoto@example.jp" and registration.person.name_kana == "ヤマモト ユミ"
    assert [c.session_id for c in registration.session_choices] == [table.id]
    assert registration.answers[0].value == "参加する"


def test_affiliation_details_appear_once_an_affiliation_is_chosen(app, db_backend, live_server, phone, make_event):
    """A short form first: the details that depend on the affiliation wait for the choice."""
    event = make_event(title="同期会")
    page = phone
    page.goto(f"{live_server.url}/events/{event.slug}/register")
    form = page.locator("form.reg-form")
    for label in ("現在の勤務先", "出身部署", "入社年", "部署"):
        assert form.get_by_label(label, exact=True).is_hidden()
    form.get_by_label("現役社員").check()
    assert form.get_by_label("部署", exact=True).is_visible() and form.get_by_label("入社年").is_visible()
    assert form.get_by_label("出身部署").is_hidden()
    form.get_by_label("アルムナイ(OB/OG)").check()
    assert form.get_by_label("出身部署").is_visible() and form.get_by_label("部署", exact=True).is_hidden()
