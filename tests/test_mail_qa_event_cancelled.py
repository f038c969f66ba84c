"""The event-cancelled mail promises nothing a cancelled event no longer offers: no join link to come,
no choices to change; it points to the registration page for the status only."""
from __future__ import annotations

import pytest

from events_app.enums import EventKind
from tests.support import deliver_mail as deliver


@pytest.fixture
def app_config(app_config, mail_config):
    return {**app_config, **mail_config}


@pytest.mark.parametrize("kind, mode", [(EventKind.WEBINAR, "online"), (EventKind.NETWORKING, "in_person")])
def test_the_event_cancelled_mail_only_offers_to_check_the_status(client, runner, smtp_server, staff_token,
                                                                  make_event, make_registration, kind, mode):
    event = make_event(title="キャリア座談会", kind=kind, online_url="https://meet.example/abc"
                       if kind == EventKind.WEBINAR else "")
    make_registration(event, attendance_mode=mode, language="ja")
    assert client.post(f"/api/v1/events/{event.slug}/cancel", headers=staff_token,
                       json={"reason": "講師の体調不良のため"}).status_code == 200
    deliver(runner)
    [mail] = smtp_server.wait_for(1)
    assert str(mail["Subject"]) == "【中止】キャリア座談会"
    for subtype in ("plain", "html"):
        body = mail.get_body(preferencelist=(subtype,)).get_content()
        assert "登録ページで状況をご確認いただけます。" in body
        assert "選択内容の変更" not in body and "キャンセルができます" not in body
        assert "開始前にもメールでお送りします" not in body
