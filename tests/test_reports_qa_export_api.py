"""POST /api/v1/events/<slug>/exports refuses a body it would misread, naming every faulty field at once."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from events_app.extensions import db
from tests.reports_seed import seeded  # noqa: F401  (fixture)


def job_count() -> int:
    from events_app.reports.models import ExportJob

    return db.session.scalar(select(func.count(ExportJob.id)))


def post_export(client, slug, headers, body):
    return client.post(f"/api/v1/events/{slug}/exports", json=body, headers=headers)


@pytest.mark.parametrize("body, field", [
    ({"kind": "attendance_pdf", "filters": {"status": ["nope"]}}, "filters.status"),
    ({"kind": "attendance_pdf", "filters": {"statuses": "confirmed"}}, "filters.statuses"),
    ({"kind": "attendance_pdf", "filters": {"statuses": ["nope"]}}, "filters.statuses"),
    ({"kind": "attendance_pdf", "filters": "all"}, "filters"),
    ({"kind": "attendance_pdf", "filters": {"session_id": [1]}}, "filters.session_id"),
    ({"kind": "attendance_pdf", "filters": {"attended": 1}}, "filters.attended"),
    ({"kind": "summary_pdf", "appendix": "no"}, "appendix"),
    ({"kind": "summary_pdf", "format": "pdf"}, "format"),
    ({"kind": "summary_pdf", "lang": "fr"}, "lang"),
    ({"kind": 3}, "kind"),
])
def test_a_faulty_field_is_refused_and_named(seeded, client, staff_token, body, field):
    response = post_export(client, seeded.event.slug, staff_token, body)
    assert response.status_code == 422
    assert field in response.get_json()["error"]["fields"]
    assert job_count() == 0


def test_every_faulty_field_is_named_in_one_answer(seeded, client, staff_token):
    body = {"kind": "summary_pdf", "appendix": "no", "colour": "red",
            "filters": {"statuses": ["confirmed", "nope", "maybe"], "status": ["x"]}}
    fields = post_export(client, seeded.event.slug, staff_token, body).get_json()["error"]["fields"]
    assert set(fields) == {"appendix", "colour", "filters.status", "filters.statuses"}
    assert "nope, maybe" in fields["filters.statuses"][0]


def test_a_string_of_statuses_is_not_read_letter_by_letter(seeded, client, staff_token):
    body = {"kind": "attendance_pdf", "filters": {"statuses": "confirmed"}}
    message = post_export(client, seeded.event.slug, staff_token, body).get_json()["error"]["fields"][
        "filters.statuses"][0]
    assert "c, o, n" not in message and "confirmed" in message


def test_errors_are_in_japanese_for_a_japanese_client(seeded, client, staff_token):
    body = {"kind": "summary_pdf", "appendix": "no", "filters": "all", "colour": "red"}
    response = client.post(f"/api/v1/events/{seeded.event.slug}/exports?lang=ja", json=body, headers=staff_token)
    fields = response.get_json()["error"]["fields"]
    assert fields["colour"] == ["不明な項目です。"]
    assert fields["appendix"] == ["true か false を指定してください。"]
    assert "オブジェクト" in fields["filters"][0]


def test_a_valid_request_keeps_its_filters_and_appendix(seeded, client, staff_token):
    from events_app.reports.models import ExportJob

    body = {"kind": "summary_pdf", "lang": "en", "appendix": False,
            "filters": {"statuses": ["confirmed"], "attended": "yes"}}
    assert post_export(client, seeded.event.slug, staff_token, body).status_code == 202
    job = db.session.scalars(select(ExportJob)).one()
    assert job.params["appendix"] is False
    assert job.params["filters"]["statuses"] == ["confirmed"] and job.params["filters"]["attended"] == "yes"
