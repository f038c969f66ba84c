"""The staff and token pages: the assign list leaves out events already assigned, removing and
revoking ask first and name what they remove, and a deactivated account's token says why it is refused."""
from __future__ import annotations

import json
import re

import pytest

from events_app.auth.models import EventStaff
from events_app.extensions import db


@pytest.fixture
def admin_client(client, login, make_staff, db_backend):
    login(make_staff("admin"))
    return client


@pytest.fixture
def assigned(make_staff, make_event):
    """Check-in staff 受付 花子 assigned to one event, with a second event open to assign."""
    from events_app.auth.services import assign_staff

    user = make_staff("checkin", name="受付 花子")
    mine, other = make_event(title="秋の交流会"), make_event(title="冬の交流会")
    assign_staff(mine.id, user.id)
    return user, mine, other


def question(form: str) -> str:
    """The text the form's submit asks to confirm."""
    return json.loads(re.search(r"return confirm\((\".*?\")\)", form).group(1))


def user_row(html: str, user) -> str:
    return html.split(f'id="staff-{user.id}"')[1].split("</tr>")[0]


def test_assign_list_offers_only_events_not_assigned_yet(admin_client, assigned):
    user, mine, other = assigned
    row = user_row(admin_client.get("/admin/staff").get_data(as_text=True), user)
    select = row.split(f'id="assign-{user.id}"')[1].split("</select>")[0]
    assert f'value="{other.id}"' in select and f'value="{mine.id}"' not in select


def test_assigning_again_says_nothing_changed(admin_client, assigned):
    user, mine, _other = assigned
    html = admin_client.post(f"/admin/staff/{user.id}/events", data={"event_id": str(mine.id)},
                             follow_redirects=True).get_data(as_text=True)
    assert "すでにそのイベントに割り当てられています。" in html and "イベントに割り当てました。" not in html


def test_remove_button_names_whom_and_what_and_asks_first(admin_client, assigned):
    user, mine, _other = assigned
    row = user_row(admin_client.get("/admin/staff").get_data(as_text=True), user)
    form = row.split(f"/events/{mine.id}/remove")[1].split("</form>")[0]
    assert "受付 花子 さんを「秋の交流会」の担当から外しますか" in question(form)
    assert 'aria-label="受付 花子 さんを「秋の交流会」の担当から削除"' in form


def test_revoke_button_names_the_token_and_asks_first(client, login, make_staff, db_backend):
    login(make_staff("operator"))
    client.post("/admin/tokens", data={"name": "Excel 取り込み"})
    html = client.get("/admin/tokens").get_data(as_text=True)
    form = html.split("/revoke")[1].split("</form>")[0]
    assert "トークン「Excel 取り込み」を無効にしますか" in question(form)
    assert 'aria-label="トークン「Excel 取り込み」を無効にする"' in form


@pytest.mark.parametrize("path", ["/api/v1/checkin/events/nope/counts", "/api/v1/events/nope"])
def test_a_deactivated_accounts_token_is_refused_saying_so(client, make_token, path):
    from events_app.events.staff import set_active

    token, user = make_token("operator")
    set_active(user.id, False, actor=None)
    response = client.get(path, headers={"Authorization": f"Bearer {token}", "Accept-Language": "ja"})
    assert response.status_code == 401
    assert "このアカウントは無効化されているため" in response.get_json()["error"]["message"]


def test_an_unknown_token_is_still_just_invalid(client, db_backend):
    response = client.get("/api/v1/checkin/events/nope/counts",
                          headers={"Authorization": "Bearer tsu_nothing", "Accept-Language": "ja"})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "有効な Bearer トークンが必要です。"


@pytest.mark.browser
def test_dismissing_the_question_keeps_the_assignment(db_backend, live_server, launch_browser, make_staff, assigned):
    from tests.conftest import STAFF_PASSWORD
    from tests.support import sign_in

    user, mine, _other = assigned
    admin = make_staff("admin")
    page = launch_browser().new_context(locale="ja-JP").new_page()
    sign_in(page, live_server.url, admin, STAFF_PASSWORD)
    page.goto(f"{live_server.url}/admin/staff")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name=re.compile("受付 花子 さんを「秋の交流会」の担当から削除")).click()
    page.wait_for_timeout(300)
    assert asked and "外しますか" in asked[0]
    db.session.rollback()  # see what the server committed
    assert db.session.get(EventStaff, (mine.id, user.id)) is not None
