"""The feedback survey: invitations after the event (once, cron-safe) and the attendee's one response."""
from __future__ import annotations

from datetime import timedelta

import re

import pytest
from flask_babel import refresh
from sqlalchemy import func, select

from events_app.extensions import db
from tests.reports_seed import seeded  # noqa: F401  (fixture)

ATTENDEES = {"hanako", "ken", "ichiro", "makoto", "naoki"}  # in person, online and the walk-in


@pytest.fixture
def app_config(app_config, mail_config):
    return {**app_config, **mail_config}


def outbox(template="survey_invitation"):
    from events_app.mail.models import OutboxMessage

    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                                   .order_by(OutboxMessage.id)))


def responses_count() -> int:
    from events_app.reports.models import SurveyResponse

    return db.session.scalar(select(func.count(SurveyResponse.id)))


def survey_url(reg) -> str:
    return f"/r/{reg.manage_token}/survey"


# --- invitations ---------------------------------------------------------------------------

def test_send_followups_twice_queues_one_invitation_per_attendee(seeded, runner):
    first = runner.invoke(args=["send-followups"])
    assert first.exit_code == 0 and "5" in first.output
    second = runner.invoke(args=["send-followups"])
    assert second.exit_code == 0 and "0" in second.output
    messages = outbox()
    by_registration = {m.registration_id for m in messages}
    assert len(messages) == len(by_registration) == 5
    expected = {seeded.registrations[k].id for k in ATTENDEES}
    assert by_registration == expected  # no-shows, the cancelled and the waitlisted get nothing
    assert {m.dedupe_key for m in messages} == {f"survey:{i}" for i in expected}


def test_invitations_wait_until_the_morning_after(seeded):
    from events_app.reports.survey import invitation_due_at, send_followups

    due = invitation_due_at(seeded.event)
    assert due.astimezone(seeded.event.tz).hour == 9 and due > seeded.event.ends_at
    assert send_followups(now=due - timedelta(minutes=1)) == 0
    assert send_followups(now=due) == 5


def test_no_invitations_once_the_survey_closed_or_when_disabled(seeded):
    from events_app.reports.survey import send_followups

    seeded.event.survey_enabled = False
    db.session.commit()
    assert send_followups() == 0
    seeded.event.survey_enabled = True
    seeded.event.survey_closes_at = seeded.event.ends_at + timedelta(hours=3)
    db.session.commit()
    assert send_followups() == 0 and outbox() == []


def test_attendee_who_already_answered_is_not_invited(seeded, client):
    from events_app.reports.survey import send_followups

    client.post(survey_url(seeded.registrations["hanako"]), data={"score": "9"})
    assert send_followups() == 4


def test_invitation_is_delivered_with_the_survey_link(seeded, runner, smtp_server):
    from events_app.mail.worker import drain

    runner.invoke(args=["send-followups"])
    sent, failed = drain()
    assert (sent, failed) == (5, 0)
    messages = smtp_server.wait_for(5)
    hanako = seeded.registrations["hanako"]
    mine = next(m for m in messages if m["To"] == seeded.people["hanako"].email)
    assert "アルムナイ交流会 2026 秋" in mine["Subject"]
    body = mine.get_body(("plain",)).get_content()
    assert f"http://localhost/r/{hanako.manage_token}/survey" in body
    assert "山田 花子 様" in body


# --- the survey page -----------------------------------------------------------------------

def test_attendee_answers_once_and_can_edit(seeded, client):
    from events_app.reports.models import SurveyResponse

    url = survey_url(seeded.registrations["hanako"])
    page = client.get(url)
    assert page.status_code == 200 and "イベントはいかがでしたか" in page.get_data(as_text=True)
    answer = {"score": "8", "most_useful": "同期との再会", "comments": "また参加したいです",
              "introduction_requests": "合金鉄部の方", "would_host": "y"}
    response = client.post(url, data=answer)
    assert response.status_code == 302
    assert "回答を保存しました" in client.get(url).get_data(as_text=True)
    edited = client.post(url, data={**answer, "score": "10", "would_host": ""}, follow_redirects=True)
    assert "回答を更新しました" in edited.get_data(as_text=True)
    assert responses_count() == 1
    saved = db.session.scalar(select(SurveyResponse))
    db.session.refresh(saved)
    assert (saved.score, saved.would_host, saved.introduction_requests) == (10, False, "合金鉄部の方")
    page = client.get(url).get_data(as_text=True)
    assert "回答済みです" in page
    assert re.search(r'<input checked id="score-10"', page)  # the saved score is shown


def test_missing_score_is_explained_and_keeps_the_text(seeded, client):
    url = survey_url(seeded.registrations["ken"])
    response = client.post(url, data={"comments": "長いコメントをここに書きました"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "0〜10の中から選んでください" in html and "長いコメントをここに書きました" in html
    assert responses_count() == 0


def test_score_out_of_range_is_refused(seeded, client):
    response = client.post(survey_url(seeded.registrations["ken"]), data={"score": "11"})
    assert response.status_code == 422 and responses_count() == 0


def test_people_who_did_not_come_are_told_so(seeded, client):
    url = survey_url(seeded.registrations["misaki"])  # confirmed, never checked in
    page = client.get(url)
    assert page.status_code == 403
    assert "ご参加いただいた方が対象です" in page.get_data(as_text=True)
    assert client.post(url, data={"score": "5"}).status_code == 403
    assert responses_count() == 0


def test_closed_survey_says_so_and_saves_nothing(seeded, client):
    url = survey_url(seeded.registrations["hanako"])
    client.post(url, data={"score": "7"})
    seeded.event.survey_closes_at = seeded.event.ends_at + timedelta(minutes=1)
    db.session.commit()
    refresh()  # the test's app context outlives requests; forget the locale the last one cached
    page = client.get(url + "?lang=en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "The survey is closed" in text and "Your answers were received" in text
    assert client.post(url, data={"score": "1"}).status_code == 409
    from events_app.reports.models import SurveyResponse
    saved = db.session.scalar(select(SurveyResponse))
    db.session.refresh(saved)
    assert saved.score == 7


def test_survey_opens_only_after_the_event(make_event, make_registration, client):
    from tests.conftest import in_days

    event = make_event(starts_at=in_days(3))
    reg = make_registration(event, checked_in_at=in_days(3))
    page = client.get(survey_url(reg))
    assert "アンケートはイベント終了後に回答できます" in page.get_data(as_text=True)


def test_unknown_link_is_404(app, client):
    assert client.get("/r/not-a-real-token/survey").status_code == 404


def test_survey_default_closes_two_weeks_after_the_end(seeded):
    from events_app.reports.survey import survey_closes_at

    assert survey_closes_at(seeded.event) == seeded.event.ends_at + timedelta(days=14)
