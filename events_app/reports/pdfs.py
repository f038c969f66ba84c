"""PDFs of an event: gather the figures and rows, build the HTML, render it (the CLI and jobs share this)."""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import force_locale
from flask_babel import gettext as _

from .. import pdf
from ..database import utcnow
from ..events.models import Event
from ..pdf import html_to_pdf
from ..templating import localized
from . import documents
from .exports import AttendanceFilter, attendance_columns, attendance_rows, validate_session
from .services import event_figures


def _noop(_percent: int) -> None:
    pass


def render_pdf(html: str, on_stage: Callable[[int], None] = _noop) -> bytes:
    """`events_app.pdf.html_to_pdf` in its two stages (layout, then writing), reporting progress between them."""
    if on_stage is _noop:
        return html_to_pdf(html)
    weasyprint = pdf._weasyprint()
    document = weasyprint.HTML(string=html, base_url=pdf.STATIC_DIR.as_uri() + "/",
                               url_fetcher=pdf.safe_url_fetcher).render()
    on_stage(85)
    return document.write_pdf()


def summary_html_for(event: Event, *, lang: str, appendix: bool = True) -> str:
    figures = event_figures(event)
    rows = None
    if appendix and figures.held:  # before the event (or when it was cancelled) nobody attended: no list
        columns, _questions = attendance_columns(event, lang)
        rows = (columns.headers, list(attendance_rows(event, AttendanceFilter(attended=True), lang)))
    return documents.summary_html(figures, lang=lang, appendix=rows, generated_at=utcnow())


def summary_pdf_for(event: Event, *, lang: str, appendix: bool = True,
                    on_stage: Callable[[int], None] = _noop) -> bytes:
    html = summary_html_for(event, lang=lang, appendix=appendix)
    on_stage(30)
    return render_pdf(html, on_stage)


def filters_text(event: Event, filters: AttendanceFilter, lang: str) -> str:
    from .exports import _labels

    labels = _labels(lang)
    parts = []
    with force_locale(lang):
        if filters.statuses:
            parts.append(_("Status: %(value)s", value=", ".join(labels["status"].get(s, s) for s in filters.statuses)))
        if filters.affiliation:
            parts.append(_("Affiliation: %(value)s", value=labels["affiliation"].get(filters.affiliation)))
        if filters.session_id is not None:
            from ..events.models import EventSession
            from ..extensions import db
            session = db.session.get(EventSession, filters.session_id)
            parts.append(_("Session: %(value)s", value=localized(session, "title") if session else filters.session_id))
        if filters.attended is not None:
            parts.append(_("Attended") if filters.attended else _("Did not attend"))
    return " · ".join(parts)


def attendance_html_for(event: Event, filters: AttendanceFilter, *, lang: str) -> str:
    validate_session(event, filters)
    columns, _questions = attendance_columns(event, lang)
    rows = attendance_rows(event, filters, lang)
    with force_locale(lang):
        title = _("Attendance list: %(title)s", title=event.title)
    return documents.attendance_html(event, columns.headers, rows, lang=lang, title=title, generated_at=utcnow(),
                                     filters_text=filters_text(event, filters, lang))


def attendance_pdf_for(event: Event, filters: AttendanceFilter, *, lang: str,
                       on_stage: Callable[[int], None] = _noop) -> bytes:
    html = attendance_html_for(event, filters, lang=lang)
    on_stage(30)
    return render_pdf(html, on_stage)
