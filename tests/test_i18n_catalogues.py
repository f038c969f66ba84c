"""The events and shared-page catalogues: complete, and every msgstr keeps its placeholders."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = [ROOT / "events_app/events/translations/ja/LC_MESSAGES/messages.po",
              ROOT / "events_app/translations/ja/LC_MESSAGES/messages.po"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def messages(path: Path):
    assert '"Content-Type: text/plain; charset=utf-8\\n"' in path.read_text(encoding="utf-8")
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="ja")
    return [m for m in catalog if m.id]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_message_is_translated_with_the_same_placeholders(path):
    for message in messages(path):
        assert message.string, f"untranslated: {message.id!r}"
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string)), message.id


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_no_translation_carries_markup(path):
    # Translated strings are inserted into HTML as they are: a "<" would become a tag.
    for message in messages(path):
        assert "<" not in message.string and "<" not in message.id, message.id
