"""Reports name sessions in the reader's language: the operators' reports page (figures and the
export filter), the summary PDF and the attendance PDF's filter line; the original where a session
has no translation."""
from __future__ import annotations

import re

import pytest


@pytest.fixture
def tables(make_event, make_session):
    """tables(event_language) -> an event with a translated table and one without a translation."""
    def factory(event_language: str):
        event = make_event(language=event_language)
        original, translation = ("A卓", "Table A") if event_language == "ja" else ("Table A", "A卓")
        translated = make_session(event, title=original, title_translation=translation, position=0)
        make_session(event, title="B卓", position=1)
        return event, translated, translation
    return factory


# (event's language, reader's language): a reader of the event's other language in both directions
OTHER_LANGUAGE = [("ja", "en"), ("en", "ja")]


@pytest.mark.parametrize("event_language, language", OTHER_LANGUAGE)
def test_the_reports_page_names_sessions_in_the_operators_language(operator_in, tables, event_language, language):
    event, table, translation = tables(event_language)
    html = operator_in(language).get(f"/admin/events/{event.slug}/reports").get_data(as_text=True)
    figures = re.search(r"<table class=\"figures responsive\">.*?<tbody>(.*?)</tbody>", html, re.S).group(1)
    assert re.findall(r"<tr><td>([^<]*)</td>", figures) == [translation, "B卓"]


@pytest.mark.parametrize("event_language, language", OTHER_LANGUAGE)
def test_the_export_filter_names_tables_in_the_operators_language(operator_in, tables, event_language, language):
    event, table, translation = tables(event_language)
    html = operator_in(language).get(f"/admin/events/{event.slug}/reports").get_data(as_text=True)
    assert re.search(rf'<option value="{table.id}">([^<]*)</option>', html).group(1) == translation


@pytest.mark.parametrize("event_language, language", [("en", "ja"), ("en", "en")])
def test_the_summary_pdf_names_an_english_events_sessions_in_its_language(app, db_backend, tables, event_language,
                                                                          language):
    """It took every event for a Japanese one: an English event's summary in English showed the
    Japanese translations, and in Japanese the English originals."""
    from events_app.reports.pdfs import summary_html_for

    event, table, translation = tables(event_language)
    html = summary_html_for(event, lang=language, appendix=False)
    shown = translation if event_language != language else table.title
    assert re.findall(r"<tr><td>([^<]*)</td>\s*<td>\d\d:\d\d</td>", html) == [shown, "B卓"]  # title, then time


@pytest.mark.parametrize("event_language, language", OTHER_LANGUAGE)
def test_the_attendance_pdfs_filter_line_names_the_table_in_its_language(app, db_backend, tables, event_language,
                                                                         language):
    from events_app.reports.exports import AttendanceFilter
    from events_app.reports.pdfs import filters_text

    event, table, translation = tables(event_language)
    assert translation in filters_text(event, AttendanceFilter.parse(session_id=str(table.id)), language)
