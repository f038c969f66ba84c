"""The events, registration and shared-page catalogues: complete, and every msgstr keeps its placeholders."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = [ROOT / "events_app/events/translations/ja/LC_MESSAGES/messages.po",
              ROOT / "events_app/registration/translations/ja/LC_MESSAGES/messages.po",
              ROOT / "events_app/translations/ja/LC_MESSAGES/messages.po"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def messages(path: Path):
    assert '"content-type: text/plain; charset=utf-8\\n"' in path.read_text(encoding="utf-8").lower()
    with path.open("rb") as fh:
        catalog = read_po(fh, locale="ja")
    return [m for m in catalog if m.id]


def forms(texts) -> list[str]:
    """A message's texts: one, or a plural message's singular and plural (msgstr[0], [1] ...)."""
    return [texts] if isinstance(texts, str) else list(texts)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_every_message_is_translated_with_the_same_placeholders(path):
    for message in messages(path):
        ids, strings = forms(message.id), forms(message.string)
        assert all(strings), f"untranslated: {message.id!r}"
        # Japanese has one plural form; it stands for the plural msgid, whose placeholders it keeps.
        expected = sorted(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert sorted(PLACEHOLDER.findall(string)) == expected, message.id


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-5])
def test_no_translation_carries_markup(path):
    # Translated strings are inserted into HTML as they are: a "<" would become a tag.
    for message in messages(path):
        for text in forms(message.string) + forms(message.id):
            assert "<" not in text, message.id
