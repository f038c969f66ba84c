"""Demo databases seeded before migration 0006: the demo's hosts gain the English title and
profile the demo now seeds, since the migration left them empty (it cannot know the text)."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select, update

from ..database import write_transaction
from ..extensions import db
from .demo import KABEUCHI_HOSTS, MIXER_SPEAKER
from .demo_data import PAST_TABLE_HOSTS
from .models import Event, Host


def demo_hosts() -> Iterator[tuple[str, str, str, str, str, str]]:
    """(event slug, name, title, profile, title in English, profile in English) of each demo host."""
    yield ("alumni-mixer-tokyo", *MIXER_SPEAKER)
    for name, _kana, _company, title, _dept, _joined, _left, profile, _table, _table_en, title_en, profile_en \
            in KABEUCHI_HOSTS:
        yield "kabeuchi-night", name, title, profile, title_en, profile_en
    for name, _role, title, profile, title_en, profile_en in PAST_TABLE_HOSTS:
        yield "alumni-mixer-autumn", name, title, profile, title_en, profile_en


def fill_missing_host_english() -> int:
    """Fill the demo hosts' empty English title and profile; how many fields were filled.

    A field is filled only where the host is the demo's (its Japanese event's slug and its name),
    the original is still the demo's Japanese text and the translation is empty: a host an
    operator added, retitled or translated keeps what the operator wrote. A second run fills none."""
    filled = 0
    with write_transaction():
        for slug, name, title, profile, title_en, profile_en in demo_hosts():
            of_the_demo = Host.event_id.in_(select(Event.id).where(Event.slug == slug, Event.language == "ja"))
            for original, translation, text, english in (
                    (Host.current_title, Host.current_title_translation, title, title_en),
                    (Host.profile, Host.profile_translation, profile, profile_en)):
                result = db.session.execute(
                    update(Host).where(of_the_demo, Host.name == name, original == text, translation == "")
                    .values({translation: english}).execution_options(synchronize_session=False))
                filled += result.rowcount
    return filled
