"""The tickets and registration commands speak CLI_LANGUAGE in their errors, like checkin-status,
and checkin-scan ends non-zero for any answer but ok."""
from __future__ import annotations

import pytest


@pytest.fixture
def japanese_cli(app):
    app.config["CLI_LANGUAGE"] = "ja"


def test_ticket_show_names_a_missing_registration_in_japanese(japanese_cli, db_backend, runner):
    result = runner.invoke(args=["ticket-show", "9999"])
    assert result.exit_code != 0 and "ID 9999 の申し込みはありません。" in result.output


def test_ticket_show_says_a_waitlisted_registration_has_no_ticket_in_japanese(japanese_cli, runner, make_event,
                                                                            make_registration):
    registration = make_registration(make_event(), status="waitlisted")
    result = runner.invoke(args=["ticket-show", str(registration.id)])
    assert result.exit_code != 0 and "この申し込みは「キャンセル待ち」のため" in result.output
    assert "waitlisted" not in result.output


@pytest.mark.parametrize("command", ["registration-counts", "promote-waitlist"])
def test_registration_commands_name_a_missing_event_in_japanese(japanese_cli, db_backend, runner, command):
    result = runner.invoke(args=[command, "nonexist"])
    assert result.exit_code != 0 and "「nonexist」というイベントはありません。" in result.output


def test_ticket_show_stays_english_by_default(db_backend, runner):
    result = runner.invoke(args=["ticket-show", "9999"])
    assert result.exit_code != 0 and "No registration with id 9999." in result.output


@pytest.fixture
def door(make_event, make_registration):
    from events_app.tickets import codes, services

    event = make_event()
    registration = make_registration(event)
    return event, codes.ticket_url(services.ticket_code(registration))


def test_checkin_scan_exits_zero_only_when_the_ticket_is_admitted(runner, door):
    event, url = door
    admitted = runner.invoke(args=["checkin-scan", event.slug, url])
    assert admitted.exit_code == 0 and '"result": "ok"' in admitted.output
    again = runner.invoke(args=["checkin-scan", event.slug, url])
    assert again.exit_code == 3 and '"result": "already_checked_in"' in again.output


def test_checkin_scan_exits_non_zero_for_an_unknown_code_and_still_prints_the_answer(runner, door):
    event, _url = door
    result = runner.invoke(args=["checkin-scan", event.slug, "garbage"])
    assert result.exit_code == 3 and '"result": "unknown_code"' in result.output


def test_checkin_scan_exits_non_zero_for_another_events_ticket(runner, door, make_event):
    _event, url = door
    result = runner.invoke(args=["checkin-scan", make_event().slug, url])
    assert result.exit_code == 3 and '"result": "wrong_event"' in result.output
