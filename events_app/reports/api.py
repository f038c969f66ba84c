"""JSON API routes of the reports capability (added to events_app.api.api_bp)."""
from __future__ import annotations

from flask import jsonify

from ..api import api_bp, document, json_body
from ..auth.permissions import current_staff, token_required
from ..enums import Role
from . import jobs
from .api_input import export_request
from .services import event_by_slug, event_figures

STAFF = (Role.ADMIN, Role.OPERATOR)


@api_bp.get("/events/<slug>/report")
@token_required(*STAFF)
def event_report(slug: str):
    return jsonify(event_figures(event_by_slug(slug)).as_dict())


@api_bp.post("/events/<slug>/exports")
@token_required(*STAFF)
def request_export(slug: str):
    """Queue a PDF (summary_pdf or attendance_pdf); poll /exports/<id> for progress."""
    event = event_by_slug(slug)
    wanted = export_request(event, json_body())
    job = jobs.request_job(event, wanted.kind, current_staff(), lang=wanted.lang, filters=wanted.filters,
                           appendix=wanted.appendix)
    return jsonify(jobs.job_status(job)), 202


@api_bp.get("/exports/<int:job_id>")
@token_required(*STAFF)
def export_status(job_id: int):
    return jsonify(jobs.job_status(jobs.job_for(job_id)))


_SECURITY = [{"bearerAuth": []}]
_SLUG = [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}]
_JOB_ID = [{"name": "job_id", "in": "path", "required": True, "schema": {"type": "integer"}}]

document("/events/{slug}/report", "get", {
    "summary": "Figures of an event's report", "tags": ["reports"], "security": _SECURITY,
    "parameters": _SLUG,
    "description": "Key figures, breakdowns by affiliation and cohort, arrival timeline, sessions, survey, notes.",
    "responses": {"200": {"description": "The figures"}, "404": {"description": "No such event"}},
})
_EXPORT_FILTERS = {"type": "object", "additionalProperties": False, "properties": {
    "statuses": {"type": "array", "items": {"type": "string"}}, "affiliation": {"type": "string"},
    "session_id": {"type": "integer"}, "attended": {"type": "string", "enum": ["yes", "no"]}}}
_EXPORT_BODY = {"type": "object", "additionalProperties": False, "properties": {
    "kind": {"type": "string", "enum": list(jobs.JOB_KINDS)}, "lang": {"type": "string", "enum": ["ja", "en"]},
    "appendix": {"type": "boolean"}, "filters": _EXPORT_FILTERS}}
document("/events/{slug}/exports", "post", {
    "summary": "Queue a PDF export (made by the worker)", "tags": ["reports"], "security": _SECURITY,
    "parameters": _SLUG,
    "requestBody": {"content": {"application/json": {"schema": _EXPORT_BODY}}},
    "responses": {"202": {"description": "Queued"},
                  "422": {"description": "Invalid input: `fields` names every unknown key, wrong type and unknown "
                                         "value (filters as `filters.<name>`)"},
                  "503": {"description": "PDF output is not available on this server (install hint)"}},
})
document("/exports/{job_id}", "get", {
    "summary": "Progress of an export job", "tags": ["reports"], "security": _SECURITY,
    "parameters": _JOB_ID,
    "responses": {"200": {"description": "status, progress, ready"}, "404": {"description": "No such job"}},
})
