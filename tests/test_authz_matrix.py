"""Every staff page and API endpoint, walked as anonymous, check-in staff and operator.

The routes come from the app's URL map, so a new route is covered the day it is added:
anything under /admin or /checkin, and any /api/v1 endpoint not listed as public, must
refuse strangers; check-in staff reach only check-in; operators reach everything.
"""
from __future__ import annotations

import re

import pytest

from events_app.extensions import db

# (method, rule) pairs anyone may call.
PUBLIC_API = {
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/events/<slug>"),
    ("POST", "/api/v1/events/<slug>/registrations"),
}
# Rules check-in staff may use (for events they are assigned to).
CHECKIN_ALLOWED = re.compile(r"^(/checkin|/api/v1/checkin|/admin/tokens|/t/)")
STAFF_PAGES = re.compile(r"^/(admin|checkin)(/|$)")
# Managing staff accounts is for admins alone.
ADMIN_ONLY = re.compile(r"^/admin/staff")


@pytest.fixture
def world(app, make_event, make_session, make_registration, make_staff, make_token):
    """One event with a session and a confirmed registration; staff of each kind."""
    from events_app.auth.services import assign_staff

    event = make_event(slug="matrix-event")
    session = make_session(event)
    registration = make_registration(event)
    checkin_token, checkin_user = make_token("checkin")
    operator_token, operator_user = make_token("operator")
    admin_token, admin_user = make_token("admin")
    assign_staff(event.id, checkin_user.id)
    return {
        "event": event, "session": session, "registration": registration,
        "checkin": (checkin_user, checkin_token), "operator": (operator_user, operator_token),
        "admin": (admin_user, admin_token),
    }


def _fill(rule, world) -> str:
    values = {}
    for arg in rule.arguments:
        if arg in ("slug", "event_slug"):
            values[arg] = world["event"].slug
        elif arg in ("token",):
            values[arg] = world["registration"].manage_token
        elif arg in ("session_id",):
            values[arg] = world["session"].id
        elif arg in ("registration_id", "id", "reg_id"):
            values[arg] = world["registration"].id
        elif arg == "filename":
            values[arg] = "css/app.css"
        elif arg == "code":
            values[arg] = "en"
        else:
            values[arg] = 1
    url = rule.rule
    for arg, value in values.items():
        url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(value), url)
    return url


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def _is_private_api(method, rule) -> bool:
    return rule.rule.startswith("/api/v1") and (method, rule.rule) not in PUBLIC_API


def _call(client, method, url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if url.startswith("/api/"):
        return client.open(url, method=method, json={}, headers=headers)
    return client.open(url, method=method, data={}, headers=headers)


def test_anonymous_is_refused_everywhere_staff_only(app, client, world):
    checked = 0
    for method, rule in _routes(app):
        url = _fill(rule, world)
        if STAFF_PAGES.match(rule.rule):
            response = _call(client, method, url)
            assert response.status_code in (302, 401), (method, url, response.status_code)
            if response.status_code == 302:
                assert "/login" in response.headers["Location"], (method, url)
            checked += 1
        elif _is_private_api(method, rule):
            response = _call(client, method, url)
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.get_json()["error"]["code"] == "unauthorized"
            checked += 1
        db.session.rollback()
    assert checked >= 2


def test_checkin_staff_reach_only_check_in(app, client, world, login):
    user, token = world["checkin"]
    login(user)
    for method, rule in _routes(app):
        url = _fill(rule, world)
        staff_page = STAFF_PAGES.match(rule.rule)
        if not (staff_page or _is_private_api(method, rule)):
            continue
        response = _call(client, method, url, token=token)
        if CHECKIN_ALLOWED.match(rule.rule):
            assert response.status_code not in (401, 403), (method, url, response.status_code)
        else:
            assert response.status_code == 403, (method, url, response.status_code)
        db.session.rollback()


def test_operators_reach_every_staff_route_but_staff_accounts(app, client, world, login):
    user, token = world["operator"]
    login(user)
    for method, rule in _routes(app):
        url = _fill(rule, world)
        if not (STAFF_PAGES.match(rule.rule) or _is_private_api(method, rule)):
            continue
        response = _call(client, method, url, token=token)
        if ADMIN_ONLY.match(rule.rule):
            assert response.status_code == 403, (method, url, response.status_code)
            continue
        assert response.status_code not in (401, 403), (method, url, response.status_code)
        assert response.status_code < 500, (method, url, response.status_code, response.data[:300])
        db.session.rollback()


def test_admins_reach_every_staff_route(app, client, world, login):
    user, token = world["admin"]
    login(user)
    reached = 0
    for method, rule in _routes(app):
        url = _fill(rule, world)
        if not (STAFF_PAGES.match(rule.rule) or _is_private_api(method, rule)):
            continue
        response = _call(client, method, url, token=token)
        assert response.status_code not in (401, 403), (method, url, response.status_code)
        assert response.status_code < 500, (method, url, response.status_code, response.data[:300])
        reached += 1
        db.session.rollback()
    assert reached > 50
