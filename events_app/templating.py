"""Template filters: times in the event's zone, Markdown rendered and sanitised, localised titles."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import nh3
from flask import Flask
from flask_babel import format_datetime, get_locale
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "ol", "li", "h2", "h3", "h4", "blockquote", "code",
                "pre", "hr", "table", "thead", "tbody", "tr", "th", "td"}


def render_markdown(text: str) -> Markup:
    """Markdown to HTML that is safe to show: raw HTML is never passed through."""
    html = _md.render(text or "")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")
    return Markup(clean)


def markdown_text(text: str) -> str:
    """Markdown as the plain text a reader sees (link previews, meta descriptions): no **, no ##."""
    html = _md.render(text or "")
    plain = nh3.clean(html, tags=set())  # every tag dropped, the words kept
    return " ".join(Markup(plain).unescape().split())


def format_list(items) -> str:
    """A list as the reader's language writes it: 「A、B、C」 in Japanese, "A, B and C" in English."""
    from babel.lists import format_list as babel_format_list

    items = [str(i) for i in items]
    return babel_format_list(items, locale=str(get_locale() or "ja")) if items else ""


def local_time(value: datetime | None, tz: str, fmt: str = "medium") -> str:
    """Format an aware UTC datetime in an IANA zone with the current locale."""
    if value is None:
        return ""
    local = value.astimezone(ZoneInfo(tz))
    patterns = {
        "date": "yyyy/MM/dd (EEE)" if str(get_locale()) == "ja" else "EEE, d MMM yyyy",
        "time": "HH:mm",
        "medium": "yyyy/MM/dd (EEE) HH:mm" if str(get_locale()) == "ja" else "EEE, d MMM yyyy HH:mm",
    }
    # format_datetime would re-convert to the app's zone; give it a naive local time instead.
    from babel.dates import format_datetime as babel_format
    return babel_format(local, patterns.get(fmt, fmt), locale=str(get_locale()))


def in_language(reader_language: str, original: str, translation: str, language: str) -> str:
    """The translation when `reader_language` differs from the text's `language` and one exists."""
    if translation and reader_language != language:
        return translation
    return original


def in_reader_language(original: str, translation: str, language: str) -> str:
    """`in_language` for the UI language being rendered.

    Pages (through `localized`) and JSON answers that stand in for a page (the door's counts)
    share it, so a title added later reads as one rendered at load."""
    return in_language(str(get_locale()), original, translation, language)


def localized(obj, field: str) -> str:
    """The translated field when the UI language differs from the object's and a translation exists."""
    base = getattr(obj, field, "") or ""
    translated = getattr(obj, f"{field}_translation", "") or ""
    if not translated:  # nothing to choose: no need to know (perhaps load) the event's language
        return base
    event_language = getattr(obj, "language", None) or getattr(getattr(obj, "event", None), "language", "ja")
    return in_reader_language(base, translated, event_language)


def tz_abbrev(value: datetime, tz: str) -> str:
    return value.astimezone(ZoneInfo(tz)).strftime("%Z")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["markdown_text"] = markdown_text
    app.jinja_env.filters["format_list"] = format_list
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["tz_abbrev"] = tz_abbrev
    app.jinja_env.globals["localized"] = localized
    app.jinja_env.globals["in_reader_language"] = in_reader_language
    app.jinja_env.globals["format_datetime"] = format_datetime
    app.jinja_env.globals["get_locale"] = get_locale
