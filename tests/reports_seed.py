"""A small finished event with known figures, shared by the reports, survey and export tests."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest

from events_app.enums import CheckInKind, CheckInSource
from events_app.extensions import db
from tests.conftest import in_days

INJECTION = '=HYPERLINK("http://evil.example","x")'


@dataclass
class Seeded:
    event: object
    people: dict = field(default_factory=dict)
    registrations: dict = field(default_factory=dict)
    session: object = None
    expected: dict = field(default_factory=dict)


def check_in(reg, at: datetime, *, kind=CheckInKind.CHECK_IN, source=CheckInSource.SCAN, session_id=None):
    from events_app.tickets.models import CheckIn

    db.session.add(CheckIn(registration_id=reg.id, event_id=reg.event_id, kind=kind, source=source, at=at,
                           session_id=session_id, nonce=str(uuid.uuid4())))


@pytest.fixture
def seeded(app, make_event, make_person, make_registration, make_session) -> Seeded:
    from events_app.registration.models import RegistrationSession

    start = in_days(-1, hour=10)  # 19:00 in Tokyo, yesterday
    event = make_event(slug="alumni-night", title="アルムナイ交流会 2026 秋", starts_at=start,
                       ends_at=start + timedelta(hours=2), kind="hybrid", online_capacity=50)
    table = make_session(event, title="テーブルA 石炭の未来", capacity=10)
    s = Seeded(event=event, session=table)
    p = s.people
    p["hanako"] = make_person(name="山田 花子", name_kana="ヤマダ ハナコ", joined_year=2008, left_year=2016,
                              former_department="石炭部", company="株式会社ミライ")
    p["ken"] = make_person(name="佐藤 健", name_kana="サトウ ケン", joined_year=2008, left_year=2018,
                           former_department="合金鉄部", company="ABC商事")
    p["ichiro"] = make_person(name="鈴木 一郎", name_kana="スズキ イチロウ", affiliation="employee", department="広報部",
                              former_department="", company="", joined_year=2015, left_year=None)
    p["misaki"] = make_person(name="高橋 美咲", name_kana="タカハシ ミサキ", affiliation="employee", department="@広報部",
                              former_department="", company=INJECTION, joined_year=2020, left_year=None)
    p["makoto"] = make_person(name="田中 誠", name_kana="タナカ マコト", joined_year=2010, left_year=2020,
                              former_department="石炭部", company="株式会社ミライ")
    p["naoki"] = make_person(name="伊藤 直樹", name_kana="イトウ ナオキ", affiliation="guest", company="-外部",
                             former_department="", joined_year=None, left_year=None)
    p["yu"] = make_person(name="渡辺 優", name_kana="ワタナベ ユウ")
    p["sho"] = make_person(name="中村 翔", name_kana="ナカムラ ショウ")
    p["ai"] = make_person(name="小林 愛", name_kana="コバヤシ アイ", joined_year=2012)

    created = start - timedelta(days=10)
    r = s.registrations
    r["hanako"] = make_registration(event, p["hanako"], created_at=created)
    r["ken"] = make_registration(event, p["ken"], created_at=created, waitlist_rank=1,
                                 confirmed_at=created + timedelta(days=2))
    r["ichiro"] = make_registration(event, p["ichiro"], created_at=created)
    r["misaki"] = make_registration(event, p["misaki"], created_at=created)
    r["makoto"] = make_registration(event, p["makoto"], attendance_mode="online", created_at=created,
                                    online_joined_at=start + timedelta(minutes=2))
    r["naoki"] = make_registration(event, p["naoki"], source="walk_in", created_at=start + timedelta(minutes=25))
    r["yu"] = make_registration(event, p["yu"], status="cancelled", created_at=created,
                                cancelled_at=created + timedelta(days=3))
    r["sho"] = make_registration(event, p["sho"], status="waitlisted", waitlist_rank=2,
                                 created_at=created + timedelta(days=1))
    r["ai"] = make_registration(event, p["ai"], created_at=created)

    arrivals = {"hanako": -20, "ken": -15, "ichiro": 5, "naoki": 25}
    for key, minutes in arrivals.items():
        at = start + timedelta(minutes=minutes)
        r[key].checked_in_at = at
        check_in(r[key], at, source=CheckInSource.WALK_IN if key == "naoki" else CheckInSource.SCAN)
    check_in(r["makoto"], start + timedelta(minutes=2), source=CheckInSource.ONLINE_JOIN)
    # 小林 was checked in by mistake and the check-in was undone: not an arrival, a no-show.
    check_in(r["ai"], start - timedelta(minutes=5))
    check_in(r["ai"], start - timedelta(minutes=4), kind=CheckInKind.UNDO)
    for key in ("hanako", "ken", "misaki"):
        db.session.add(RegistrationSession(registration_id=r[key].id, session_id=table.id, holds_seat=True,
                                           checked_in_at=start + timedelta(minutes=40) if key == "hanako" else None))
    db.session.commit()

    s.expected = {
        "registered": 9, "confirmed": 7, "attended_in_person": 4, "attended_online": 1, "attended": 5,
        "walk_ins": 1, "cancelled": 1, "waitlist_peak": 2, "no_shows": 2, "expected": 6, "no_show_percent": "33.3%",
        # 19:00 JST start: arrivals 18:40, 18:45, 19:05, 19:25
        "timeline": [("18:40", 2), ("18:50", 0), ("19:00", 1), ("19:10", 0), ("19:20", 1)],
    }
    return s


@pytest.fixture
def with_survey(seeded):
    """Four survey responses and an operator's highlight on top of `seeded`."""
    from events_app.reports.models import EventNote, SurveyResponse

    r = seeded.registrations
    rows = [
        ("hanako", 10, "同期との再会", "久しぶりに同期と話せて、新しい事業の壁打ちもできました。", "合金鉄部の方", True),
        ("ken", 9, "同期との再会", "", "", False),
        ("ichiro", 6, "", "会場が少し狭かったです。", "", False),
        ("makoto", 8, "オンラインでも参加しやすかった", "", "ベンチャー投資に詳しい方", False),
    ]
    for key, score, useful, comments, intro, host in rows:
        db.session.add(SurveyResponse(registration_id=r[key].id, event_id=seeded.event.id, score=score,
                                      most_useful=useful, comments=comments, introduction_requests=intro,
                                      would_host=host))
    db.session.add(EventNote(event_id=seeded.event.id, body="社長の挨拶で会場が盛り上がった", highlight=True))
    db.session.commit()
    seeded.expected.update({"responses": 4, "nps": 25, "promoters": 2, "detractors": 1})
    return seeded
