"""`flask export-engagement` speaks CLI_LANGUAGE like every other command, whatever --lang (the file's) says."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("extra", [[], ["--lang", "ja"]], ids=["default-lang", "ja-file"])
def test_a_reversed_period_is_explained_in_english_by_default(app, db_backend, runner, extra):
    result = runner.invoke(args=["export-engagement", "--from", "2026-12-31", "--to", "2026-01-01", *extra])
    assert result.exit_code != 0
    assert "The end of the period is before its start." in result.output
    assert "期間" not in result.output


def test_a_reversed_period_follows_a_japanese_cli_language(app, db_backend, runner):
    app.config["CLI_LANGUAGE"] = "ja"
    result = runner.invoke(args=["export-engagement", "--from", "2026-12-31", "--to", "2026-01-01", "--lang", "en"])
    assert result.exit_code != 0
    assert "期間の終了日が開始日より前になっています。" in result.output
