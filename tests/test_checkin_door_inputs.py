"""The door's inputs that QA found mishandled: search wildcards, the undo's source and its missing
id, a device of the wrong type, a JSON `null` body, the walk-in form's choices and the ticket
page's hint to a holder whose ticket no longer admits."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from events_app.enums import CheckInKind, RegistrationStatus
from events_app.extensions import db
from events_app.tickets import codes, services
from events_app.tickets.models import CheckIn


@pytest.fixture
def door(db_backend, make_event, make_registration, make_person, make_token):
    event = make_event(slug="mixer")
    yamada = make_registration(event, person=make_person(name="山田 花子", name_kana="ヤマダ ハナコ",
                                                         email="yamada_h@example.jp", company="株式会社100%"))
    for n in range(3):
        make_registration(event, person=make_person(name=f"佐藤 {n}", name_kana=f"サトウ {n}",
                                                    email=f"sato{n}@example.jp", company="株式会社ミライ"))
    token, _staff = make_token("operator")
    return event, yamada, token


def api(client, token, path, body=None):
    headers = {"Authorization": f"Bearer {token}"}
    if body is None:
        return client.get(path, headers=headers)
    return client.post(path, json=body, headers=headers)


def names(response) -> list[str]:
    assert response.status_code == 200
    return [r["name"] for r in response.get_json()["results"]]


def test_a_typed_percent_or_underscore_is_a_character_not_a_wildcard(client, door):
    _event, _yamada, token = door
    search = "/api/v1/checkin/events/mixer/search?q="
    # Before, "%" and "_" matched everyone (SQL LIKE wildcards); now only who holds the character.
    assert names(api(client, token, search + "%25")) == ["山田 花子"]  # the company 株式会社100%
    assert names(api(client, token, search + "_")) == ["山田 花子"]  # the email yamada_h@
    assert names(api(client, token, search + "yamada_h")) == ["山田 花子"]
    assert names(api(client, token, search + "sato_")) == []  # "_" no longer stands for the digit
    assert len(names(api(client, token, search + "sato"))) == 3


def _last_undo(registration_id: int) -> CheckIn:
    return db.session.scalars(select(CheckIn).where(CheckIn.registration_id == registration_id,
                                                    CheckIn.kind == CheckInKind.UNDO)
                              .order_by(CheckIn.id.desc())).first()


def test_each_undo_keeps_how_it_came_in(client, door, login, make_staff):
    event, yamada, token = door
    code = services.ticket_code(yamada)
    undo = {"registration_id": yamada.id, "reason": "別の方でした"}
    api(client, token, "/api/v1/checkin", {"code": code, "event": "mixer"})
    assert api(client, token, "/api/v1/checkin/undo", undo).status_code == 200
    assert _last_undo(yamada.id).source.value == "api"

    login(make_staff("operator"))
    for asked_from, stored in (("scan", "scan"), ("search", "search"), (None, "scan")):
        client.post("/checkin/mixer/api/scan", json={"code": code})
        body = {**undo, "source": asked_from} if asked_from else undo
        assert client.post("/checkin/mixer/api/undo", json=body).status_code == 200
        assert _last_undo(yamada.id).source.value == stored, asked_from
    history = client.get("/checkin/mixer/history?lang=en").get_data(as_text=True)
    assert "QR scan" in history and "Search" in history


@pytest.mark.parametrize("body", [{}, {"reason": "x"}, {"registration_id": "", "reason": "x"}])
def test_an_api_undo_without_whom_names_the_field(client, door, body):
    _event, yamada, token = door
    response = api(client, token, "/api/v1/checkin/undo", body)
    assert response.status_code == 422
    assert "registration_id" in response.get_json()["error"]["fields"]


def test_an_api_undo_of_an_unknown_registration_is_404(client, door):
    _event, _yamada, token = door
    assert api(client, token, "/api/v1/checkin/undo", {"registration_id": 999999, "reason": "x"}).status_code == 404


@pytest.mark.parametrize("device", [{"a": 1}, ["phone"], 12, True])
def test_a_device_that_is_not_text_is_refused_and_nothing_is_written(client, door, device):
    _event, yamada, token = door
    response = api(client, token, "/api/v1/checkin",
                   {"code": services.ticket_code(yamada), "event": "mixer", "nonce": "n-1", "device": device})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert "device" in error["fields"] and "device" in error["message"]
    assert db.session.scalars(select(CheckIn)).all() == []


def test_a_device_label_is_kept_as_sent(client, door):
    _event, yamada, token = door
    api(client, token, "/api/v1/checkin", {"code": services.ticket_code(yamada), "event": "mixer", "device": "受付A"})
    assert db.session.scalars(select(CheckIn.device)).all() == ["受付A"]


def test_a_code_that_is_not_text_says_so_rather_than_missing(client, door):
    _event, _yamada, token = door
    response = api(client, token, "/api/v1/checkin?lang=en", {"code": 123, "event": "mixer"})
    assert response.status_code == 422
    assert response.get_json()["error"]["message"] == "code must be text."
    missing = api(client, token, "/api/v1/checkin?lang=en", {"event": "mixer"})
    assert missing.status_code == 422 and "code" in missing.get_json()["error"]["fields"]
    assert missing.get_json()["error"]["message"] != "code must be text."


def test_a_json_null_body_is_called_not_an_object(client, door):
    _event, _yamada, token = door
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    null = client.post("/api/v1/checkin?lang=en", data="null", headers=headers)
    assert null.status_code == 400 and null.get_json()["error"]["message"] == "The body must be a JSON object."
    broken = client.post("/api/v1/checkin?lang=en", data="{nope", headers=headers)
    assert broken.status_code == 400 and broken.get_json()["error"]["message"] == "The body must be valid JSON."


def test_the_walk_in_form_offers_only_whom_the_event_admits(client, login, make_staff, db_backend, make_event):
    make_event(slug="kabeuchi", audience_guests=False)
    login(make_staff("operator"))
    page = client.get("/checkin/kabeuchi?lang=ja").get_data(as_text=True)
    walk_in = page[page.index('id="w-aff"'):page.index("</select>", page.index('id="w-aff"'))]
    assert 'value="alumni"' in walk_in and 'value="employee"' in walk_in
    assert 'value="guest"' not in walk_in


KEEP_IT = "keep it for the day of the event"


def test_only_a_ticket_that_still_admits_tells_its_holder_to_keep_it(client, door):
    _event, yamada, _token = door
    path = codes.ticket_url(services.ticket_code(yamada)).replace("http://localhost", "")
    assert KEEP_IT in client.get(path + "?lang=en").get_data(as_text=True)
    yamada.status = RegistrationStatus.CANCELLED
    db.session.commit()
    page = client.get(path + "?lang=en").get_data(as_text=True)
    assert KEEP_IT not in page and "Only reception staff can check a ticket in" not in page


def test_browsers_asking_for_favicon_ico_get_the_icon(client, db_backend):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].endswith("/static/favicon.svg")
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    icon.close()
    assert 'rel="icon"' in client.get("/").get_data(as_text=True)
