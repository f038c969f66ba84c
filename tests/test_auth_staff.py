"""Staff accounts: sign-in, hashed passwords, rate-limited login, API tokens, CLI."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from events_app.auth.models import ApiToken, StaffUser
from events_app.extensions import db
from tests.conftest import STAFF_PASSWORD


def test_passwords_are_stored_as_argon2id_hashes(make_staff):
    user = make_staff("operator")
    assert user.password_hash.startswith("$argon2id$")
    assert STAFF_PASSWORD not in user.password_hash


def test_staff_signs_in_and_reaches_the_dashboard(client, make_staff, login):
    login(make_staff("operator"))
    assert client.get("/admin/").status_code == 200


def test_wrong_password_is_refused_with_a_message_and_the_email_kept(client, make_staff):
    user = make_staff("operator")
    response = client.post("/login", data={"email": user.email, "password": "wrong password"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert b"Email or password is not correct." in response.data
    assert user.email.encode() in response.data


def test_login_redirect_never_leaves_the_site(client, make_staff):
    user = make_staff("operator")
    response = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": STAFF_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_sign_out_needs_a_post(client, make_staff, login):
    login(make_staff("operator"))
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/admin/").status_code == 302


def test_deactivated_staff_cannot_sign_in(client, make_staff):
    user = make_staff("operator")
    user.is_active_account = False
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": STAFF_PASSWORD})
    assert response.status_code == 422


class TestLoginRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "3 per minute"}

    def test_login_attempts_are_rate_limited(self, client, make_staff):
        user = make_staff("operator")
        codes = [client.post("/login", data={"email": user.email, "password": "nope nope"}).status_code
                 for _ in range(4)]
        assert codes == [422, 422, 422, 429]


def test_create_user_cli_prints_a_generated_password(runner):
    result = runner.invoke(args=["create-user", "Kanji.Taro@Example.JP", "--role", "checkin"])
    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    user = db.session.scalar(select(StaffUser))
    assert user.email == "kanji.taro@example.jp"
    assert user.role.value == "checkin"


@pytest.mark.parametrize(("args", "message"), [
    (["create-user", "not-an-email", "--role", "admin"], "valid email"),
    (["create-user", "a@example.jp", "--role", "admin", "--password", "short"], "at least 8"),
    (["create-user", "a@example.jp", "--role", "boss"], "Invalid value for '--role'"),
])
def test_create_user_cli_refuses_bad_input_clearly(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert db.session.scalar(select(StaffUser)) is None


def test_create_user_cli_refuses_a_duplicate(runner, make_staff):
    user = make_staff("operator")
    result = runner.invoke(args=["create-user", user.email.upper(), "--role", "admin"])
    assert result.exit_code != 0
    assert "already exists" in result.output


def test_create_token_cli_prints_a_token_on_its_last_line_and_stores_only_its_hash(runner, make_staff):
    user = make_staff("operator")
    result = runner.invoke(args=["create-token", user.email])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("tsu_") and len(token) > 30
    stored = db.session.scalar(select(ApiToken))
    assert stored.token_hash != token and token not in stored.token_hash
    from events_app.auth.services import user_for_token
    assert user_for_token(token).id == user.id


def test_create_token_cli_for_unknown_user_fails_clearly(runner):
    result = runner.invoke(args=["create-token", "nobody@example.jp"])
    assert result.exit_code != 0
    assert "No staff user" in result.output


def test_revoked_or_wrong_tokens_authenticate_nobody(make_token):
    from events_app.auth.services import revoke_token, user_for_token

    token, user = make_token("operator")
    assert user_for_token(token + "x") is None
    assert user_for_token("") is None
    revoke_token(user, db.session.scalar(select(ApiToken)).id)
    assert user_for_token(token) is None
