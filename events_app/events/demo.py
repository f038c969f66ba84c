"""A realistic demo programme: four events, alumni hosts, people, registrations and staff.

Idempotent: every row is found by a natural key (slug, email, event+person) before it is
created, so a second run changes nothing. Demo passwords are fixed on purpose (printed for
the person trying Tsunagu out); never run this against a production database.

Dates follow the calendar of a Japanese office: events on a working Tuesday to Thursday, the
big mixer on a Thursday or Friday evening, never on a public holiday, in the year-end break,
Golden Week or お盆; the past mixer is recent enough that its survey is still open. What people did
(registering, checking in, answering the survey) is timed relative to each event in
demo_activity.py; the people themselves are in demo_data.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jpholiday
from sqlalchemy import func, select

from ..auth.models import EventStaff, StaffUser
from ..auth.services import hash_password
from ..database import utcnow, write_transaction
from ..enums import Affiliation, EventKind, EventStatus, QuestionKind, Role, SessionKind
from ..extensions import db
from . import demo_activity
from .demo_data import PAST_TABLE_HOSTS, PAST_TABLES, PEOPLE, TSUNAGU
from .models import Event, EventSession, Host, Question

TOKYO = ZoneInfo("Asia/Tokyo")

STAFF = (
    (Role.ADMIN, "admin@tsunagu.example", "管理者 アドミン", "demo-admin-pass"),
    (Role.OPERATOR, "operator@tsunagu.example", "運営 オペ子", "demo-operator-pass"),
    (Role.CHECKIN, "checkin@tsunagu.example", "受付 カナコ", "demo-checkin-pass"),
)

@dataclass
class SeedReport:
    created: list[str] = field(default_factory=list)
    credentials: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created)


def _at(day: date | datetime, hour: int, minute: int = 0) -> datetime:
    if isinstance(day, datetime):
        day = day.date()
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO)


def is_off_day(day: date) -> bool:
    """A public holiday or a break (年末年始, Golden Week, お盆) when nobody plans an office event."""
    # jpholiday follows the Act on National Holidays: Happy Monday days, the equinoxes, 振替休日,
    # 国民の休日 and one-off moves (the 2020/2021 Olympics), which land on Tuesday to Friday too.
    md = (day.month, day.day)
    return (jpholiday.is_holiday(day) or md >= (12, 26) or md <= (1, 7) or (4, 29) <= md <= (5, 6)
            or (8, 11) <= md <= (8, 16))


def working_day(start: date, *, weekdays: tuple[int, ...], step: int = 1) -> date:
    """The first day from `start` (going forward, or back with step=-1) on one of `weekdays` that is not off."""
    day = start
    while day.weekday() not in weekdays or is_off_day(day):
        day += timedelta(days=step)
    return day


def _season(day: date) -> tuple[str, str]:
    return {12: ("冬", "Winter"), 1: ("冬", "Winter"), 2: ("冬", "Winter"), 3: ("春", "Spring"), 4: ("春", "Spring"),
            5: ("春", "Spring"), 6: ("夏", "Summer"), 7: ("夏", "Summer"), 8: ("夏", "Summer")}.get(
                day.month, ("秋", "Autumn"))


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


def _ensure_people(report: SeedReport, today: datetime) -> list:
    from ..people.models import Person

    people = []
    joined_portal = _at(today - timedelta(days=200), 10)  # they signed up well before any demo event
    for index, (name, kana, affiliation, company, department, joined, left) in enumerate(PEOPLE):
        email = _person_email(index)
        person = db.session.scalar(select(Person).where(Person.email == email))
        if person is None:
            alumni = affiliation == "alumni"
            signed_up = joined_portal + timedelta(days=index * 3, minutes=index * 47)
            person = Person(email=email, name=name, name_kana=kana, affiliation=Affiliation(affiliation),
                            company=company if affiliation != "employee" else TSUNAGU,
                            department="" if alumni else department, former_department=department if alumni else "",
                            joined_year=joined, left_year=left, language="ja", consent_at=signed_up,
                            created_at=signed_up, updated_at=signed_up)
            db.session.add(person)
            report.created.append(f"person {email}")
        people.append(person)
    return people


def _event(report: SeedReport, slug: str, *, published_at: datetime, **values) -> tuple[Event, bool]:
    """The event with this slug, created (drafted three days before it was published) if missing."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is not None:
        return event, False
    event = Event(slug=slug, published_at=published_at, created_at=published_at - timedelta(days=3), **values)
    db.session.add(event)
    db.session.flush()
    report.created.append(f"event {slug}")
    return event, True


MIXER_SPEAKER = ("佐藤 健一", "代表取締役 CEO",  # name, title and profile, then the title and profile in English
                 "石炭トレーディングで10年。脱炭素の現場を見て、排出量を見える化するスタートアップを創業。",
                 "Founder and CEO", "Ten years in coal trading. Having seen decarbonisation up close, "
                 "he founded a start-up that makes emissions visible.")


def _mixer(report: SeedReport, day: date, published: datetime) -> tuple[Event, bool]:
    season, season_en = _season(day)
    event, new = _event(
        report, "alumni-mixer-tokyo", published_at=published, kind=EventKind.HYBRID, status=EventStatus.PUBLISHED,
        title=f"アルムナイ交流会 {day.year} {season} ― 東京", title_translation=f"Alumni {season_en} Mixer {day.year} — Tokyo",
        description=(
            "OB・OG と現役社員が世代を超えてつながる交流会です。\n\n"
            "- 元・石炭部、現スタートアップ創業者によるショートトーク\n"
            "- 部署・入社年ごとのテーブルで歓談（同期との再会も）\n"
            "- 会場に来られない方はオンラインで参加できます\n\n"
            "軽食とお飲み物をご用意しています。お気軽にご参加ください。"
        ),
        description_translation=(
            "An evening where alumni (OB/OG) and current employees meet across generations.\n\n"
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
        name, title, profile, title_en, profile_en = MIXER_SPEAKER
        speaker = Host(event=event, role="speaker", name=name, name_kana="サトウ ケンイチ",
                       current_company="カーボンリンク株式会社", current_title=title,
                       former_department="石炭部", joined_year=2005, left_year=2015, position=0,
                       profile=profile, current_title_translation=title_en, profile_translation=profile_en)
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


KABEUCHI_HOSTS = (  # the host as in Japanese, their table, then their title and profile in English
    ("佐藤 健一", "サトウ ケンイチ", "カーボンリンク株式会社", "代表取締役 CEO", "石炭部", 2005, 2015,
     "石炭トレーディングの現場から、排出量の見える化 SaaS を創業。資金調達とピボットの話ができます。",
     "テーブルA：脱炭素ビジネスの立ち上げ", "Table A: launching a decarbonisation business",
     "Founder and CEO", "Left coal trading to found a SaaS start-up that makes emissions visible. "
     "Happy to talk about fundraising and pivots."),
    ("鈴木 美咲", "スズキ ミサキ", "スカイポート・ベンチャーズ株式会社", "事業責任者", "空港インフラ事業部", 2009, 2018,
     "海外空港 PPP 案件を担当後、空港発のベンチャーを率いる。大企業とスタートアップの協業が専門。",
     "テーブルB：大企業 × スタートアップ協業", "Table B: corporates and start-ups working together",
     "Head of Business", "Worked on overseas airport PPP projects, now leads a venture born at an airport. "
     "Specialises in partnerships between large companies and start-ups."),
    ("高橋 大輔", "タカハシ ダイスケ", "大手素材メーカー", "事業部長", "合金鉄部", 2003, 2012,
     "合金鉄のトレードからメーカーへ。事業部の P/L を預かる立場から新規事業の通し方を話します。",
     "テーブルC：社内で新規事業を通すには", "Table C: getting a new business approved inside a large company",
     "Division Head", "Moved from ferroalloy trading to a manufacturer. Runs a division's P&L and will talk "
     "about getting a new business approved."),
    ("田中 由紀", "タナカ ユキ", "独立 PR コンサルタント", "元 CMO", "広報部", 2010, 2019,
     "広報部から IT スタートアップの CMO を経て独立。ブランドづくりと発信の壁打ち相手です。",
     "テーブルD：伝わる事業ストーリー", "Table D: telling your business story",
     "Former CMO", "From Corporate Communications to CMO of an IT start-up, now independent. "
     "A sparring partner for brand building and messaging."),
)


def _kabeuchi(report: SeedReport, day: date, published: datetime) -> tuple[Event, bool]:
    event, new = _event(
        report, "kabeuchi-night", published_at=published, kind=EventKind.BUSINESS_DISCUSSION,
        status=EventStatus.PUBLISHED,
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
        for position, (name, kana, company, title, dept, joined, left, profile, table, table_en, title_en,
                       profile_en) in enumerate(KABEUCHI_HOSTS):
            host = Host(event=event, role="host", name=name, name_kana=kana, current_company=company,
                        current_title=title, current_title_translation=title_en, former_department=dept,
                        joined_year=joined, left_year=left, profile=profile, profile_translation=profile_en,
                        position=position)
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


def _webinar(report: SeedReport, day: date, published: datetime) -> tuple[Event, bool]:
    return _event(
        report, "webinar-career-after-trading", published_at=published, kind=EventKind.WEBINAR,
        status=EventStatus.PUBLISHED,
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


def _past_mixer(report: SeedReport, day: date, published: datetime, people: list, *,
                now: datetime) -> tuple[Event, bool]:
    season, season_en = _season(day)
    # After the year-end break the last working evening can be three weeks back: the operators
    # then kept the survey open a week longer, so the demo still takes answers.
    survey_closes_at = None
    if _at(day, 21) + timedelta(days=14) < now + timedelta(days=3):
        survey_closes_at = now + timedelta(days=7)
    event, new = _event(
        report, "alumni-mixer-autumn", published_at=published, kind=EventKind.NETWORKING,
        status=EventStatus.COMPLETED,
        title=f"アルムナイ交流会 {day.year} {season}", title_translation=f"Alumni {season_en} Mixer {day.year}",
        description=("OB・OG と現役社員の交流会。アルムナイトークのあと、テーマ別の3つのテーブルで歓談しました。\n\n"
                     "ご参加ありがとうございました。アンケートへのご協力をお願いします。"),
        description_translation=("An alumni talk, then three themed tables. Thank you for coming; "
                                 "please answer the short survey."),
        timezone="Asia/Tokyo", starts_at=_at(day, 19), ends_at=_at(day, 21),
        venue_name="つなぐ商事 本社 20階 ラウンジ", venue_address="東京都千代田区丸の内二丁目7番2号",
        venue_latitude=35.6812, venue_longitude=139.7671, capacity=50,
        audience_alumni=True, audience_employees=True, audience_guests=False,
        registration_closes_at=_at(day - timedelta(days=1), 23, 59), survey_closes_at=survey_closes_at,
    )
    if new:
        by_name = {p.name: p for p in people}
        for position, ((title, title_en, _departments), (name, role, job, profile, job_en, profile_en)) in enumerate(
                zip(PAST_TABLES, PAST_TABLE_HOSTS, strict=True)):
            person = by_name[name]
            host = Host(event=event, person_id=person.id, role=role, name=person.name, name_kana=person.name_kana,
                        current_company=person.company, current_title=job, current_title_translation=job_en,
                        former_department=person.former_department or person.department,
                        joined_year=person.joined_year, left_year=person.left_year, profile=profile,
                        profile_translation=profile_en, position=position)
            db.session.add(host)
            db.session.add(EventSession(event=event, kind=SessionKind.BREAKOUT, title=title,
                                        title_translation=title_en, host=host,
                                        starts_at=_at(day, 19, 40), ends_at=_at(day, 20, 40),
                                        room=f"20階 ラウンジ テーブル{'ABC'[position]}", capacity=12, position=position))
    return event, new


def seed_demo(*, today: datetime | None = None) -> SeedReport:
    """Create whatever part of the demo is missing, in one transaction."""
    report = SeedReport()
    now = today or utcnow()
    today = now.astimezone(TOKYO)
    day = today.date()
    weekday = (1, 2, 3)  # Tuesday to Thursday; the big mixer on a Thursday or Friday
    with write_transaction():
        users = _ensure_staff(report)
        people = _ensure_people(report, today)
        db.session.flush()
        # The past mixer was one to two weeks ago: its survey (open 14 days) still takes answers.
        past_day = working_day(day - timedelta(days=8), weekdays=weekday, step=-1)
        events = {
            "mixer": _mixer(report, working_day(day + timedelta(days=21), weekdays=(3, 4)),
                            _at(day - timedelta(days=12), 10)),
            "kabeuchi": _kabeuchi(report, working_day(day + timedelta(days=35), weekdays=weekday),
                                  _at(day - timedelta(days=6), 10)),
            "webinar": _webinar(report, working_day(day + timedelta(days=10), weekdays=weekday),
                                _at(day - timedelta(days=9), 10)),
            "past": _past_mixer(report, past_day, _at(past_day - timedelta(days=28), 10), people, now=now),
        }
        db.session.flush()
        for event, _new in events.values():
            db.session.refresh(event)
        demo_activity.seed_activity(events, people, users, now=now)
        mixer = events["mixer"][0]
        if db.session.get(EventStaff, (mixer.id, users[Role.CHECKIN].id)) is None:
            db.session.add(EventStaff(event_id=mixer.id, user_id=users[Role.CHECKIN].id))
            report.created.append("check-in assignment")
    return report


def has_events() -> bool:
    return (db.session.scalar(select(func.count()).select_from(Event)) or 0) > 0
