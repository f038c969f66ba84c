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
