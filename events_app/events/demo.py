"""A realistic demo programme: four events, alumni hosts, people, registrations and staff.

Idempotent: every row is found by a natural key (slug, email, event+person) before it is
created, so a second run changes nothing. Demo passwords are fixed on purpose (printed for
the person trying Tsunagu out); never run this against a production database.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from ..auth.models import EventStaff, StaffUser
from ..auth.services import hash_password
from ..database import utcnow, write_transaction
from ..enums import (Affiliation, AttendanceMode, CheckInKind, CheckInSource, EventKind, EventStatus, QuestionKind,
                     RegistrationStatus, Role, SessionKind)
from ..extensions import db
from .models import Event, EventSession, Host, Question

TOKYO = ZoneInfo("Asia/Tokyo")

STAFF = (
    (Role.ADMIN, "admin@tsunagu.example", "管理者 アドミン", "demo-admin-pass"),
    (Role.OPERATOR, "operator@tsunagu.example", "運営 オペ子", "demo-operator-pass"),
    (Role.CHECKIN, "checkin@tsunagu.example", "受付 カナコ", "demo-checkin-pass"),
)

# name, kana, affiliation, company now, department (employees) or former department (alumni), joined, left
PEOPLE = (
    ("佐々木 美穂", "ササキ ミホ", "alumni", "株式会社ネクストグリッド", "石炭部", 2006, 2014),
    ("山本 翔太", "ヤマモト ショウタ", "alumni", "グローバルロジ株式会社", "物流事業部", 2010, 2017),
    ("中村 彩", "ナカムラ アヤ", "employee", "", "合金鉄部", 2019, None),
    ("小林 直樹", "コバヤシ ナオキ", "employee", "", "広報部", 2015, None),
    ("加藤 さくら", "カトウ サクラ", "alumni", "フィンテックラボ株式会社", "金融事業部", 2012, 2020),
    ("吉田 拓也", "ヨシダ タクヤ", "employee", "", "新規事業開発部", 2021, None),
    ("山田 玲奈", "ヤマダ レナ", "alumni", "外資系コンサルティングファーム", "経営企画部", 2008, 2016),
    ("松本 健", "マツモト ケン", "employee", "", "空港インフラ事業部", 2011, None),
    ("井上 結衣", "イノウエ ユイ", "alumni", "株式会社アグリテック", "食料部", 2013, 2019),
    ("木村 大地", "キムラ ダイチ", "employee", "", "石炭部", 2023, None),
    ("林 真由美", "ハヤシ マユミ", "alumni", "医療機器スタートアップ", "化学品部", 2004, 2012),
    ("清水 悠斗", "シミズ ユウト", "employee", "", "人事部", 2018, None),
    ("森 千尋", "モリ チヒロ", "alumni", "株式会社モビリティーワン", "自動車部", 2009, 2018),
    ("池田 陸", "イケダ リク", "employee", "", "合金鉄部", 2024, None),
    ("橋本 葵", "ハシモト アオイ", "alumni", "NPO法人つなぐ未来", "広報部", 2007, 2015),
    ("阿部 智也", "アベ トモヤ", "employee", "", "経理部", 2016, None),
    ("石川 莉子", "イシカワ リコ", "alumni", "株式会社クラウドワークス・ラボ", "情報システム部", 2014, 2021),
    ("前田 浩二", "マエダ コウジ", "alumni", "地方銀行 経営企画", "金融事業部", 1998, 2010),
    ("藤田 遥", "フジタ ハルカ", "employee", "", "新規事業開発部", 2020, None),
    ("岡田 蓮", "オカダ レン", "guest", "大学院 博士課程", "", None, None),
    ("後藤 美咲", "ゴトウ ミサキ", "alumni", "株式会社ソラシド", "空港インフラ事業部", 2011, 2019),
    ("長谷川 亮", "ハセガワ リョウ", "employee", "", "石炭部", 2017, None),
    ("村上 七海", "ムラカミ ナナミ", "alumni", "ベンチャーキャピタル", "投資部", 2010, 2018),
    ("近藤 翼", "コンドウ ツバサ", "employee", "", "広報部", 2022, None),
)


@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    credentials: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created)


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day.date(), time(hour, minute), tzinfo=TOKYO)


def _person_email(index: int) -> str:
    return f"demo{index + 1:02d}@alumni.example"


def _ensure_staff(report: SeedReport) -> dict[Role, StaffUser]:
    users = {}
    for role, email, name, password in STAFF:
        user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
        if user is None:
            user = StaffUser(email=email, name=name, role=role, password_hash=hash_password(password))
            db.session.add(user)
            report.created.append(f"staff {email}")
        users[role] = user
        report.credentials.append((role.value, email, password))
    return users


def _ensure_people(report: SeedReport) -> list:
    from ..people.models import Person

    people = []
    for index, (name, kana, affiliation, company, department, joined, left) in enumerate(PEOPLE):
        email = _person_email(index)
        person = db.session.scalar(select(Person).where(Person.email == email))
        if person is None:
            alumni = affiliation == "alumni"
            person = Person(email=email, name=name, name_kana=kana, affiliation=Affiliation(affiliation),
                            company=company if affiliation != "employee" else "つなぐ商事株式会社",
                            department="" if alumni else department, former_department=department if alumni else "",
                            joined_year=joined, left_year=left, language="ja", consent_at=utcnow())
            db.session.add(person)
            report.created.append(f"person {email}")
        people.append(person)
    return people


def _event(report: SeedReport, slug: str, **values) -> tuple[Event, bool]:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is not None:
        return event, False
    event = Event(slug=slug, **values)
    if event.status in (EventStatus.PUBLISHED, EventStatus.COMPLETED):
        event.published_at = utcnow()
    db.session.add(event)
    db.session.flush()
    report.created.append(f"event {slug}")
    return event, True


def _mixer(report: SeedReport, today: datetime) -> tuple[Event, bool]:
    day = today + timedelta(days=21)
    event, new = _event(
        report, "alumni-mixer-tokyo", kind=EventKind.HYBRID, status=EventStatus.PUBLISHED,
        title="アルムナイ交流会 2026 冬 ― 東京", title_translation="Alumni Winter Mixer 2026 — Tokyo",
        description=(
            "OB・OG と現役社員が世代を超えてつながる、冬の交流会です。\n\n"
            "- 元・石炭部、現スタートアップ創業者によるショートトーク\n"
            "- 部署・入社年ごとのテーブルで歓談（同期との再会も）\n"
            "- 会場に来られない方はオンラインで参加できます\n\n"
            "軽食とお飲み物をご用意しています。お気軽にご参加ください。"
        ),
        description_translation=(
            "A winter evening where alumni (OB/OG) and current employees meet across generations.\n\n"
            "- A short talk by a former Coal Department member who now runs a start-up\n"
            "- Tables by department and joining year (meet your 同期 again)\n"
            "- Can't come to the venue? Join online\n\n"
            "Light food and drinks are provided."
        ),
        timezone="Asia/Tokyo", starts_at=_at(day, 19), ends_at=_at(day, 21),
        venue_name="つなぐ商事 本社 20階 ラウンジ", venue_address="東京都千代田区丸の内二丁目7番2号",
        venue_map_url="https://www.openstreetmap.org/?mlat=35.6812&mlon=139.7671#map=17/35.6812/139.7671",
        venue_latitude=35.6812, venue_longitude=139.7671,
        online_url="https://meet.example.com/tsunagu-winter-mixer", capacity=14, online_capacity=100,
        audience_alumni=True, audience_employees=True, audience_guests=False,
        registration_closes_at=_at(day - timedelta(days=2), 23, 59),
    )
    if new:
        speaker = Host(event=event, role="speaker", name="佐藤 健一", name_kana="サトウ ケンイチ",
                       current_company="カーボンリンク株式会社", current_title="代表取締役 CEO",
                       former_department="石炭部", joined_year=2005, left_year=2015, position=0,
                       profile="石炭トレーディングで10年。脱炭素の現場を見て、排出量を見える化するスタートアップを創業。")
        db.session.add(speaker)
        programme = [(19, 0, 19, 10, "開会のご挨拶", "Opening", SessionKind.TIMETABLE, None),
                     (19, 10, 19, 40, "アルムナイトーク：石炭部からスタートアップへ", "Alumni talk: from the Coal Department to a start-up",
                      SessionKind.TIMETABLE, speaker),
                     (19, 40, 20, 50, "歓談（部署・入社年別テーブル）", "Networking by department and joining year",
                      SessionKind.TIMETABLE, None),
                     (20, 50, 21, 0, "閉会・集合写真", "Closing and group photo", SessionKind.TIMETABLE, None)]
        for position, (h1, m1, h2, m2, title, title_en, kind, host) in enumerate(programme):
            db.session.add(EventSession(event=event, kind=kind, title=title, title_translation=title_en,
                                        starts_at=_at(day, h1, m1), ends_at=_at(day, h2, m2), host=host,
                                        room="20階 ラウンジ", position=position))
        db.session.add(Question(event=event, kind=QuestionKind.SINGLE_CHOICE, label="当日のテーブル希望", position=0,
                                label_translation="Which table would you like?",
                                choices=["同じ出身部署", "同じ入社年（同期）", "どこでも"],
                                choices_translation=["My former department", "My joining year (同期)", "Anywhere"],
                                required=True))
    return event, new


KABEUCHI_HOSTS = (
    ("佐藤 健一", "サトウ ケンイチ", "カーボンリンク株式会社", "代表取締役 CEO", "石炭部", 2005, 2015,
     "石炭トレーディングの現場から、排出量の見える化 SaaS を創業。資金調達とピボットの話ができます。",
     "テーブルA：脱炭素ビジネスの立ち上げ", "Table A: launching a decarbonisation business"),
    ("鈴木 美咲", "スズキ ミサキ", "スカイポート・ベンチャーズ株式会社", "事業責任者", "空港インフラ事業部", 2009, 2018,
     "海外空港 PPP 案件を担当後、空港発のベンチャーを率いる。大企業とスタートアップの協業が専門。",
     "テーブルB：大企業 × スタートアップ協業", "Table B: corporates and start-ups working together"),
    ("高橋 大輔", "タカハシ ダイスケ", "大手素材メーカー", "事業部長", "合金鉄部", 2003, 2012,
     "合金鉄のトレードからメーカーへ。事業部の P/L を預かる立場から新規事業の通し方を話します。",
     "テーブルC：社内で新規事業を通すには", "Table C: getting a new business approved inside a large company"),
    ("田中 由紀", "タナカ ユキ", "独立 PR コンサルタント", "元 CMO", "広報部", 2010, 2019,
     "広報部から IT スタートアップの CMO を経て独立。ブランドづくりと発信の壁打ち相手です。",
     "テーブルD：伝わる事業ストーリー", "Table D: telling your business story"),
)


def _kabeuchi(report: SeedReport, today: datetime) -> tuple[Event, bool]:
    day = today + timedelta(days=35)
    event, new = _event(
        report, "kabeuchi-night", kind=EventKind.BUSINESS_DISCUSSION, status=EventStatus.PUBLISHED,
        title="事業の壁打ちナイト vol.3", title_translation="Business Sparring Night vol. 3",
        description=(
            "現役社員が温めている事業アイデアを、第一線で活躍するアルムナイにぶつける少人数の壁打ち会です。\n\n"
            "**4つのテーブル**から1つを選んでお申し込みください（各テーブル8名まで）。"
            "ホストの時間を有効に使うため、参加は運営の承認制です。"
        ),
        description_translation=(
            "Small-table sparring: employees test their business ideas with alumni who now lead companies.\n\n"
            "Choose **one of four tables** (8 seats each). Registrations are approved by the organisers."
        ),
        timezone="Asia/Tokyo", starts_at=_at(day, 18, 30), ends_at=_at(day, 21),
        venue_name="つなぐ商事 本社 12階 イノベーションラボ", venue_address="東京都千代田区丸の内二丁目7番2号",
        venue_latitude=35.6812, venue_longitude=139.7671, capacity=32, requires_approval=True,
        audience_alumni=True, audience_employees=True, audience_guests=False,
    )
    if new:
        db.session.add(EventSession(event=event, kind=SessionKind.TIMETABLE, title="趣旨説明・ホスト紹介",
                                    title_translation="Welcome and hosts", starts_at=_at(day, 18, 30),
                                    ends_at=_at(day, 18, 45), room="12階 ラボ", position=0))
        for position, (name, kana, company, title, dept, joined, left, profile, table, table_en) in enumerate(KABEUCHI_HOSTS):
            host = Host(event=event, role="host", name=name, name_kana=kana, current_company=company,
                        current_title=title, former_department=dept, joined_year=joined, left_year=left,
                        profile=profile, position=position)
            db.session.add(host)
            db.session.add(EventSession(event=event, kind=SessionKind.BREAKOUT, title=table, title_translation=table_en,
                                        host=host, starts_at=_at(day, 18, 45), ends_at=_at(day, 20, 15),
                                        room=f"12階 ラボ テーブル{'ABCD'[position]}", capacity=8, position=position))
        db.session.add(EventSession(event=event, kind=SessionKind.TIMETABLE, title="全体共有・懇親", title_translation="Wrap-up and drinks",
                                    starts_at=_at(day, 20, 15), ends_at=_at(day, 21), room="12階 ラボ", position=9))
        db.session.add(Question(event=event, kind=QuestionKind.TEXT, label="壁打ちしたいテーマを一言で", position=0,
                                label_translation="Your idea in one line", required=True))
        db.session.add(Question(event=event, kind=QuestionKind.YES_NO, label="終了後の懇親にも参加しますか", position=1,
                                label_translation="Will you stay for drinks afterwards?", required=False))
    return event, new


def _webinar(report: SeedReport, today: datetime) -> tuple[Event, bool]:
    day = today + timedelta(days=10)
    return _event(
        report, "webinar-career-after-trading", kind=EventKind.WEBINAR, status=EventStatus.PUBLISHED,
        title="ウェビナー：商社からスタートアップへ ― キャリアの選び方",
        title_translation="Webinar: from a trading house to a start-up — choosing your path",
        description=("昼休みの1時間で、アルムナイ3名がキャリアの転機を語ります。質問はチャットでどうぞ。\n\n"
                     "参加用リンクはお申し込み後にメールでお送りします。"),
        description_translation=("Three alumni on their career turning points, in one lunch hour. "
                                 "Ask questions in the chat.\n\nThe join link is emailed after you register."),
        timezone="Asia/Tokyo", starts_at=_at(day, 12), ends_at=_at(day, 13),
        online_url="https://meet.example.com/tsunagu-career-webinar", online_capacity=500,
        audience_alumni=True, audience_employees=True, audience_guests=True,
    )


def _past_mixer(report: SeedReport, today: datetime) -> tuple[Event, bool]:
    day = today - timedelta(days=30)
    return _event(
        report, "alumni-mixer-autumn", kind=EventKind.NETWORKING, status=EventStatus.COMPLETED,
        title="アルムナイ交流会 2026 秋", title_translation="Alumni Autumn Mixer 2026",
        description="秋の交流会。ご参加ありがとうございました。", description_translation="Thank you for coming!",
        timezone="Asia/Tokyo", starts_at=_at(day, 19), ends_at=_at(day, 21),
        venue_name="つなぐ商事 本社 20階 ラウンジ", venue_address="東京都千代田区丸の内二丁目7番2号",
        venue_latitude=35.6812, venue_longitude=139.7671, capacity=50,
        audience_alumni=True, audience_employees=True, audience_guests=False,
    )


def _register(event: Event, person, status: RegistrationStatus, *, mode=AttendanceMode.IN_PERSON,
              rank: int | None = None):
    """A registration row written directly (no mail), keeping the seat counters exact."""
    from ..registration.models import Registration
    from ..registration.tokens import assign_manage_token

    existing = db.session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                            Registration.person_id == person.id))
    if existing is not None:
        return existing, False
    holds = status == RegistrationStatus.CONFIRMED
    reg = Registration(event_id=event.id, person_id=person.id, status=status, attendance_mode=mode,
                       holds_seat=holds, waitlist_rank=rank, source="web", language=person.language,
                       calendar_uid=f"{uuid.uuid4()}@tsunagu", confirmed_at=utcnow() if holds else None)
    assign_manage_token(reg)
    if holds:
        if mode == AttendanceMode.ONLINE:
            event.online_seats_taken += 1
        else:
            event.seats_taken += 1
    db.session.add(reg)
    db.session.flush()
    return reg, True


def _registrations(events: dict[str, tuple[Event, bool]], people: list, checkin_user: StaffUser) -> None:
    from ..registration.models import RegistrationSession
    from ..tickets.models import CheckIn

    C, W, P = RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING
    mixer, new = events["mixer"]
    if new:  # 14 seats at the venue, all taken; 3 on the waitlist; 4 online
        for person in people[:14]:
            _register(mixer, person, C)
        for rank, person in enumerate(people[14:17], start=1):
            _register(mixer, person, W, rank=rank)
        for person in people[17:21]:
            _register(mixer, person, C, mode=AttendanceMode.ONLINE)
    kabeuchi, new = events["kabeuchi"]
    if new:
        tables = [s for s in kabeuchi.sessions if s.kind == SessionKind.BREAKOUT]
        employees = [p for p in people if p.affiliation == Affiliation.EMPLOYEE]
        for index, person in enumerate(employees[:8]):
            reg, _ = _register(kabeuchi, person, C)
            table = tables[index % len(tables)]
            reg.session_choices.append(RegistrationSession(session_id=table.id, status=C, holds_seat=True))
            table.seats_taken += 1
        for person in employees[8:11]:
            _register(kabeuchi, person, P)
    webinar, new = events["webinar"]
    if new:
        for person in people[3:15]:
            _register(webinar, person, C, mode=AttendanceMode.ONLINE)
    past, new = events["past"]
    if new:
        for index, person in enumerate(people[:12]):
            reg, _ = _register(past, person, C)
            if index < 9:  # nine came; three did not
                at = past.starts_at + timedelta(minutes=5 + index * 3)
                reg.checked_in_at, reg.checked_in_by_id = at, checkin_user.id
                db.session.add(CheckIn(registration_id=reg.id, event_id=past.id, kind=CheckInKind.CHECK_IN,
                                       source=CheckInSource.SCAN if index % 3 else CheckInSource.SEARCH,
                                       at=at, client_at=at, staff_id=checkin_user.id, device="受付 iPad 1",
                                       nonce=f"demo-{past.slug}-{person.email}"))


def seed_demo(*, today: datetime | None = None) -> SeedReport:
    """Create whatever part of the demo is missing, in one transaction."""
    report = SeedReport()
    today = (today or utcnow()).astimezone(TOKYO)
    with write_transaction():
        users = _ensure_staff(report)
        people = _ensure_people(report)
        db.session.flush()
        events = {"mixer": _mixer(report, today), "kabeuchi": _kabeuchi(report, today),
                  "webinar": _webinar(report, today), "past": _past_mixer(report, today)}
        db.session.flush()
        for event, _new in events.values():
            db.session.refresh(event)
        _registrations(events, people, users[Role.CHECKIN])
        mixer = events["mixer"][0]
        if db.session.get(EventStaff, (mixer.id, users[Role.CHECKIN].id)) is None:
            db.session.add(EventStaff(event_id=mixer.id, user_id=users[Role.CHECKIN].id))
            report.created.append("check-in assignment")
    return report


def has_events() -> bool:
    return (db.session.scalar(select(func.count()).select_from(Event)) or 0) > 0
