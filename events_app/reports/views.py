"""Web pages of the reports capability: the operators' reports page and exports, the attendee's survey."""
from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   send_file, stream_with_context, url_for)
from flask_babel import get_locale
from flask_babel import gettext as _

from ..audit.services import record
from ..auth.permissions import current_staff, staff_required
from ..database import utcnow, write_transaction
from ..enums import JobStatus, Role, SessionKind
from ..errors import DomainError, ValidationError, wants_json
from ..registration.tokens import registration_for_token
from ..templating import localized
from wtforms.fields.choices import SelectChoice
from . import charts, documents, jobs
from .engagement import engagement_columns, engagement_rows
from .exports import (AttendanceFilter, count_attendance, file_stamp,
                      prepare_attendance_export, record_attendance_export)
from .forms import FilterForm, NoteForm, SurveyForm
from .services import event_by_slug, event_figures, theme_labels
from .survey import SurveyState, add_note, delete_note, save_response, state_message, survey_context

bp = Blueprint("reports", __name__)

OPERATORS = (Role.ADMIN, Role.OPERATOR)
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Each language in its own words, as language pickers usually show them.
LANGUAGE_NAMES = {"ja": "日本語", "en": "English"}


def _filters_from_args() -> AttendanceFilter:
    return AttendanceFilter.parse(statuses=request.args.getlist("status"), affiliation=request.args.get("affiliation"),
                                  session_id=request.args.get("session"), attended=request.args.get("attended"))


def _filter_form(event) -> FilterForm:
    """The export filters; sessions are the breakout tables people choose (timetable items have no choosers)."""
    form = FilterForm(request.args)
    form.session.choices = [SelectChoice("", _("All sessions"))] + [
        SelectChoice(str(s.id), localized(s, "title")) for s in event.sessions if s.kind == SessionKind.BREAKOUT]
    return form


def _error_redirect(slug: str, err: DomainError):
    flash(err.message, "error")
    for messages in err.fields.values():
        for message in messages:
            flash(message, "error")
    args = request.args.to_dict(flat=False)
    return redirect(url_for("reports.event_reports", slug=slug, **args) + "#exports")


def _ui_lang() -> str:
    lang = str(get_locale())
    return lang if lang in current_app.config["LANGUAGES"] else "ja"


@bp.route("/admin/events/<slug>/reports")
@staff_required(*OPERATORS)
def event_reports(slug: str):
    event = event_by_slug(slug)
    figures = event_figures(event)
    form = _filter_form(event)
    try:
        filters = _filters_from_args()
        matching = count_attendance(event, filters)
    except ValidationError as err:
        flash(err.message, "error")
        filters, matching = AttendanceFilter(), count_attendance(event, AttendanceFilter())
    return render_template(
        "reports/event_reports.html", event=event, f=figures, charts=charts, theme_labels=theme_labels(),
        form=form, note_form=NoteForm(), matching=matching, filters=filters, jobs=jobs.recent_jobs(event),
        query=request.query_string.decode(), ui_lang=_ui_lang(), language_names=LANGUAGE_NAMES,
    )


def _open_export(slug: str, kind: str):
    """The requested attendance export (audited), or a redirect back with the filter errors."""
    event = event_by_slug(slug)
    try:
        filters = _filters_from_args()
        export = prepare_attendance_export(event, filters, lang=_ui_lang(),
                                           times="datetime" if kind == "attendance_xlsx" else "text")
    except ValidationError as err:
        return event, None, _error_redirect(slug, err)
    record_attendance_export(event, filters, export, actor=current_staff(), kind=kind,
                             details={"ip": request.remote_addr})
    return event, export, None


@bp.route("/admin/events/<slug>/reports/attendance.csv")
@staff_required(*OPERATORS)
def attendance_csv(slug: str):
    """Streamed: rows go out as they are read, so a 100,000-row export never sits in memory."""
    event, export, refused = _open_export(slug, "attendance_csv")
    if refused:
        return refused
    bom = request.args.get("encoding") != "utf-8"
    chunks = documents.csv_chunks(export.columns.headers, export.rows, bom=bom)
    name = f"{event.slug}-attendance-{file_stamp(event.tz)}.csv"
    return Response(stream_with_context(chunks), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"',
                             "Content-Type": "text/csv; charset=utf-8", "X-Export-Rows": str(export.total),
                             "Cache-Control": "no-store"})


@bp.route("/admin/events/<slug>/reports/attendance.xlsx")
@staff_required(*OPERATORS)
def attendance_xlsx(slug: str):
    event, export, refused = _open_export(slug, "attendance_xlsx")
    if refused:
        return refused
    return _xlsx_response(export.columns, export.rows, sheet_title=event.slug,
                          name=f"{event.slug}-attendance-{file_stamp(event.tz)}.xlsx")


def _xlsx_response(columns, rows, *, sheet_title: str, name: str) -> Response:
    """An .xlsx download. A zip cannot be sent before it is complete: write-only mode builds it
    with flat memory in a temporary file, and only the compressed result (about 60 bytes per
    row) is held while it is sent."""
    with tempfile.TemporaryFile() as out:
        documents.write_xlsx(out, columns.headers, rows, widths=columns.widths, sheet_title=sheet_title)
        out.seek(0)
        data = out.read()
    return Response(data, mimetype=XLSX_MIME, headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                       "Cache-Control": "no-store"})


@bp.route("/admin/events/<slug>/reports/pdf", methods=["POST"])
@staff_required(*OPERATORS)
def request_pdf(slug: str):
    """Queue a PDF for the worker; the page polls the job and offers the file when it is ready."""
    event = event_by_slug(slug)
    kind = request.form.get("kind", "")
    try:
        filters = AttendanceFilter.parse(statuses=request.form.getlist("status"),
                                         affiliation=request.form.get("affiliation"),
                                         session_id=request.form.get("session"), attended=request.form.get("attended"))
        job = jobs.request_job(event, kind, current_staff(), lang=request.form.get("lang") or _ui_lang(),
                               filters=filters, appendix=request.form.get("appendix") == "1")
    except ValidationError as err:  # missing PDF libraries (503 with the install hint) are not caught here
        if wants_json():
            raise
        return _error_redirect(slug, err)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(jobs.job_status(job)), 202
    flash(_("The PDF is being prepared. It will appear under “Files” when it is ready."), "success")
    return redirect(url_for("reports.event_reports", slug=slug) + "#files")


@bp.route("/admin/events/<slug>/reports/jobs/<int:job_id>")
@staff_required(*OPERATORS)
def job_status(slug: str, job_id: int):
    event = event_by_slug(slug)
    job = jobs.job_for(job_id, event)
    body = jobs.job_status(job)
    if body["ready"]:
        body["download_url"] = url_for("reports.job_file", slug=slug, job_id=job.id)
    return jsonify(body)


@bp.route("/admin/events/<slug>/reports/jobs/<int:job_id>/file")
@staff_required(*OPERATORS)
def job_file(slug: str, job_id: int):
    event = event_by_slug(slug)
    job = jobs.job_for(job_id, event)
    if job.status != JobStatus.DONE or not job.file_path:
        abort(404)
    path = Path(job.file_path).resolve()
    export_dir = Path(current_app.config["EXPORT_DIR"]).resolve()
    if export_dir not in path.parents or not path.is_file():
        abort(404)
    with write_transaction():
        record(current_staff(), "export.download", "export_job", job.id, event_id=event.id,
               details={"kind": job.kind, "file": path.name})
    response = send_file(path, mimetype="application/pdf", as_attachment=True, download_name=path.name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/admin/events/<slug>/reports/notes", methods=["POST"])
@staff_required(*OPERATORS)
def add_event_note(slug: str):
    event = event_by_slug(slug)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            add_note(event, current_staff(), form.body.data, highlight=form.highlight.data)
        except ValidationError as err:
            flash(err.message, "error")
        else:
            flash(_("Note added."), "success")
            return redirect(url_for("reports.event_reports", slug=slug) + "#notes")
    for messages in form.errors.values():
        for message in messages:
            flash(message, "error")
    return redirect(url_for("reports.event_reports", slug=slug) + "#notes")


@bp.route("/admin/events/<slug>/reports/notes/<int:note_id>/delete", methods=["POST"])
@staff_required(*OPERATORS)
def delete_event_note(slug: str, note_id: int):
    event = event_by_slug(slug)
    delete_note(event, note_id)
    flash(_("Note deleted."), "success")
    return redirect(url_for("reports.event_reports", slug=slug) + "#notes")


@bp.route("/admin/reports/engagement")
@staff_required(*OPERATORS)
def engagement():
    """Per person across events in a period; the form when no period is given, else the file."""
    today = utcnow().date()
    start_raw, end_raw = request.args.get("from"), request.args.get("to")
    values = {"from": start_raw or date(today.year, 1, 1).isoformat(), "to": end_raw or today.isoformat(),
              "format": request.args.get("format", "csv")}
    if not start_raw and not end_raw:
        return render_template("reports/engagement.html", values=values, errors={})
    errors: dict[str, str] = {}
    try:
        start = date.fromisoformat(start_raw or "")
    except ValueError:
        errors["from"] = _("Enter a date as YYYY-MM-DD.")
    try:
        end = date.fromisoformat(end_raw or "")
    except ValueError:
        errors["to"] = _("Enter a date as YYYY-MM-DD.")
    if not errors and end < start:
        errors["to"] = _("Choose a date on or after the start.")
    if values["format"] not in ("csv", "xlsx"):
        errors["format"] = _("Choose CSV or Excel.")
    if errors:
        return render_template("reports/engagement.html", values=values, errors=errors), 422
    lang, tz = _ui_lang(), current_app.config["DEFAULT_TIMEZONE"]
    with write_transaction():
        record(current_staff(), f"export.engagement_{values['format']}", "people", None,
               details={"from": start.isoformat(), "to": end.isoformat(), "ip": request.remote_addr})
    columns = engagement_columns(lang)
    rows = engagement_rows(start, end, lang, tz, times="datetime" if values["format"] == "xlsx" else "text")
    name = f"engagement-{start:%Y%m%d}-{end:%Y%m%d}"
    if values["format"] == "xlsx":
        return _xlsx_response(columns, rows, sheet_title="engagement", name=f"{name}.xlsx")
    chunks = documents.csv_chunks(columns.headers, rows, bom=request.args.get("encoding") != "utf-8")
    return Response(stream_with_context(chunks), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"',
                             "Content-Type": "text/csv; charset=utf-8", "Cache-Control": "no-store"})


# --- the attendee's survey ------------------------------------------------------------------

@bp.route("/r/<token>/survey", methods=["GET", "POST"])
def survey(token: str):
    registration = registration_for_token(token)
    if registration is None:
        abort(404)
    context = survey_context(registration)
    response = context.response
    form = SurveyForm(obj=response) if request.method == "GET" and response else SurveyForm()
    if request.method == "GET" and response and response.score is not None:
        form.score.data = str(response.score)
    status = 200
    if context.state != SurveyState.OPEN:
        status = 403 if context.state == SurveyState.NOT_ATTENDED else 200
        if request.method == "POST":
            status = 409 if context.state != SurveyState.NOT_ATTENDED else 403
        return render_template("reports/survey.html", context=context, form=form, message=state_message(context),
                               token=token), status
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                _saved, created = save_response(registration, request.form)
            except ValidationError as err:
                for name, messages in err.fields.items():
                    getattr(form, name).errors = list(messages)
            else:
                flash(_("Thank you! Your answers were saved.") if created
                      else _("Your answers were updated."), "success")
                return redirect(url_for("reports.survey", token=token))
        status = 422
    return render_template("reports/survey.html", context=context, form=form, message="", token=token), status


@bp.app_template_global("survey_closes_at")
def _survey_closes_at(event):
    """When an event's survey closes (mail templates show it)."""
    from .survey import survey_closes_at

    return survey_closes_at(event)
