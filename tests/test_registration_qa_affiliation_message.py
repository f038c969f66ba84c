"""The registration form's affiliation error names only the affiliations the event's form offers."""
from __future__ import annotations

import html as html_lib

import pytest
from sqlalchemy import func, select

from events_app.extensions import db
from events_app.registration.models import Registration


def form_data(**overrides):
    data = {"name": "田中 太郎", "name_kana": "タナカ タロウ", "email": "taro@example.jp", "affiliation": "",
            "company": "株式会社サンプル", "consent": "y", "idempotency_key": "form-nonce-qa"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("audience, expected", [
    ((True, True, False), "アルムナイ・現役社員のいずれかを選んでください。"),
    ((True, False, True), "アルムナイ・ゲストのいずれかを選んでください。"),
    ((False, True, True), "現役社員・ゲストのいずれかを選んでください。"),
    ((True, True, True), "アルムナイ・現役社員・ゲストのいずれかを選んでください。"),
])
def test_missing_affiliation_names_only_the_offered_ones(client, db_backend, make_event, audience, expected):
    alumni, employees, guests = audience
    event = make_event(audience_alumni=alumni, audience_employees=employees, audience_guests=guests)
    response = client.post(f"/events/{event.slug}/register", data=form_data(), headers={"Accept-Language": "ja"})
    page = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    assert expected in page
    assert "田中 太郎" in page  # what was typed stays
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_the_api_names_the_offered_ones_in_english(client, db_backend, make_event):
    event = make_event(audience_guests=False)
    response = client.post(f"/api/v1/events/{event.slug}/registrations", headers={"Accept-Language": "en"},
                           json={"name": "Taro", "email": "taro@example.jp", "affiliation": "nope", "consent": True})
    assert response.get_json()["error"]["fields"]["affiliation"] == [
        "Choose whether you are an alumnus/alumna or a current employee."]


def test_an_employees_only_event_asks_for_that_one(client, db_backend, make_event):
    # The form preselects a lone affiliation, so only an API client can leave it out.
    event = make_event(audience_alumni=False, audience_guests=False)
    response = client.post(f"/api/v1/events/{event.slug}/registrations", headers={"Accept-Language": "ja"},
                           json={"name": "田中", "email": "taro@example.jp", "consent": True})
    assert response.get_json()["error"]["fields"]["affiliation"] == [
        "現役社員を選んでください（このイベントは現役社員限定です）。"]
