"""The events services: validation with field errors, slugs, publish / cancel / duplicate,
calendar hooks, waitlist promotion and the audit trail."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from events_app.audit.models import AuditEntry
from events_app.enums import EventStatus, RegistrationStatus
from events_app.errors import Conflict, ErrorCode, ValidationError
from events_app.events import programme, services
from events_app.extensions import db
from events_app.mail.models import OutboxMessage
from tests.conftest import in_days


def valid(**overrides) -> dict:
    start = in_days(20).replace(tzinfo=None)  # wall-clock time in the event's zone
    data = dict(title="アルムナイ交流会", kind="networking", timezone="Asia/Tokyo", starts_at=start,
                ends_at=start + timedelta(hours=2), capacity=30, audience=["alumni", "employee"],
                venue_name="本社", venue_map_url="https://maps.example.com/x")
    data.update(overrides)
    return data


@pytest.fixture
def operator(make_staff, db_backend):
    return make_staff("operator")


def field_errors(excinfo) -> dict:
    return excinfo.value.fields


@pytest.mark.parametrize("overrides, field, fragment", [
    ({"title": ""}, "title", "required"),
    ({"title": "x" * 201}, "title", "under 200"),
    ({"description": "x" * 20_001}, "description", "under 20000"),
    ({"kind": "party"}, "kind", "Choose one of"),
    ({"timezone": "Mars/Olympus"}, "timezone", "Unknown time zone"),
    ({"timezone": ""}, "timezone", "required"),
    ({"capacity": -1}, "capacity", "0 or more"),
    ({"capacity": "many"}, "capacity", "whole number"),
    ({"online_capacity": -5}, "online_capacity", "0 or more"),
    ({"venue_map_url": "javascript:alert(1)"}, "venue_map_url", "https://"),
    ({"online_url": "zoom.example.com/j/1"}, "online_url", "https://"),
    ({"venue_latitude": 91, "venue_longitude": 0}, "venue_latitude", "between"),
    ({"venue_latitude": 35.6}, "venue_longitude", "both"),
    ({"audience": []}, "audience", "at least one"),
    ({"audience": ["martians"]}, "audience", "Unknown audience"),
    ({"slug": "Not A Slug!"}, "slug", "lower-case"),
    ({"starts_at": datetime(1990, 1, 1, 19)}, "starts_at", "2000"),
    ({"requires_approval": "yes"}, "requires_approval", "true or false"),
])
def test_create_rejects_bad_field_with_a_message_on_that_field(operator, overrides, field, fragment):
    with pytest.raises(ValidationError) as excinfo:
        services.create_event(valid(**overrides), actor=operator)
    assert field in field_errors(excinfo)
    assert any(fragment in message for message in field_errors(excinfo)[field]), field_errors(excinfo)
    assert db.session.scalar(select(services.Event)) is None


def test_end_before_start_is_reported_on_the_end(operator):
    start = in_days(5).replace(tzinfo=None)
    with pytest.raises(ValidationError) as excinfo:
        services.create_event(valid(starts_at=start, ends_at=start - timedelta(hours=1)), actor=operator)
    assert field_errors(excinfo) == {"ends_at": ["The end must be after the start."]}


def test_every_problem_is_reported_at_once(operator):
    with pytest.raises(ValidationError) as excinfo:
        services.create_event(valid(title="", capacity=-3, timezone="Nowhere/City"), actor=operator)
    assert {"title", "capacity", "timezone"} <= set(field_errors(excinfo))


def test_inverted_registration_window_is_refused(operator):
    start = in_days(10).replace(tzinfo=None)
    with pytest.raises(ValidationError) as excinfo:
        services.create_event(valid(starts_at=start, ends_at=start + timedelta(hours=2),
                                    registration_opens_at=start - timedelta(days=1),
                                    registration_closes_at=start - timedelta(days=3)), actor=operator)
    assert "registration_closes_at" in field_errors(excinfo)


def test_event_longer_than_two_weeks_is_implausible(operator):
    start = in_days(10).replace(tzinfo=None)
    with pytest.raises(ValidationError) as excinfo:
        services.create_event(valid(starts_at=start, ends_at=start + timedelta(days=20)), actor=operator)
    assert "14 days" in field_errors(excinfo)["ends_at"][0]


def test_naive_times_are_wall_clock_times_in_the_event_zone(operator):
    event = services.create_event(valid(timezone="Europe/London", starts_at=datetime(2031, 7, 1, 18, 30),
                                        ends_at=datetime(2031, 7, 1, 21, 0)), actor=operator)
    assert event.starts_at == datetime(2031, 7, 1, 17, 30, tzinfo=timezone.utc)  # BST is UTC+1


def test_a_time_skipped_by_daylight_saving_does_not_exist(operator):
    with pytest.raises(ValidationError) as excinfo:
        services.create_event(valid(timezone="Europe/London", starts_at=datetime(2031, 3, 30, 1, 30),
                                    ends_at=datetime(2031, 3, 30, 4, 0)), actor=operator)
    assert "does not exist" in field_errors(excinfo)["starts_at"][0]


def test_slug_comes_from_a_latin_title(operator):
    event = services.create_event(valid(title="Alumni Winter Mixer 2031"), actor=operator)
    assert event.slug == "alumni-winter-mixer-2031"


def test_slug_of_a_japanese_title_uses_the_english_translation(operator):
    event = services.create_event(valid(title="冬の交流会", title_translation="Winter Mixer"), actor=operator)
    assert event.slug == "winter-mixer"


def test_slug_of_a_japanese_title_without_translation_is_romanised(operator):
    event = services.create_event(valid(title="事業の壁打ちナイト"), actor=operator)
    assert event.slug == "jigyou-no-kabe-uchi-naito"


def test_slug_of_a_title_without_a_reading_is_dated(operator):
    event = services.create_event(valid(title="𠮷"), actor=operator)
    local_day = event.local_starts_at.strftime("%Y%m%d")
    assert event.slug.startswith(f"event-{local_day}-")


def test_generated_slugs_stay_unique(operator):
    first = services.create_event(valid(title="Mixer"), actor=operator)
    second = services.create_event(valid(title="Mixer"), actor=operator)
    assert (first.slug, second.slug) == ("mixer", "mixer-2")


def test_a_taken_slug_is_a_conflict_on_the_slug_field(operator):
    services.create_event(valid(slug="winter-mixer"), actor=operator)
    with pytest.raises(Conflict) as excinfo:
        services.create_event(valid(slug="winter-mixer"), actor=operator)
    assert excinfo.value.code == ErrorCode.SLUG_TAKEN
    assert "slug" in excinfo.value.fields


def test_update_cannot_take_another_events_slug(operator, make_event):
    make_event(slug="taken")
    event = services.create_event(valid(), actor=operator)
    with pytest.raises(Conflict) as excinfo:
        services.update_event(event.id, {"slug": "taken"}, actor=operator)
    assert excinfo.value.code == ErrorCode.SLUG_TAKEN


def test_capacity_cannot_drop_below_seats_taken(operator, make_event, make_registration):
    event = make_event(capacity=5)
    for _ in range(3):
        make_registration(event)
    with pytest.raises(ValidationError) as excinfo:
        services.update_event(event.id, {"capacity": 2}, actor=operator)
    assert "3 seats are already taken" in field_errors(excinfo)["capacity"][0]


def test_moving_an_event_moves_its_sessions(operator, make_event, make_session):
    event = make_event()
    session = make_session(event, starts_at=event.starts_at + timedelta(minutes=30),
                           ends_at=event.starts_at + timedelta(minutes=90))
    new_start = event.starts_at + timedelta(days=7)
    services.update_event(event.id, {"starts_at": new_start, "ends_at": new_start + timedelta(hours=2)}, actor=operator)
    db.session.refresh(session)
    assert session.starts_at == new_start + timedelta(minutes=30)


def test_shrinking_an_event_around_its_sessions_is_refused(operator, make_event, make_session):
    event = make_event()
    make_session(event, title="最後のテーブル", starts_at=event.ends_at - timedelta(minutes=30), ends_at=event.ends_at)
    with pytest.raises(ValidationError) as excinfo:
        services.update_event(event.id, {"ends_at": event.ends_at - timedelta(hours=1)}, actor=operator)
    assert "最後のテーブル" in field_errors(excinfo)["ends_at"][0]


def test_changing_a_calendar_field_bumps_the_sequence_and_queues_updates(operator, make_event, make_registration):
    event = make_event()
    make_registration(event)
    services.update_event(event.id, {"venue_name": "新しい会場"}, actor=operator)
    assert event.calendar_sequence == 1
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.event_id == event.id)).all()


def test_changing_only_the_description_leaves_calendars_alone(operator, make_event, make_registration):
    event = make_event()
    make_registration(event)
    services.update_event(event.id, {"description": "追記しました"}, actor=operator)
    assert event.calendar_sequence == 0
    assert not db.session.scalars(select(OutboxMessage).where(OutboxMessage.event_id == event.id)).all()


def test_raising_capacity_promotes_from_the_waitlist(operator, make_event, make_registration):
    event = make_event(capacity=1)
    make_registration(event)
    waiting = make_registration(event, status="waitlisted", waitlist_rank=1)
    services.update_event(event.id, {"capacity": 2}, actor=operator)
    db.session.refresh(waiting)
    assert waiting.status == RegistrationStatus.CONFIRMED


def test_publish_moves_a_draft_to_published_and_is_audited(operator, make_event):
    event = make_event(status=EventStatus.DRAFT)
    services.publish_event(event.id, actor=operator)
    assert event.status == EventStatus.PUBLISHED and event.published_at is not None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.published"))
    assert entry.actor_id == operator.id and entry.event_id == event.id


@pytest.mark.parametrize("status", [EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.COMPLETED])
def test_only_drafts_can_be_published(operator, make_event, status):
    event = make_event(status=status)
    with pytest.raises(Conflict) as excinfo:
        services.publish_event(event.id, actor=operator)
    assert excinfo.value.code == ErrorCode.INVALID_STATE


def test_an_event_that_has_ended_cannot_be_published(operator, make_event):
    event = make_event(status=EventStatus.DRAFT, starts_at=in_days(-3))
    with pytest.raises(Conflict):
        services.publish_event(event.id, actor=operator)


def test_cancel_keeps_the_reason_tells_calendars_and_is_audited(operator, make_event, make_registration):
    event = make_event()
    make_registration(event)
    services.cancel_event(event.id, actor=operator, reason="台風接近のため")
    assert event.status == EventStatus.CANCELLED and event.cancellation_reason == "台風接近のため"
    assert db.session.scalars(select(OutboxMessage).where(OutboxMessage.event_id == event.id)).all()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.cancelled"))
    assert entry.details == {"reason": "台風接近のため"}


def test_a_cancelled_event_cannot_be_cancelled_or_edited(operator, make_event):
    event = make_event(status=EventStatus.CANCELLED)
    with pytest.raises(Conflict):
        services.cancel_event(event.id, actor=operator)
    with pytest.raises(Conflict):
        services.update_event(event.id, {"title": "復活"}, actor=operator)


def test_duplicate_copies_the_programme_as_a_draft_at_the_new_start(operator, make_event, make_session):
    event = make_event(title="壁打ちナイト")
    host = programme.add_host(event.id, {"name": "佐藤 健一", "former_department": "石炭部"}, actor=operator)
    make_session(event, host_id=host.id)
    programme.add_question(event.id, {"kind": "yes_no", "label": "懇親会に参加しますか"}, actor=operator)
    new_start = event.starts_at + timedelta(days=28)
    copy = services.duplicate_event(event.id, actor=operator, starts_at=new_start)
    assert copy.status == EventStatus.DRAFT and copy.slug != event.slug
    assert copy.starts_at == new_start and copy.title == "壁打ちナイト"
    assert copy.sessions[0].starts_at == new_start and copy.sessions[0].host.name == "佐藤 健一"
    assert [q.label for q in copy.questions] == ["懇親会に参加しますか"]
    assert copy.seats_taken == 0


# --- programme ------------------------------------------------------------------------------

def test_a_session_must_fit_inside_the_event(operator, make_event):
    event = make_event()
    with pytest.raises(ValidationError) as excinfo:
        programme.add_session(event.id, {"title": "早すぎる", "starts_at": event.starts_at - timedelta(hours=1),
                                         "ends_at": event.starts_at + timedelta(minutes=30)}, actor=operator)
    assert "starts_at" in field_errors(excinfo)


def test_a_session_host_must_belong_to_the_event(operator, make_event):
    event, other = make_event(), make_event()
    stranger = programme.add_host(other.id, {"name": "他のイベントの人"}, actor=operator)
    with pytest.raises(ValidationError) as excinfo:
        programme.add_session(event.id, {"title": "T", "starts_at": event.starts_at, "ends_at": event.ends_at,
                                         "host_id": stranger.id}, actor=operator)
    assert "host_id" in field_errors(excinfo)


def test_a_session_someone_chose_cannot_be_removed(operator, make_event, make_session, make_registration):
    from events_app.registration.models import RegistrationSession

    event = make_event()
    session = make_session(event)
    reg = make_registration(event)
    db.session.add(RegistrationSession(registration_id=reg.id, session_id=session.id, holds_seat=True))
    db.session.commit()
    with pytest.raises(Conflict):
        programme.remove_session(event.id, session.id, actor=operator)


def test_breakout_tables_can_be_reordered(operator, make_event, make_session):
    event = make_event()
    a, b = make_session(event, title="A", position=0), make_session(event, title="B", position=1)
    programme.move_session(event.id, b.id, -1, actor=operator)
    db.session.expire_all()
    assert [s.title for s in services.get_event(event.id).sessions] == ["B", "A"]


@pytest.mark.parametrize("data, field", [
    ({"kind": "single_choice", "label": "どちら？", "choices": ["A"]}, "choices"),
    ({"kind": "multiple_choice", "label": "どれ？", "choices": ["A", "A"]}, "choices"),
    ({"kind": "text", "label": "自由記述", "choices": ["A", "B"]}, "choices"),
    ({"kind": "essay", "label": "?"}, "kind"),
    ({"kind": "text", "label": ""}, "label"),
])
def test_bad_questions_are_refused(operator, make_event, data, field):
    event = make_event()
    with pytest.raises(ValidationError) as excinfo:
        programme.add_question(event.id, data, actor=operator)
    assert field in field_errors(excinfo)


def test_an_answered_question_keeps_its_kind(operator, make_event, make_registration):
    from events_app.registration.models import Answer

    event = make_event()
    question = programme.add_question(event.id, {"kind": "single_choice", "label": "テーブル",
                                                 "choices": ["A", "B"]}, actor=operator)
    reg = make_registration(event)
    db.session.add(Answer(registration_id=reg.id, question_id=question.id, value="A"))
    db.session.commit()
    with pytest.raises(ValidationError):
        programme.update_question(event.id, question.id, {"kind": "text", "choices": []}, actor=operator)
    programme.update_question(event.id, question.id, {"choices": ["A", "B", "C"]}, actor=operator)
    with pytest.raises(Conflict):
        programme.remove_question(event.id, question.id, actor=operator)


def test_host_years_must_make_sense(operator, make_event):
    event = make_event()
    with pytest.raises(ValidationError) as excinfo:
        programme.add_host(event.id, {"name": "佐藤", "joined_year": 2015, "left_year": 2005}, actor=operator)
    assert "left_year" in field_errors(excinfo)


def test_a_published_event_that_ended_can_be_marked_completed(operator, make_event):
    ended = make_event(starts_at=in_days(-2))
    services.complete_event(ended.id, actor=operator)
    assert ended.status == EventStatus.COMPLETED
    upcoming = make_event()
    with pytest.raises(Conflict):
        services.complete_event(upcoming.id, actor=operator)


def test_the_unique_index_decides_when_two_operators_race_for_a_slug(operator, monkeypatch):
    """Both pass the friendly check (simulated); the database still lets only one through."""
    services.create_event(valid(slug="race"), actor=operator)
    monkeypatch.setattr(services, "_slug_taken", lambda *args, **kwargs: False)
    with pytest.raises(Conflict) as excinfo:
        services.create_event(valid(slug="race"), actor=operator)
    assert excinfo.value.code == ErrorCode.SLUG_TAKEN
    assert len(db.session.scalars(select(services.Event)).all()) == 1
