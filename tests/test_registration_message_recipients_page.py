"""One sent message's recipients: who got it and where each mail is, as a page and as an audited CSV."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from events_app.audit.models import AuditEntry
from events_app.database import write_transaction
from events_app.enums import OutboxStatus
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from events_app.registration.message_recipients import EXPORT_ACTION
from tests.conftest import STAFF_PASSWORD
from tests.messages_support import CROWD, DELIVERED, FAILED, send, send_to_crowd, sent_messages

SENT_AT = datetime(2030, 5, 1, 1, 30, tzinfo=timezone.utc)      # 10:30 in Tokyo
RETRY_AT = datetime(2030, 5, 1, 2, 45, tzinfo=timezone.utc)     # 11:45 in Tokyo


@pytest.fixture
def mixer(make_event, make_registration, make_person):
    """Three confirmed registrations (one named like a formula), one waitlisted, one cancelled."""
    event = make_event(title="石炭部 OB/OG 交流会")
    people = {
        "hanako": make_registration(event, make_person(name="山田 花子", name_kana="ヤマダ ハナコ", company="株式会社ミライ")),
        "taro": make_registration(event, make_person(name="佐藤 太郎", name_kana="サトウ タロウ")),
        "formula": make_registration(event, make_person(name="=cmd|' /C calc'!A0", name_kana="アクマ")),
        "waiting": make_registration(event, status="waitlisted"),
        "gone": make_registration(event, status="cancelled"),
    }
    return event, people


def _mark(registration, status: OutboxStatus, **fields) -> None:
    with write_transaction():
        row = db.session.scalar(select(OutboxMessage).where(OutboxMessage.registration_id == registration.id))
        row.status = status
        for name, value in fields.items():
            setattr(row, name, value)


@pytest.fixture
def sent(client, operator, mixer):
    """A message to the confirmed three: Hanako's mail delivered, Taro's failed, the third retrying."""
    event, people = mixer
    assert send(client, event).status_code == 302
    [message] = sent_messages()
    _mark(people["hanako"], OutboxStatus.SENT, sent_at=SENT_AT)
    _mark(people["taro"], OutboxStatus.FAILED, attempts=5,
          last_error="SMTPRecipientsRefused: 550 5.1.1 <taro@example.jp> user unknown\nTraceback (most recent call last): ...")
    _mark(people["formula"], OutboxStatus.QUEUED, attempts=1, next_attempt_at=RETRY_AT, last_error="timed out")
    return event, people, message


def _rows(page: str) -> dict[str, str]:
    """The recipients table's rows by their delivery state's cell text, keyed by e-mail address."""
    rows = re.findall(r'<tr id="recipient-\d+" data-delivery="(\w+)">(.*?)</tr>', page, re.S)
    found = {}
    for delivery, cells in rows:
        email = re.search(r"[\w.+-]+@[\w.-]+", cells).group(0)
        found[email] = (delivery, cells)
    return found


def test_history_links_each_message_to_its_recipients(client, db_backend, sent):
    event, _people, message = sent
    page = client.get(f"/admin/events/{event.slug}/messages").get_data(as_text=True)
    assert f'href="/admin/events/{event.slug}/messages/{message.id}"' in page


def test_page_lists_exactly_the_recipients_with_their_delivery(client, db_backend, sent):
    event, people, message = sent
    response = client.get(f"/admin/events/{event.slug}/messages/{message.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    rows = _rows(page)
    expected = {people[k].person.email for k in ("hanako", "taro", "formula")}
    assert set(rows) == expected  # not the waitlisted or the cancelled registration
    hanako, taro, formula = (rows[people[k].person.email] for k in ("hanako", "taro", "formula"))
    assert hanako[0] == "delivered" and "配信済み" in hanako[1] and "2030/05/01 (水) 10:30" in hanako[1]
    assert "ヤマダ ハナコ" in hanako[1] and "株式会社ミライ" in hanako[1] and "参加確定" in hanako[1]
    assert taro[0] == "not_delivered" and "配信失敗" in taro[1] and "550 5.1.1" in taro[1]
    assert "Traceback" not in taro[1]  # the error's first line only
    assert formula[0] == "waiting" and "次回の送信: 2030/05/01 (水) 11:45" in formula[1]


def test_page_shows_the_message_its_filters_and_counts(client, db_backend, sent, operator):
    event, _people, message = sent
    page = client.get(f"/admin/events/{event.slug}/messages/{message.id}").get_data(as_text=True)
    assert "会場変更のお知らせ" in page and "会場が12階に変わりました。" in page and operator.email in page
    assert "対象: " in page
    counts = {name: re.search(rf'id="count-{name}">(\d+)<', page).group(1)
              for name in ("recipients", "delivered", "waiting", "failed")}
    assert counts == {"recipients": "3", "delivered": "1", "waiting": "1", "failed": "1"}


def test_page_shows_the_english_version_when_there_is_one(client, db_backend, operator, mixer):
    event, _people = mixer
    send(client, event, subject_en="Venue moved", body_en="We moved to the 12th floor.")
    [message] = sent_messages()
    page = client.get(f"/admin/events/{event.slug}/messages/{message.id}").get_data(as_text=True)
    assert "英語版" in page and "Venue moved" in page and "We moved to the 12th floor." in page


def test_page_speaks_english_after_the_language_switch(client, db_backend, sent):
    event, _people, message = sent
    client.get("/lang/en")
    page = client.get(f"/admin/events/{event.slug}/messages/{message.id}").get_data(as_text=True)
    assert "Recipients of a message" in page and "Not delivered" in page and "Next attempt at" in page
    assert "配信失敗" not in page


def test_another_events_message_is_404(client, db_backend, sent, make_event):
    _event, _people, message = sent
    other = make_event()
    response = client.get(f"/admin/events/{other.slug}/messages/{message.id}")
    assert response.status_code == 404
    assert "このイベントにはその番号のメッセージはありません" in response.get_data(as_text=True)
    assert client.get(f"/admin/events/{other.slug}/messages/{message.id}/recipients.csv").status_code == 404


@pytest.mark.parametrize("path", ["999999", "999999/recipients.csv", "abc", "-1", "1.5"])
def test_unknown_or_malformed_message_ids_are_404(client, db_backend, sent, path):
    event, _people, _message = sent
    assert client.get(f"/admin/events/{event.slug}/messages/{path}").status_code == 404


def test_an_unknown_event_is_404(client, db_backend, sent):
    _event, _people, message = sent
    assert client.get(f"/admin/events/no-such-event/messages/{message.id}").status_code == 404


@pytest.mark.parametrize("suffix", ["", "/recipients.csv"])
def test_check_in_staff_are_refused(db_backend, sent, make_staff, app, suffix):
    from events_app.auth.services import assign_staff

    event, _people, message = sent
    door = make_staff("checkin")
    assign_staff(event.id, door.id)
    door_client = app.test_client()
    door_client.post("/login", data={"email": door.email, "password": STAFF_PASSWORD})
    assert door_client.get(f"/admin/events/{event.slug}/messages/{message.id}{suffix}").status_code == 403


@pytest.mark.parametrize("suffix", ["", "/recipients.csv"])
def test_strangers_are_sent_to_sign_in(db_backend, sent, app, suffix):
    event, _people, message = sent
    stranger = app.test_client()
    response = stranger.get(f"/admin/events/{event.slug}/messages/{message.id}{suffix}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admins_may_see_the_recipients(db_backend, sent, make_staff, app):
    event, _people, message = sent
    admin_client = app.test_client()
    admin_client.post("/login", data={"email": make_staff("admin").email, "password": STAFF_PASSWORD})
    assert admin_client.get(f"/admin/events/{event.slug}/messages/{message.id}").status_code == 200


def _csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM, so Japanese Excel reads UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_lists_the_recipients_with_their_delivery(client, db_backend, sent):
    event, people, message = sent
    response = client.get(f"/admin/events/{event.slug}/messages/{message.id}/recipients.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = _csv(response)
    assert header[:7] == ["氏名", "フリガナ", "メールアドレス", "区分", "会社名", "申込状況", "配信状況"]
    by_email = {row[2]: row for row in rows}
    assert set(by_email) == {people[k].person.email for k in ("hanako", "taro", "formula")}
    hanako = by_email[people["hanako"].person.email]
    assert hanako[6] == "配信済み" and hanako[7] == "2030-05-01 10:30"
    taro = by_email[people["taro"].person.email]
    assert taro[6] == "配信失敗" and taro[9] == "5" and "Traceback" in taro[10]  # the CSV keeps it whole
    waiting = by_email[people["formula"].person.email]
    assert waiting[6] == "配信待ち" and waiting[8] == "2030-05-01 11:45"


def test_csv_neutralises_a_formula_looking_name(client, db_backend, sent):
    event, people, message = sent
    rows = _csv(client.get(f"/admin/events/{event.slug}/messages/{message.id}/recipients.csv"))
    [formula] = [row for row in rows if row[2] == people["formula"].person.email]
    assert formula[0] == "'=cmd|' /C calc'!A0"


def test_csv_download_is_recorded_in_the_audit_trail(client, db_backend, sent, operator):
    event, _people, message = sent
    client.get(f"/admin/events/{event.slug}/messages/{message.id}/recipients.csv")
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == EXPORT_ACTION))
    assert (entry.actor_id, entry.event_id, entry.subject_type, entry.subject_id) == (
        operator.id, event.id, "registrant_message", message.id)
    assert entry.details["rows"] == 3 and entry.details["delivery"] == "all"


def test_viewing_the_page_is_not_an_export(client, db_backend, sent):
    event, _people, message = sent
    client.get(f"/admin/events/{event.slug}/messages/{message.id}")
    assert db.session.scalars(select(AuditEntry).where(AuditEntry.action == EXPORT_ACTION)).all() == []


# --- a large event: the delivery-state tabs and 100 recipients a page ------------------------

@pytest.fixture
def crowd(client, operator, make_event):
    """A message to CROWD registrants, its mails in FAILED, WAITING and DELIVERED (messages_support)."""
    event = make_event(capacity=500)
    return event, send_to_crowd(client, event, sent_at=SENT_AT)


def _numbers(page: str) -> list[int]:
    """The crowd numbers of a page's rows, in the page's order."""
    return [int(n) for n in re.findall(r'<tr id="recipient-\d+" data-delivery="\w+">.*?crowd(\d{3})@', page, re.S)]


def _list(client, event, message, query: str = "") -> str:
    response = client.get(f"/admin/events/{event.slug}/messages/{message.id}{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_page_shows_a_hundred_recipients_and_a_next_link(client, db_backend, crowd):
    page = _list(client, *crowd)
    assert _numbers(page) == list(range(100))
    assert "230 件中 1–100 件目" in page
    assert re.search(r'rel="next" id="page-next" href="[^"]*\?page=2#recipients"', page)
    assert 'rel="prev"' not in page


def test_the_last_page_shows_the_rest(client, db_backend, crowd):
    page = _list(client, *crowd, "?page=3")
    assert _numbers(page) == list(range(200, CROWD))
    assert "230 件中 201–230 件目" in page and 'rel="next"' not in page
    assert re.search(r'rel="prev" id="page-previous" href="[^"]*\?page=2#recipients"', page)


def test_the_pages_together_list_everyone_once_in_kana_order(client, db_backend, crowd):
    numbers = [n for page in (1, 2, 3) for n in _numbers(_list(client, *crowd, f"?page={page}"))]
    assert numbers == list(range(CROWD))


@pytest.mark.parametrize("value, first", [("abc", 0), ("", 0), ("0", 0), ("-4", 0), ("1.5", 0),
                                          ("4", 200), ("99999999999999999999", 200)])
def test_a_page_number_out_of_range_or_not_a_number_shows_the_nearest_page(client, db_backend, crowd, value,
                                                                           first):
    assert _numbers(_list(client, *crowd, f"?page={value}"))[0] == first


def test_the_english_range_reads_from_to_of_total(client, db_backend, crowd):
    client.get("/lang/en")
    page = _list(client, *crowd, "?page=2")
    assert "101–200 of 230" in page and "Next page" in page and "Previous page" in page


def test_the_filter_shows_only_the_failed_mails_with_their_count(client, db_backend, crowd):
    page = _list(client, *crowd, "?delivery=not_delivered")
    assert _numbers(page) == sorted(FAILED)
    assert set(re.findall(r'data-delivery="(\w+)"', page)) == {"not_delivered"}
    assert "23 件中 1–23 件目" in page and 'rel="next"' not in page
    assert re.search(r'id="tab-not_delivered" href="[^"]*" aria-current="page">配信失敗\s*'
                     r'<span class="reg-tab-count">23</span>', page)
    assert re.search(r'id="tab-all" href="[^"]*">すべて\s*<span class="reg-tab-count">230</span>', page)
    assert "recipients.csv?delivery=not_delivered" in page and "CSV をダウンロード（配信失敗）" in page


def test_the_filter_pages_too_and_its_links_keep_it(client, db_backend, crowd):
    page = _list(client, *crowd, "?delivery=delivered&page=2")
    assert _numbers(page) == sorted(DELIVERED)[100:]
    assert "198 件中 101–198 件目" in page
    assert re.search(r'rel="prev" id="page-previous" href="[^"]*\?delivery=delivered#recipients"', page)


def test_an_unknown_filter_shows_everyone_and_says_so(client, db_backend, crowd):
    page = _list(client, *crowd, "?delivery=bounced")
    assert "不明な配信状況が指定されたため、すべてを表示しています。" in page
    assert len(_numbers(page)) == 100 and "230 件中 1–100 件目" in page
    assert re.search(r'id="tab-all" href="[^"]*" aria-current="page"', page)


def test_a_filter_nobody_is_in_says_so(client, db_backend, sent):
    event, people, message = sent
    _mark(people["formula"], OutboxStatus.SENT, sent_at=SENT_AT)
    page = _list(client, event, message, "?delivery=waiting")
    assert _rows(page) == {} and "この配信状況の送信先はありません。" in page


def test_the_page_reads_only_its_rows_from_the_database(client, db_backend, crowd):
    statements = []

    def remember(_conn, _cursor, statement, *_args):
        statements.append(statement)
    sa_event.listen(db.engine, "before_cursor_execute", remember)
    try:
        _list(client, *crowd, "?page=2")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", remember)
    [listing] = [s for s in statements if "to_address" in s and "ORDER BY" in s]
    assert "LIMIT" in listing and "OFFSET" in listing


def test_csv_with_a_filter_has_only_those_rows_and_the_audit_records_the_filter(client, db_backend, crowd,
                                                                                   operator):
    event, message = crowd
    response = client.get(f"/admin/events/{event.slug}/messages/{message.id}/recipients.csv?delivery=not_delivered")
    assert "recipients-not_delivered-" in response.headers["Content-Disposition"]
    _header, *rows = _csv(response)
    assert sorted(row[2] for row in rows) == [f"crowd{i:03d}@example.jp" for i in sorted(FAILED)]
    assert {row[6] for row in rows} == {"配信失敗"}
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == EXPORT_ACTION))
    assert entry.details["rows"] == len(FAILED) and entry.details["delivery"] == "not_delivered"


def test_csv_is_never_paged(client, db_backend, crowd):
    event, message = crowd
    _header, *rows = _csv(client.get(f"/admin/events/{event.slug}/messages/{message.id}/recipients.csv?page=2"))
    assert len(rows) == CROWD
