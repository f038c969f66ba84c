"""Japanese and English: locale choice, the language switch and compiled catalogues.

Each capability keeps its own catalogue under <capability>/translations so that the
people working on different capabilities never edit the same .po file; Flask-Babel
merges every directory listed in BABEL_TRANSLATION_DIRECTORIES.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, Response, current_app, g, has_request_context, redirect, request, url_for
from flask_babel import get_locale
from flask_login import current_user

PACKAGE_DIR = Path(__file__).resolve().parent
LANG_COOKIE = "tsunagu_lang"
# Set in the WSGI environ (one per request, also where tests reuse one app context and its `g`)
# once this request's language has been chosen; vary_on_language reads it.
LOCALE_CHOSEN = "tsunagu.locale_chosen"

bp = Blueprint("i18n", __name__)


def translation_directories() -> list[str]:
    dirs = [PACKAGE_DIR / "translations"] + sorted(PACKAGE_DIR.glob("*/translations"))
    return [str(d) for d in dirs if d.is_dir()]


def compile_catalogues() -> None:
    """Compile .po to .mo where the .mo is missing or older (atomic, so workers may race)."""
    for directory in translation_directories():
        for po_path in Path(directory).glob("*/LC_MESSAGES/*.po"):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as fh:
                catalog = read_po(fh, locale=po_path.parent.parent.name)
            tmp = mo_path.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as fh:
                write_mo(fh, catalog)
            tmp.replace(mo_path)


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        # The CLI and the worker: messages in CLI_LANGUAGE; mail uses force_locale per message.
        return current_app.config.get("CLI_LANGUAGE", "en")
    environ = request.environ
    environ[LOCALE_CHOSEN] = True
    # Parse the query string and cookies only when there are any: most API calls (a door scan)
    # carry neither, and this runs on every request that translates something.
    chosen = (request.args.get("lang") if environ.get("QUERY_STRING") else None) or (
        request.cookies.get(LANG_COOKIE) if environ.get("HTTP_COOKIE") else None)
    if chosen in languages:
        return chosen
    # A bearer-token API call is not a browser session: don't decode the session cookie and load
    # a user for it (that was a query per door scan); Accept-Language decides, as it did before
    # for API clients without a session cookie.
    if (getattr(g, "api_user", None) is None and current_user
            and getattr(current_user, "is_authenticated", False) and current_user.language in languages):
        return current_user.language
    best = request.accept_languages.best_match(languages) if environ.get("HTTP_ACCEPT_LANGUAGE") else None
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


def organizer_name(language: str | None = None) -> str:
    """The organiser's name in `language` (default: the language being rendered), from
    ORGANIZER_NAME_<LANG>, else ORGANIZER_NAME."""
    if language is None:
        language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    base = language.replace("-", "_").partition("_")[0].upper()
    return current_app.config.get(f"ORGANIZER_NAME_{base}") or current_app.config["ORGANIZER_NAME"]


@lru_cache(maxsize=None)
def _parsed(code: str) -> Locale:
    return Locale.parse(code)


def _locale_for_request() -> Locale:
    """Flask-Babel parses the selector's answer on every request, and Babel's parsing costs more
    than the rest of the choice; a Locale is passed through as it is, so each language (a
    handful, from LANGUAGES and the CLI setting) is parsed once."""
    return _parsed(select_locale())


@bp.route("/lang/<code>")
def switch_language(code: str):
    """Remember the chosen language in a cookie and go back where the user was."""
    target = request.args.get("next") or request.referrer or url_for("public.event_list")
    if not target.startswith("/") or target.startswith("//"):
        from urllib.parse import urlsplit
        parts = urlsplit(target)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    response = redirect(target)
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def vary_on_language(response: Response) -> Response:
    """Tell caches that this answer is in the language chosen from Accept-Language and cookies.

    The rule is "this request's language was chosen", marked by select_locale itself: Flask-Babel
    asks its selector only when something translates or formats (and force_locale, used for mail
    in the recipient's language, bypasses it), so answers that translate nothing (/healthz,
    static files) stay shareable, and nothing depends on Flask-Babel's private caches. A static
    file never varies, even if a hook chose the language on its way. Runs on every request: one
    dictionary lookup when nothing was translated.
    """
    if request.environ.get(LOCALE_CHOSEN) and request.endpoint != "static":
        # The language cookie, and a signed-in user's language, also decide. Most answers have no
        # Vary yet: set it outright (werkzeug's HeaderSet parses and re-writes it on each change).
        if "Vary" in response.headers:
            response.vary.update(("Accept-Language", "Cookie"))
        else:
            response.headers["Vary"] = "Accept-Language, Cookie"
    return response


def init_app(app: Flask) -> None:
    from .extensions import babel

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_directories()))
    try:
        compile_catalogues()
    except OSError:  # a read-only install ships compiled catalogues
        pass
    babel.init_app(app, locale_selector=_locale_for_request)
    app.jinja_env.globals["organizer_name"] = organizer_name
    app.after_request(vary_on_language)
    app.register_blueprint(bp)
