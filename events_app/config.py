"""Settings read from the environment, with safe defaults for development."""
from __future__ import annotations

import os
import secrets
from email.utils import parseaddr
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", PROJECT_ROOT / "instance"))


class ConfigError(RuntimeError):
    """The environment does not describe a runnable app."""


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


LANGUAGES = ["ja", "en"]
DEFAULT_ORGANIZER_NAME = "Tsunagu Alumni Office"
# The default organiser's name in other languages; a deployment that names itself in ORGANIZER_NAME
# does not get these (its attendees would read another organisation's name).
DEFAULT_ORGANIZER_NAMES = {"ja": "つなぐ アルムナイ事務局"}


def organizer_names() -> dict[str, str]:
    """ORGANIZER_NAME and ORGANIZER_NAME_<LANG> for each language, falling back to ORGANIZER_NAME."""
    configured = os.environ.get("ORGANIZER_NAME") or ""
    fallback = configured or DEFAULT_ORGANIZER_NAME
    names = {"ORGANIZER_NAME": fallback}
    for language in LANGUAGES:
        key = f"ORGANIZER_NAME_{language.upper()}"
        default = fallback if configured else DEFAULT_ORGANIZER_NAMES.get(language, fallback)
        names[key] = os.environ.get(key) or default
    return names


def _address(value: str) -> str:
    """The addr-spec of "Name <addr>" or of a bare address; "" when there is none."""
    address = parseaddr(value)[1]
    local, at, domain = address.rpartition("@")
    return address if at and local and domain and " " not in address else ""


def organizer_email() -> str:
    """ORGANIZER_EMAIL as a bare address (the calendar's ORGANIZER:mailto:), else MAIL_FROM's address."""
    configured = os.environ.get("ORGANIZER_EMAIL", "").strip()
    if configured:
        address = _address(configured)
        if not address:
            raise ConfigError(f"ORGANIZER_EMAIL must be an e-mail address such as alumni@example.jp "
                              f"(got {configured!r})")
        return address
    return _address(os.environ.get("MAIL_FROM", "")) or "alumni@tsunagu.example"


DEFAULT_DATABASE_POOL_SIZE = 10


def database_pool_size() -> int:
    """DATABASE_POOL_SIZE: connections each process keeps open, at least gunicorn's --threads."""
    raw = os.environ.get("DATABASE_POOL_SIZE", "").strip()
    if not raw:
        return DEFAULT_DATABASE_POOL_SIZE
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"DATABASE_POOL_SIZE must be a whole number of connections, 1 or more (got {raw!r}); "
                          "give each process at least as many as gunicorn's --threads")
    return int(raw)


def _dev_secret_key() -> str:
    """A random key kept under instance/ so sessions survive restarts in development."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        tmp = key_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(secrets.token_urlsafe(48))
        tmp.chmod(0o600)
        tmp.replace(key_file)
    return key_file.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Accept the common postgres:// spellings and point them at psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_config() -> dict:
    """Build the Flask config from environment variables."""
    production = os.environ.get("TSUNAGU_ENV", "development").lower() == "production"
    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError(
                "SECRET_KEY must be set in production (TSUNAGU_ENV=production); "
                "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        secret_key = _dev_secret_key()
    elif production and len(secret_key) < 32:
        raise ConfigError("SECRET_KEY is too short for production: use at least 32 characters")

    default_db = f"sqlite:///{INSTANCE_DIR / 'tsunagu.sqlite3'}"
    mail_server = os.environ.get("MAIL_SERVER", "")
    return {
        "TSUNAGU_ENV": "production" if production else "development",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(os.environ.get("DATABASE_URL", default_db)),
        "BASE_URL": os.environ.get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "DEFAULT_TIMEZONE": os.environ.get("DEFAULT_TIMEZONE", "Asia/Tokyo"),
        "EXPORT_DIR": os.environ.get("EXPORT_DIR", str(PROJECT_ROOT / "exports")),
        # The organiser as attendees read it: mail signatures and the calendar's ORGANIZER;CN.
        **organizer_names(),
        "ORGANIZER_EMAIL": organizer_email(),
        # Mail: with no MAIL_SERVER, development keeps mail in the outbox page instead of sending.
        "MAIL_SERVER": mail_server,
        "MAIL_PORT": _int("MAIL_PORT", 25),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "Tsunagu <alumni@tsunagu.example>"),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 8),
        "MAIL_TIMEOUT": _int("MAIL_TIMEOUT", 30),
        "SURVEY_SEND_HOUR": _int("SURVEY_SEND_HOUR", 9),
        "EXPORT_RETENTION_DAYS": _int("EXPORT_RETENTION_DAYS", 30),
        "SQLITE_WRITER_QUEUE": os.environ.get("SQLITE_WRITER_QUEUE", "auto"),
        # Rate limits: Redis storage makes limits hold across workers and hosts.
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_REGISTRATION": os.environ.get("RATELIMIT_REGISTRATION", "20 per minute"),
        "RATELIMIT_LOGIN": os.environ.get("RATELIMIT_LOGIN", "10 per minute"),
        "RATELIMIT_API": os.environ.get("RATELIMIT_API", "600 per minute"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 1024 * 1024),
        # How many proxies (TLS terminator, load balancer) stand in front and set X-Forwarded-For,
        # -Proto and -Host: their headers are believed only then, so a client cannot forge them.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("DEFAULT_TIMEZONE", "Asia/Tokyo"),
        "LANGUAGES": list(LANGUAGES),
        "CLI_LANGUAGE": os.environ.get("CLI_LANGUAGE", "en"),
        # A gthread worker's threads each hold a connection while they answer; a pool smaller
        # than the threads opened and closed a connection per request beyond it (SQLAlchemy's
        # default is 5): on PostgreSQL a new backend each time, 16 % of a threaded worker's GIL time.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "pool_size": database_pool_size()},
    }
