"""Where check-in staff land after signing in: their door screen, or the list of their doors."""
from __future__ import annotations

from events_app.auth.services import assign_staff


def sign_in(client, user, next_path: str | None = None):
    from tests.conftest import STAFF_PASSWORD

    path = "/login" + (f"?next={next_path}" if next_path else "")
    return client.post(path, data={"email": user.email, "password": STAFF_PASSWORD})


def test_checkin_staff_with_one_upcoming_assignment_land_on_its_door_screen(client, db_backend, make_event,
                                                                           make_staff):
    from tests.conftest import in_days

    staff = make_staff("checkin")
    assign_staff(make_event(slug="tonight").id, staff.id)
    assign_staff(make_event(slug="last-month", starts_at=in_days(-30)).id, staff.id)
    response = sign_in(client, staff)
    assert response.status_code == 302 and response.headers["Location"] == "/checkin/tonight"
    assert client.get("/checkin/tonight").status_code == 200


def test_checkin_staff_with_several_assignments_land_on_a_list_linking_each_door(client, db_backend, make_event,
                                                                                make_staff):
    from events_app.enums import EventStatus
    from tests.conftest import in_days

    staff = make_staff("checkin")
    for slug, fields in (("first", {}), ("second", {"starts_at": in_days(20)}),
                         ("over", {"starts_at": in_days(-3)}), ("called-off", {"status": EventStatus.CANCELLED})):
        assign_staff(make_event(slug=slug, **fields).id, staff.id)
    make_event(slug="not-mine")
    response = sign_in(client, staff)
    assert response.status_code == 302 and response.headers["Location"] == "/checkin/"
    page = client.get("/checkin/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'href="/checkin/first"' in html and 'href="/checkin/second"' in html
    assert "/checkin/over" not in html and "/checkin/called-off" not in html and "/checkin/not-mine" not in html


def test_checkin_staff_without_assignments_are_told_so_instead_of_a_403(client, db_backend, make_staff):
    response = sign_in(client, make_staff("checkin"))
    assert response.headers["Location"] == "/checkin/"
    page = client.get("/checkin/?lang=en")
    assert page.status_code == 200 and b"not assigned to any upcoming event" in page.data


def test_sign_in_still_follows_a_safe_next_and_operators_still_land_on_the_dashboard(client, db_backend,
                                                                                     make_event, make_staff):
    staff = make_staff("checkin")
    assign_staff(make_event(slug="tonight").id, staff.id)
    assert sign_in(client, staff, "/checkin/tonight/history").headers["Location"] == "/checkin/tonight/history"
    client.post("/logout")
    assert sign_in(client, staff, "https://evil.example/").headers["Location"] == "/checkin/tonight"
    client.post("/logout")
    assert sign_in(client, make_staff("operator")).headers["Location"] == "/admin/"
