"""Helpers shared by the tests: system components that may be absent outside CI."""
from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    """Skip with the reason when a system component is missing; under CI=true, fail instead."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: .ci/run must install or start it)", pytrace=False)
    pytest.skip(reason)


def require_executable(name: str, package: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"{name} is not installed (Debian package {package})")
    return path


def sign_in(page, base_url: str, user, password: str) -> None:
    """Sign `user` in through the real login form of the app at `base_url` (browser tests)."""
    page.goto(f"{base_url}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def api_error(response) -> dict:
    """The `error` object of a JSON API answer."""
    return response.get_json()["error"]


def deliver_mail(runner) -> None:
    """Drain the outbox once through the real command (`flask deliver-mail --once`)."""
    result = runner.invoke(args=["deliver-mail", "--once"])
    assert result.exit_code == 0, result.output
