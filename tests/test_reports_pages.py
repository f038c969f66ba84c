"""The operators' reports page: figures on screen, notes, PDF jobs run by the worker, engagement export."""
from __future__ import annotations

import csv
import io
import subprocess
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from events_app.extensions import db
from tests.reports_seed import seeded, with_survey  # noqa: F401  (fixtures)
from tests.support import require_executable


def jobs():
    from events_app.reports.models import ExportJob

    return list(db.session.scalars(select(ExportJob).order_by(ExportJob.id)))


def fresh(obj):
    db.session.refresh(obj)
    return obj


def test_reports_page_shows_the_figures(with_survey, client, operator):
    page = client.get(f"/admin/events/{with_survey.event.slug}/reports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    exp = with_survey.expected
    for key in ("registered", "confirmed", "attended_in_person", "attended_online", "walk_ins", "waitlist_peak",
                "cancelled"):
        assert f'data-figure="{key}">{exp[key]}<' in html, key
    assert f'data-figure="no_show_rate">{exp["no_show_percent"]}<' in html
    assert "社長の挨拶で会場が盛り上がった" in html and "合金鉄部の方" in html
    assert "<svg" in html  # the arrival chart
    assert 'data-matching="9"' in html


def test_filters_on_the_page_count_matching_registrations(seeded, client, operator):
    html = client.get(f"/admin/events/{seeded.event.slug}/reports?attended=yes&affiliation=alumni").get_data(as_text=True)
    assert 'data-matching="3"' in html
    assert "attended=yes" in html  # the download links keep the filters


def test_checkin_staff_get_403_on_every_reports_action(seeded, client, login, make_staff):
    login(make_staff("checkin"))
    slug = seeded.event.slug
    assert client.get(f"/admin/events/{slug}/reports").status_code == 403
    assert client.post(f"/admin/events/{slug}/reports/pdf", data={"kind": "summary_pdf"}).status_code == 403
    assert client.post(f"/admin/events/{slug}/reports/notes", data={"body": "x"}).status_code == 403
    assert jobs() == []


def test_operator_adds_and_deletes_notes(seeded, client, operator):
    from events_app.reports.models import EventNote

    url = f"/admin/events/{seeded.event.slug}/reports/notes"
    page = client.post(url, data={"body": "懇親会で2件の商談が生まれた", "highlight": "y"}, follow_redirects=True)
    assert "メモを追加しました" in page.get_data(as_text=True)
    note = db.session.scalar(select(EventNote))
    assert note.highlight and note.author_id == operator.id
    marked = client.post(url, data={"body": "**次回**は秋に開催"}, follow_redirects=True).get_data(as_text=True)
    assert "<strong>次回</strong>は秋に開催" in marked and "**次回**" not in marked  # Markdown, rendered
    client.post(f"{url}/{db.session.scalar(select(EventNote).where(EventNote.id != note.id)).id}/delete")
    empty = client.post(url, data={"body": "   "}, follow_redirects=True)
    assert "メモの内容を入力してください" in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EventNote.id))) == 1
    client.post(f"{url}/{note.id}/delete")
    assert db.session.scalar(select(func.count(EventNote.id))) == 0


def test_summary_pdf_is_made_by_the_worker_and_offered_when_ready(with_survey, client, operator, app):
    from events_app.audit.models import AuditEntry
    from events_app.reports.jobs import run_due_jobs

    slug = with_survey.event.slug
    response = client.post(f"/admin/events/{slug}/reports/pdf",
                           data={"kind": "summary_pdf", "lang": "en", "appendix": "1"})
    assert response.status_code == 302  # the request does not wait for the render
    (job,) = jobs()
    status = client.get(f"/admin/events/{slug}/reports/jobs/{job.id}").get_json()
    assert status["status"] == "queued" and not status["ready"]
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.summary_pdf"))
    assert audit.actor_id == operator.id and audit.details["job_id"] == job.id

    assert run_due_jobs() == 1
    assert run_due_jobs() == 0  # nothing left: a job runs once
    status = client.get(f"/admin/events/{slug}/reports/jobs/{job.id}").get_json()
    assert status["status"] == "done" and status["progress"] == 100 and status["ready"]
    path = Path(fresh(job).file_path)
    assert Path(app.config["EXPORT_DIR"]) in path.parents

    download = client.get(status["download_url"])
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    pdf = Path(app.config["EXPORT_DIR"]) / "downloaded.pdf"
    pdf.write_bytes(download.get_data())
    download.close()
    exe = require_executable("pdftotext", "poppler-utils")
    text = subprocess.run([exe, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Event report" in text and "アルムナイ交流会 2026 秋" in text
    page = client.get(f"/admin/events/{slug}/reports").get_data(as_text=True)
    assert status["download_url"] in page


def test_attendance_pdf_job_keeps_the_filters(seeded, client, operator, app):
    from events_app.reports.jobs import run_due_jobs

    slug = seeded.event.slug
    client.post(f"/admin/events/{slug}/reports/pdf",
                data={"kind": "attendance_pdf", "lang": "ja", "attended": "no", "status": "confirmed"})
    (job,) = jobs()
    assert job.params["filters"] == {"statuses": ["confirmed"], "affiliation": None, "session_id": None,
                                     "attended": "no"}
    run_due_jobs()
    exe = require_executable("pdftotext", "poppler-utils")
    text = subprocess.run([exe, fresh(job).file_path, "-"], capture_output=True, text=True, check=True).stdout
    assert "高橋 美咲" in text and "小林 愛" in text and "山田 花子" not in text


def test_bad_pdf_request_returns_to_the_page_with_a_message(seeded, client, operator):
    page = client.post(f"/admin/events/{seeded.event.slug}/reports/pdf", data={"kind": "poster", "lang": "fr"},
                       follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "一覧からエクスポートの種類を選んでください" in html
    assert jobs() == []


def test_job_status_is_json_for_the_api(seeded, make_token, client):
    token, _user = make_token("operator")
    headers = {"Authorization": f"Bearer {token}"}
    response = client.post(f"/api/v1/events/{seeded.event.slug}/exports", json={"kind": "summary_pdf", "lang": "ja"},
                           headers=headers)
    assert response.status_code == 202
    job_id = response.get_json()["id"]
    assert client.get(f"/api/v1/exports/{job_id}", headers=headers).get_json()["status"] == "queued"
    bad = client.post(f"/api/v1/events/{seeded.event.slug}/exports", json={"kind": "word"}, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "validation_error"
    report = client.get(f"/api/v1/events/{seeded.event.slug}/report", headers=headers).get_json()
    assert report["key_figures"]["attended"] == 5


def test_without_weasyprint_pdf_actions_answer_with_the_install_hint(seeded, client, operator, monkeypatch):
    from events_app import pdf

    def missing():
        raise pdf.PdfUnavailable(pdf.INSTALL_HINT + " (OSError: cannot load library 'libpango-1.0-0')")

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    response = client.post(f"/admin/events/{seeded.event.slug}/reports/pdf", data={"kind": "summary_pdf"})
    assert response.status_code == 503
    assert "apt-get install libpango" in response.get_data(as_text=True)
    assert jobs() == []
    # The rest of the reports page still works.
    assert client.get(f"/admin/events/{seeded.event.slug}/reports").status_code == 200
    assert client.get(f"/admin/events/{seeded.event.slug}/reports/attendance.csv").status_code == 200


def test_a_job_fails_with_the_hint_when_the_worker_cannot_render(seeded, client, operator, monkeypatch):
    from events_app import pdf
    from events_app.reports.jobs import run_due_jobs

    client.post(f"/admin/events/{seeded.event.slug}/reports/pdf", data={"kind": "summary_pdf"})

    def missing():
        raise pdf.PdfUnavailable(pdf.INSTALL_HINT)

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    assert run_due_jobs() == 1
    (job,) = jobs()
    assert fresh(job).status == "failed" and "apt-get install" in job.error
    html = client.get(f"/admin/events/{seeded.event.slug}/reports").get_data(as_text=True)
    assert "apt-get install" in html


def test_a_job_is_claimed_by_one_worker_only(seeded, make_staff, app):
    from events_app.reports.jobs import _claim, request_job
    from events_app.database import utcnow

    request_job(seeded.event, "summary_pdf", make_staff("operator"), lang="ja")
    first = _claim(utcnow())
    assert first is not None and first.status == "running"
    assert _claim(utcnow()) is None  # leased
    from datetime import timedelta
    assert _claim(utcnow() + timedelta(hours=1)).id == first.id  # the lease ran out: claimed again


def test_concurrent_workers_never_claim_the_same_job(seeded, make_staff, app):
    """SKIP LOCKED plus the conditional UPDATE on PostgreSQL; BEGIN IMMEDIATE queues them on SQLite."""
    from events_app.database import utcnow
    from events_app.reports.jobs import _claim, request_job

    staff = make_staff("operator")
    for _ in range(4):
        request_job(seeded.event, "summary_pdf", staff, lang="ja")
    claimed, barrier = [], threading.Barrier(4)

    def worker():
        with app.app_context():
            barrier.wait()
            job = _claim(utcnow())
            claimed.append(job.id if job else None)
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    got = [c for c in claimed if c is not None]
    assert len(claimed) == 4
    assert len(got) == len(set(got))  # never the same job twice
    assert len(got) >= 2


def test_engagement_export_counts_events_per_person(seeded, make_event, make_registration, client, operator, runner):
    from tests.conftest import in_days

    later = make_event(slug="second-night", starts_at=in_days(-40))
    make_registration(later, seeded.people["hanako"], checked_in_at=in_days(-40))
    make_registration(later, seeded.people["misaki"])
    today = in_days(0).date()
    response = client.get(f"/admin/reports/engagement?from={in_days(-60).date()}&to={today}&format=csv")
    assert response.status_code == 200
    rows = {r["氏名"]: r for r in csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")))}
    assert rows["山田 花子"]["申込イベント数"] == "2" and rows["山田 花子"]["参加イベント数"] == "2"
    tokyo = ZoneInfo("Asia/Tokyo")  # dates are days in DEFAULT_TIMEZONE
    assert rows["山田 花子"]["初回参加日"] == str(later.starts_at.astimezone(tokyo).date())
    assert rows["山田 花子"]["最終参加日"] == str(seeded.event.starts_at.astimezone(tokyo).date())
    assert rows["高橋 美咲"]["参加イベント数"] == "0" and rows["高橋 美咲"]["最終参加日"] == ""
    result = runner.invoke(args=["export-engagement", "--from", str(in_days(-10).date()), "--to", str(today),
                                 "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    from openpyxl import load_workbook
    sheet = load_workbook(result.output.strip().splitlines()[-1]).active
    assert sheet.max_row == 1 + 9  # only the seeded event is in this period
    hanako = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "山田 花子")
    assert hanako[-1].is_date and hanako[-1].number_format == "yyyy-mm-dd"  # the CLI writes date cells too


def test_engagement_xlsx_dates_are_date_cells_in_the_default_zone(seeded, client, operator):
    from datetime import datetime

    from openpyxl import load_workbook
    from tests.conftest import in_days

    response = client.get(f"/admin/reports/engagement?from={in_days(-60).date()}&to={in_days(0).date()}"
                          "&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    hanako = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "山田 花子")
    day = seeded.event.starts_at.astimezone(ZoneInfo("Asia/Tokyo")).date()
    for cell in hanako[-2:]:  # first and last attended
        assert isinstance(cell.value, datetime) and cell.value.date() == day and cell.is_date
        assert cell.number_format == "yyyy-mm-dd"


def test_engagement_bad_period_is_explained(app, client, operator):
    page = client.get("/admin/reports/engagement?from=2026-12-01&to=2026-01-01")
    assert page.status_code == 422 and "開始日以降の日付を選んでください" in page.get_data(as_text=True)
    assert client.get("/admin/reports/engagement?from=yesterday&to=2026-01-01").status_code == 422


def test_old_export_files_are_pruned(seeded, client, operator, runner, app):
    import os
    import time

    from events_app.reports.jobs import run_due_jobs

    client.post(f"/admin/events/{seeded.event.slug}/reports/pdf", data={"kind": "attendance_pdf"})
    run_due_jobs()
    (job,) = jobs()
    old = Path(fresh(job).file_path)
    keep = Path(app.config["EXPORT_DIR"]) / "notes.txt"  # not an export: never touched
    keep.write_text("x")
    recent = runner.invoke(args=["export-attendance", seeded.event.slug]).output.strip().splitlines()[-1]
    month_ago = time.time() - 40 * 86400
    os.utime(old, (month_ago, month_ago))
    os.utime(keep, (month_ago, month_ago))
    result = runner.invoke(args=["prune-exports", "--older-than-days", "30"])
    assert result.exit_code == 0 and "1 file(s)" in result.output
    assert not old.exists() and Path(recent).exists() and keep.exists()
    assert fresh(job).file_path == ""
    assert client.get(f"/admin/events/{seeded.event.slug}/reports/jobs/{job.id}").get_json()["ready"] is False
    assert client.get(f"/admin/events/{seeded.event.slug}/reports/jobs/{job.id}/file").status_code == 404
    assert runner.invoke(args=["prune-exports", "--older-than-days", "-1"]).exit_code != 0


def test_job_progress_moves_through_the_stages(seeded, client, operator, monkeypatch):
    from events_app.reports import jobs as jobs_module

    seen = []
    real = jobs_module._progress
    monkeypatch.setattr(jobs_module, "_progress", lambda job_id, pct: (seen.append(pct), real(job_id, pct)))
    client.post(f"/admin/events/{seeded.event.slug}/reports/pdf", data={"kind": "summary_pdf"})
    jobs_module.run_due_jobs()
    assert seen == [15, 30, 85]
    assert fresh(jobs()[0]).progress == 100


@pytest.fixture
def upcoming(make_event, make_person, make_registration):
    """An event next month with eight confirmed registrations and, naturally, nobody checked in."""
    from tests.conftest import in_days

    event = make_event(slug="next-month", starts_at=in_days(30))
    for n in range(8):
        make_registration(event, make_person(name=f"参加者 {n}", name_kana=f"サンカシャ {n}"))
    return event


def test_report_of_an_event_not_held_yet_withholds_attendance_figures(upcoming, client, operator):
    html = client.get(f"/admin/events/{upcoming.slug}/reports").get_data(as_text=True)
    assert "このイベントはまだ開催されていません" in html
    assert 'data-figure="registered">8<' in html and 'data-figure="confirmed">8<' in html
    for withheld in ("no_show_rate", "attended_in_person", "attended_online", "walk_ins"):
        assert f'data-figure="{withheld}"' not in html, withheld
    assert "100.0%" not in html
    assert "<th class=\"num\">出席</th>" not in html  # no attendance column of zeros


def test_the_report_api_of_an_event_not_held_yet_has_no_no_show_figures(upcoming, make_token, client):
    token, _user = make_token("operator")
    report = client.get(f"/api/v1/events/{upcoming.slug}/report",
                        headers={"Authorization": f"Bearer {token}"}).get_json()
    assert report["held"] is False and report["key_figures"]["confirmed"] == 8
    assert report["key_figures"]["no_show_rate"] is None and report["key_figures"]["no_shows"] is None


def test_report_of_an_event_in_progress_says_so(make_event, make_registration, client, operator):
    from datetime import timedelta

    from events_app.database import utcnow

    event = make_event(slug="tonight", starts_at=utcnow() - timedelta(hours=1))
    make_registration(event)
    html = client.get(f"/admin/events/{event.slug}/reports").get_data(as_text=True)
    assert "このイベントは開催中です" in html and 'data-figure="no_show_rate"' not in html


def test_deliver_mail_once_runs_every_queued_pdf(seeded, client, operator, runner):
    slug = seeded.event.slug
    for kind in ("summary_pdf", "attendance_pdf", "attendance_pdf"):
        client.post(f"/admin/events/{slug}/reports/pdf", data={"kind": kind, "lang": "ja"})
    result = runner.invoke(args=["deliver-mail", "--once"])
    assert result.exit_code == 0, result.output
    assert [fresh(job).status.value for job in jobs()] == ["done", "done", "done"]
    assert "background tasks 3" in result.output


def test_the_worker_loop_still_runs_one_job_per_loop(seeded, client, operator):
    from events_app.mail.worker import run_forever

    for _ in range(2):
        client.post(f"/admin/events/{seeded.event.slug}/reports/pdf", data={"kind": "attendance_pdf", "lang": "ja"})
    run_forever(idle_sleep=0, max_loops=1)
    assert sorted(fresh(job).status.value for job in jobs()) == ["done", "queued"]


def test_file_list_names_the_language_in_words(seeded, client, operator):
    import re

    slug = seeded.event.slug
    client.post(f"/admin/events/{slug}/reports/pdf", data={"kind": "summary_pdf", "lang": "en"})
    client.post(f"/admin/events/{slug}/reports/pdf", data={"kind": "attendance_pdf", "lang": "ja"})
    html = client.get(f"/admin/events/{slug}/reports").get_data(as_text=True)
    rows = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)) for row in re.findall(r"<tr data-job=.*?</tr>", html, re.S)]
    assert "English" in rows[1] and "日本語" in rows[0]  # newest first
    assert not any(re.search(r"\((?:en|ja)\)", row) for row in rows)


def test_session_filter_lists_breakout_tables_only(seeded, make_session, client, operator):
    import re

    make_session(seeded.event, title="趣旨説明・ホスト紹介", kind="timetable", capacity=None)
    html = client.get(f"/admin/events/{seeded.event.slug}/reports").get_data(as_text=True)
    (select,) = re.findall(r'<select[^>]*name="session".*?</select>', html, re.S)
    assert "テーブルA 石炭の未来" in select and "趣旨説明・ホスト紹介" not in select


def test_job_file_names_carry_the_event_local_time(seeded, client, operator):
    from events_app.reports.jobs import run_due_jobs
    from tests.test_exports_attendance import stamp_age_seconds

    client.post(f"/admin/events/{seeded.event.slug}/reports/pdf", data={"kind": "attendance_pdf", "lang": "ja"})
    run_due_jobs()
    (job,) = jobs()
    assert stamp_age_seconds(Path(fresh(job).file_path).name.rsplit("-", 1)[0], "Asia/Tokyo") < 120
