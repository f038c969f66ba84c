"""Attendance exports: CSV read back (BOM, Japanese, formula injection), XLSX through openpyxl, PDF, filters."""
from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.reports_seed import INJECTION, seeded  # noqa: F401  (fixture)
from tests.support import require_executable


def read_csv(data: bytes, *, bom: bool = True) -> list[dict]:
    if bom:
        assert data.startswith(b"\xef\xbb\xbf")
        data = data[3:]
    else:
        assert not data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def export(runner, slug: str, *args) -> tuple[Path, str]:
    result = runner.invoke(args=["export-attendance", slug, *args])
    assert result.exit_code == 0, result.output
    return Path(result.output.strip().splitlines()[-1]), result.output


def audit_actions(**where) -> list:
    from events_app.audit.models import AuditEntry
    from events_app.extensions import db

    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for key, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, key) == value)
    return list(db.session.scalars(stmt))


def test_cli_csv_has_bom_japanese_and_event_zone_times(seeded, runner, app):
    path, _out = export(runner, seeded.event.slug, "--format", "csv")
    assert path.parent == Path(app.config["EXPORT_DIR"])
    assert path.name.startswith("alumni-night-attendance-") and path.suffix == ".csv"
    rows = read_csv(path.read_bytes())
    assert len(rows) == 9
    hanako = next(r for r in rows if r["氏名"] == "山田 花子")
    assert hanako["フリガナ"] == "ヤマダ ハナコ" and hanako["出身部署"] == "石炭部" and hanako["入社年"] == "2008"
    assert hanako["ステータス"] == "確定" and hanako["セッション"] == "テーブルA 石炭の未来"
    assert hanako["受付時刻 (Asia/Tokyo)"].endswith("18:40")  # 09:40 UTC shown in Tokyo time
    makoto = next(r for r in rows if r["氏名"] == "田中 誠")
    assert makoto["オンライン参加時刻 (Asia/Tokyo)"].endswith("19:02") and makoto["受付時刻 (Asia/Tokyo)"] == ""


def test_formula_injection_is_neutralised(seeded, runner):
    path, _out = export(runner, seeded.event.slug, "--format", "csv", "--lang", "en")
    rows = read_csv(path.read_bytes())
    misaki = next(r for r in rows if r["Name"] == "高橋 美咲")
    assert misaki["Company"] == "'" + INJECTION
    assert misaki["Department"] == "'@広報部"
    naoki = next(r for r in rows if r["Name"] == "伊藤 直樹")
    assert naoki["Company"] == "'-外部"
    assert not any(value.startswith(("=", "+", "-", "@")) for row in rows for value in row.values() if value)


def test_plain_utf8_option_has_no_bom(seeded, runner):
    path, _out = export(runner, seeded.event.slug, "--plain-utf8", "--output", str(Path(runner.app.config["EXPORT_DIR"]) / "plain.csv"))
    rows = read_csv(path.read_bytes(), bom=False)
    assert {r["氏名"] for r in rows} >= {"山田 花子", "中村 翔"}


@pytest.mark.parametrize("args, names", [
    (["--attended", "yes"], {"山田 花子", "佐藤 健", "鈴木 一郎", "田中 誠", "伊藤 直樹"}),
    (["--attended", "no", "--status", "confirmed"], {"高橋 美咲", "小林 愛"}),
    (["--affiliation", "employee"], {"鈴木 一郎", "高橋 美咲"}),
    (["--status", "waitlisted", "--status", "cancelled"], {"中村 翔", "渡辺 優"}),
])
def test_filters(seeded, runner, args, names):
    path, _out = export(runner, seeded.event.slug, *args)
    assert {r["氏名"] for r in read_csv(path.read_bytes())} == names


def test_session_filter(seeded, runner):
    path, _out = export(runner, seeded.event.slug, "--session", str(seeded.session.id))
    assert {r["氏名"] for r in read_csv(path.read_bytes())} == {"山田 花子", "佐藤 健", "高橋 美咲"}


def test_xlsx_has_header_frozen_panes_and_widths(seeded, runner):
    from openpyxl import load_workbook

    path, _out = export(runner, seeded.event.slug, "--format", "xlsx", "--lang", "en")
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Name", "Kana", "Email", "Affiliation"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 28
    assert sheet[1][0].font.b
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(values) == 9
    misaki = values["高橋 美咲"]
    assert misaki[header.index("Company")] == "'" + INJECTION
    assert values["山田 花子"][header.index("Joined")] == 2008  # years stay numbers


def test_pdf_attendance_list(seeded, runner, tmp_path):
    path, _out = export(runner, seeded.event.slug, "--format", "pdf", "--attended", "yes",
                        "--output", str(tmp_path))
    assert path.parent == tmp_path and path.suffix == ".pdf"
    exe = require_executable("pdftotext", "poppler-utils")
    text = subprocess.run([exe, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "出欠一覧" in text and "山田 花子" in text and "田中 誠" in text
    assert "高橋 美咲" not in text  # filtered out: did not attend


def test_cli_export_is_audited(seeded, runner):
    export(runner, seeded.event.slug, "--format", "csv", "--attended", "yes")
    entries = audit_actions(action="export.attendance_csv")
    assert len(entries) == 1
    assert entries[0].actor_label == "cli" and entries[0].details["rows"] == 5
    assert entries[0].details["attended"] == "yes"


def test_progress_bar_goes_to_stderr_for_large_exports(seeded, runner, monkeypatch):
    from events_app.reports import cli

    monkeypatch.setattr(cli, "PROGRESS_THRESHOLD", 3)
    result = runner.invoke(args=["export-attendance", seeded.event.slug])
    assert result.exit_code == 0
    assert "Exporting" in result.stderr
    assert result.stdout.strip().splitlines()[-1].endswith(".csv")


@pytest.mark.parametrize("args, message", [
    (["export-attendance", "nope"], "nope"),
    (["export-attendance", "alumni-night", "--format", "docx"], "docx"),
    (["export-attendance", "alumni-night", "--output", "/no/such/dir/a.csv"], "does not exist"),
    (["export-attendance", "alumni-night", "--status", "maybe"], "maybe"),
    (["export-attendance", "alumni-night", "--session", "999999"], "session"),
])
def test_bad_input_is_explained_and_writes_nothing(seeded, runner, app, args, message):
    before = set(Path(app.config["EXPORT_DIR"]).iterdir())
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert set(Path(app.config["EXPORT_DIR"]).iterdir()) == before
    assert audit_actions(action="export.attendance_csv") == []


def test_unwritable_path_is_explained(seeded, runner):
    # /proc refuses new files even to root, so this shows a real failed write.
    result = runner.invoke(args=["export-attendance", "alumni-night", "--output", "/proc/tsunagu-export.csv"])
    assert result.exit_code != 0
    assert "/proc/tsunagu-export.csv" in result.output and "Traceback" not in result.output
    assert audit_actions(action="export.attendance_csv") == []


def test_writing_over_a_directory_path_is_explained(seeded, runner, tmp_path):
    target = tmp_path / "a-directory.csv"
    target.mkdir()
    (target / "x").mkdir()
    # A directory given as --output gets the default name inside it.
    result = runner.invoke(args=["export-attendance", "alumni-night", "--output", str(target)])
    assert result.exit_code == 0
    assert Path(result.output.strip().splitlines()[-1]).parent == target


# --- the web downloads -------------------------------------------------------------------

def test_operator_downloads_streamed_csv(seeded, client, login, make_staff):
    operator = make_staff("operator")
    login(operator)
    response = client.get(f"/admin/events/{seeded.event.slug}/reports/attendance.csv?attended=yes")
    assert response.status_code == 200
    assert response.is_streamed
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response.get_data())
    assert len(rows) == 5
    entry = audit_actions(action="export.attendance_csv")[0]
    assert entry.actor_id == operator.id and entry.details["rows"] == 5


def test_web_plain_utf8_and_xlsx(seeded, client, login, make_staff):
    from openpyxl import load_workbook

    login(make_staff("admin"))
    plain = client.get(f"/admin/events/{seeded.event.slug}/reports/attendance.csv?encoding=utf-8")
    assert len(read_csv(plain.get_data(), bom=False)) == 9
    response = client.get(f"/admin/events/{seeded.event.slug}/reports/attendance.xlsx?affiliation=alumni")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.freeze_panes == "A2" and sheet.max_row == 1 + 6  # header + six alumni
    assert [a.action for a in audit_actions()] == ["export.attendance_csv", "export.attendance_xlsx"]


def test_web_bad_filter_returns_to_the_page_with_a_message(seeded, client, login, make_staff):
    login(make_staff("operator"))
    response = client.get(f"/admin/events/{seeded.event.slug}/reports/attendance.csv?status=bogus",
                          follow_redirects=True)
    assert response.status_code == 200
    assert "bogus" in response.get_data(as_text=True)
    assert audit_actions() == []


@pytest.mark.parametrize("path", [
    "/admin/events/alumni-night/reports",
    "/admin/events/alumni-night/reports/attendance.csv",
    "/admin/events/alumni-night/reports/attendance.xlsx",
    "/admin/reports/engagement?from=2026-01-01&to=2026-12-31",
])
def test_checkin_staff_cannot_export(seeded, client, login, make_staff, path):
    login(make_staff("checkin"))
    assert client.get(path).status_code == 403
    assert audit_actions() == []


@pytest.mark.parametrize("path", [
    "/admin/events/alumni-night/reports/attendance.csv",
    "/admin/events/alumni-night/reports",
])
def test_anonymous_is_sent_to_sign_in(seeded, client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unknown_event_is_404(app, client, login, make_staff):
    login(make_staff("operator"))
    assert client.get("/admin/events/nope/reports/attendance.csv").status_code == 404


# --- the pure builders ---------------------------------------------------------------------

@pytest.mark.parametrize("value", ["=1+1", "+81 3", "-2", "@SUM(A1)", "\tcmd", "\rcmd", '=HYPERLINK("x","y")'])
def test_every_formula_start_is_neutralised_anywhere_in_a_long_csv(value):
    from events_app.reports.documents import csv_chunks

    rows = [["安全な値", i, ""] for i in range(2500)]
    rows[1700] = ["安全な値", 1700, value]  # deep inside the second chunk
    data = b"".join(csv_chunks(["a", "b", "c"], rows))
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[1701][2] == "'" + value
    assert parsed[1700][2] == "" and parsed[1701][1] == "1700"  # numbers are left alone
    assert len(parsed) == 2501


def test_numbers_are_not_neutralised():
    from events_app.reports.documents import neutralise

    assert neutralise(-5) == -5 and neutralise(None) is None and neutralise("山田") == "山田"


@pytest.mark.parametrize("utc, local", [
    ((2026, 7, 1, 17, 5), "2026-07-01 19:05"),   # CEST, UTC+2
    ((2026, 12, 1, 17, 5), "2026-12-01 18:05"),  # CET, UTC+1
])
def test_times_follow_the_event_zone_and_its_summer_time(app, make_event, make_registration, runner, utc, local):
    from datetime import datetime, timedelta, timezone

    at = datetime(*utc, tzinfo=timezone.utc)
    event = make_event(slug="berlin", timezone="Europe/Berlin", starts_at=at - timedelta(minutes=30))
    make_registration(event, checked_in_at=at)
    path, _out = export(runner, "berlin", "--lang", "en")
    (row,) = read_csv(path.read_bytes())
    assert row["Checked in (Europe/Berlin)"] == local


@pytest.mark.parametrize("value", ["=1+1", "@x", '=A1,"b"'])
def test_a_risky_first_cell_of_a_chunk_is_neutralised(value):
    from events_app.reports.documents import csv_chunks

    rows = [[value, "x"]] + [["safe", "y"]] * 999 + [[value, "z"]]  # first cells of both chunks
    chunks = list(csv_chunks(["a", "b"], rows, rows_per_chunk=1000))
    parsed = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"), newline="")))
    assert parsed[1][0] == "'" + value and parsed[1001][0] == "'" + value


@pytest.mark.parametrize("lang, column, web, walk_in", [
    ("ja", "申込経路", "Webフォーム", "当日受付で登録"),
    ("en", "Source", "Web form", "Walk-in at the door"),
])
def test_source_is_written_in_words_of_the_export_language(seeded, runner, lang, column, web, walk_in):
    path, _out = export(runner, seeded.event.slug, "--lang", lang)
    rows = {r[list(r)[0]]: r for r in read_csv(path.read_bytes())}
    assert rows["山田 花子"][column] == web and rows["伊藤 直樹"][column] == walk_in


def test_rows_are_in_kana_order(seeded, runner):
    path, _out = export(runner, seeded.event.slug)
    assert [r["フリガナ"] for r in read_csv(path.read_bytes())] == [
        "イトウ ナオキ", "コバヤシ アイ", "サトウ ケン", "スズキ イチロウ", "タカハシ ミサキ", "タナカ マコト",
        "ナカムラ ショウ", "ヤマダ ハナコ", "ワタナベ ユウ"]


def test_kana_order_holds_across_batches(seeded, app):
    from events_app.reports.exports import AttendanceFilter, attendance_rows

    with app.test_request_context("/"):
        small = [r[1] for r in attendance_rows(seeded.event, AttendanceFilter(), "ja", batch_size=2)]
        whole = [r[1] for r in attendance_rows(seeded.event, AttendanceFilter(), "ja")]
    assert small == whole and len(small) == 9


def test_xlsx_times_are_datetimes_in_the_event_zone(seeded, runner):
    from datetime import datetime

    from openpyxl import load_workbook

    path, _out = export(runner, seeded.event.slug, "--format", "xlsx", "--lang", "en")
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[1]]
    hanako = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "山田 花子")
    checked_in = hanako[header.index("Checked in (Asia/Tokyo)")]
    expected = seeded.registrations["hanako"].checked_in_at.astimezone(seeded.event.tz).replace(tzinfo=None)
    assert isinstance(checked_in.value, datetime) and checked_in.value == expected.replace(second=0, microsecond=0)
    assert checked_in.number_format == "yyyy-mm-dd hh:mm"
    assert isinstance(hanako[header.index("Registered (Asia/Tokyo)")].value, datetime)
    assert hanako[header.index("Joined online (Asia/Tokyo)")].value is None


def stamp_age_seconds(filename: str, zone: str) -> float:
    """How far the YYYYmmdd-HHMMSS stamp in a file name, read as local time in `zone`, is from now."""
    import re
    from datetime import datetime, timezone
    from zoneinfo import ZoneInfo

    (stamp,) = re.findall(r"\d{8}-\d{6}", filename)
    local = datetime.strptime(stamp, "%Y%m%d-%H%M%S").replace(tzinfo=ZoneInfo(zone))
    return abs((datetime.now(timezone.utc) - local).total_seconds())


def test_cli_file_names_carry_the_event_local_time(seeded, runner, app):
    path, _out = export(runner, seeded.event.slug)
    assert stamp_age_seconds(path.name, "Asia/Tokyo") < 120  # as the PDFs' 作成日時, not UTC


def test_download_file_names_carry_the_event_local_time(seeded, client, login, make_staff):
    login(make_staff("operator"))
    for fmt in ("csv", "xlsx"):
        response = client.get(f"/admin/events/{seeded.event.slug}/reports/attendance.{fmt}")
        assert stamp_age_seconds(response.headers["Content-Disposition"], "Asia/Tokyo") < 120, fmt
        response.close()
