"""A demo database seeded before migration 0006 (hosts without English): `seed-demo`, and
`seed-demo --if-empty` as `make run` calls it, fill the demo hosts' missing English and nothing
an operator wrote."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from events_app.events.demo_english import demo_hosts
from events_app.events.models import Event, Host
from events_app.extensions import db


@pytest.fixture
def old_demo(runner, db_backend):
    """The demo as seeded before 0006: every host's English empty, as the migration left it."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    db.session.execute(update(Host).values(current_title_translation="", profile_translation=""))
    db.session.commit()


def english_of(slug: str, name: str) -> tuple[str, str]:
    db.session.rollback()  # read what the command committed
    host = db.session.scalar(select(Host).join(Event).where(Event.slug == slug, Host.name == name))
    return host.current_title_translation, host.profile_translation


def edit_host(slug: str, name: str, **fields) -> None:
    host = db.session.scalar(select(Host).join(Event).where(Event.slug == slug, Host.name == name))
    for key, value in fields.items():
        setattr(host, key, value)
    db.session.commit()


@pytest.mark.parametrize("args", [["seed-demo", "--if-empty"], ["seed-demo"]])
def test_the_demo_hosts_gain_their_english_title_and_profile(runner, old_demo, args):
    result = runner.invoke(args=args)
    assert result.exit_code == 0 and "English titles and profiles filled in" in result.output
    assert "nothing changed" not in result.output
    for slug, name, _title, _profile, title_en, profile_en in demo_hosts():
        assert english_of(slug, name) == (title_en, profile_en), name


def test_a_second_run_fills_nothing_and_make_run_stays_quiet(runner, old_demo):
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and again.output == ""


def test_what_an_operator_wrote_or_changed_is_kept(runner, old_demo):
    edit_host("kabeuchi-night", "鈴木 美咲", current_title_translation="Venture lead (her words)")
    edit_host("kabeuchi-night", "高橋 大輔", current_title="執行役員")  # retitled: the demo's English no longer fits
    edit_host("alumni-mixer-autumn", "林 真由美", profile="医療機器スタートアップの共同創業者。")
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    assert english_of("kabeuchi-night", "鈴木 美咲")[0] == "Venture lead (her words)"
    assert english_of("kabeuchi-night", "高橋 大輔") == ("", "Moved from ferroalloy trading to a manufacturer. "
                                                         "Runs a division's P&L and will talk about getting a "
                                                         "new business approved.")
    assert english_of("alumni-mixer-autumn", "林 真由美") == ("Co-founder and CEO", "")


def test_a_host_of_another_event_with_a_demo_hosts_name_and_title_is_left_alone(runner, db_backend, make_event):
    event = make_event(slug="own-mixer")
    db.session.add(Host(event_id=event.id, name="佐藤 健一", current_title="代表取締役 CEO"))
    db.session.commit()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0 and result.output == ""
    assert english_of("own-mixer", "佐藤 健一") == ("", "")


def test_an_event_switched_to_english_gets_no_english_translation(runner, old_demo):
    db.session.execute(update(Event).where(Event.slug == "kabeuchi-night").values(language="en"))
    db.session.commit()
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0
    assert english_of("kabeuchi-night", "田中 由紀") == ("", "")
