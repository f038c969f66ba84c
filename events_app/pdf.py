"""PDF rendering with WeasyPrint, imported only where a PDF is made.

The rest of the app starts and works on a machine without WeasyPrint's system libraries
(Pango); a PDF action there raises PdfUnavailable with what to install.
"""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from .errors import DomainError, ErrorCode

STATIC_DIR = (Path(__file__).resolve().parent / "static").resolve()

INSTALL_HINT = (
    "PDF output needs WeasyPrint's system libraries: on Debian/Ubuntu "
    "`apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk`, then restart the app."
)


class PdfUnavailable(DomainError):
    code = ErrorCode.DEPENDENCY_MISSING


def _weasyprint():
    try:
        import weasyprint  # noqa: PLC0415 - deliberately lazy
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(f"{INSTALL_HINT} ({type(exc).__name__}: {exc})") from exc
    return weasyprint


def safe_url_fetcher(url: str, *args, **kwargs):
    """Serve only files under the app's static folder; refuse every other file and all network URLs."""
    from weasyprint.urls import default_url_fetcher

    parts = urlsplit(url)
    if parts.scheme == "data":
        return default_url_fetcher(url, *args, **kwargs)
    if parts.scheme == "file":
        path = Path(parts.path).resolve()
        if path.is_file() and STATIC_DIR in path.parents:
            return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"refused to fetch {url!r}: PDFs may only use the app's own assets")


def _allowed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme == "data":
        return True
    if parts.scheme == "file":
        path = Path(parts.path).resolve()
        return path.is_file() and STATIC_DIR in path.parents
    return False


def _url_fetcher():
    """WeasyPrint >= 68 wants a URLFetcher instance (a bare function breaks on any error)."""
    from weasyprint import urls

    if not hasattr(urls, "URLFetcher"):
        return safe_url_fetcher

    class SafeURLFetcher(urls.URLFetcher):
        def fetch(self, url, headers=None):
            if not _allowed(url):
                raise ValueError(f"refused to fetch {url!r}: PDFs may only use the app's own assets")
            return super().fetch(url, headers)

    return SafeURLFetcher(allowed_protocols={"data", "file"})


def html_to_pdf(html: str) -> bytes:
    """Render HTML to PDF bytes; relative URLs resolve against the static folder."""
    weasyprint = _weasyprint()
    document = weasyprint.HTML(string=html, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_url_fetcher())
    return document.write_pdf()
