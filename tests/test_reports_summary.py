"""The post-event figures and the PDF summary, read back with poppler (pdftotext, pdftoppm)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.reports_seed import seeded, with_survey  # noqa: F401  (fixtures)
from tests.support import require_executable


def pdf_text(path: Path, *, first: int | None = None, last: int | None = None) -> str:
    exe = require_executable("pdftotext", "poppler-utils")
    args = [exe, "-layout"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run(args + [str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pages(path: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with a form feed)."""
    return pdf_text(path).split("\f")[:-1]


def accent_pixels(image) -> int:
    colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    return sum(n for n, (r, g, b) in colours if abs(r - 0x0F) < 30 and abs(g - 0x5F) < 30 and abs(b - 0xA8) < 30)


def write_summary(runner, slug: str, tmp_path: Path, *args) -> Path:
    out = tmp_path / "summary.pdf"
    result = runner.invoke(args=["event-summary", slug, "--output", str(out), *args])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == str(out)
    return out


def test_figures_follow_the_definitions(with_survey):
    from events_app.reports.services import event_figures

    f = event_figures(with_survey.event)
    exp = with_survey.expected
    for name in ("registered", "confirmed", "attended_in_person", "attended_online", "attended", "walk_ins",
                 "cancelled", "waitlist_peak", "no_shows", "expected"):
        assert getattr(f.key, name) == exp[name], name
    assert f.key.no_show_percent == exp["no_show_percent"]
    assert [(b.label, b.count) for b in f.timeline] == exp["timeline"]
    assert f.survey.nps == 25 and f.survey.responses == 4 and f.survey.promoters == 2
    affiliation = {r.label: (r.confirmed, r.attended) for r in f.breakdowns["affiliation"]}
    assert affiliation == {"alumni": (4, 3), "employee": (2, 1), "guest": (1, 1)}
    cohorts = {r.label: (r.confirmed, r.attended) for r in f.breakdowns["alumni_joined_year"]}
    assert cohorts == {2008: (2, 2), 2010: (1, 1), 2012: (1, 0)}
    session = f.sessions[0]
    assert (session.chosen, session.checked_in, session.attended_event) == (3, 1, 2)
    assert dict(f.survey.themes)["cohort"] == 2  # "同期" in two responses
    assert [i["name"] for i in f.survey.introductions] == ["山田 花子", "田中 誠"]
    assert [h["name"] for h in f.survey.hosts] == ["山田 花子"]


def test_waitlist_peak_counts_overlapping_waits():
    from datetime import datetime, timezone

    from events_app.reports.services import waitlist_peak

    t = lambda h: datetime(2026, 1, 1, h, tzinfo=timezone.utc)  # noqa: E731
    assert waitlist_peak([(t(1), t(3)), (t(2), None), (t(3), t(4))]) == 2  # leaving at 3 before joining at 3
    assert waitlist_peak([]) == 0


def test_pdf_figures_equal_the_database(with_survey, runner, tmp_path):
    from events_app.reports.services import event_figures

    out = write_summary(runner, with_survey.event.slug, tmp_path, "--lang", "en")
    text = pdf_text(out)
    f = event_figures(with_survey.event)
    for label, value in [("Registered", f.key.registered), ("Confirmed", f.key.confirmed),
                         ("Attended in person", f.key.attended_in_person), ("Attended online", f.key.attended_online),
                         ("Walk-ins", f.key.walk_ins), ("Waitlist peak", f.key.waitlist_peak),
                         ("Cancellations", f.key.cancelled), ("Survey responses", f.survey.responses)]:
        assert re.search(rf"(?:^|\s\s){label}\s+{value}\b", text, re.M), (label, value)
    assert re.search(rf"No-show rate\s+{re.escape(f.key.no_show_percent)}", text)
    assert re.search(rf"NPS\s+{f.survey.nps}\b", text)
    assert "アルムナイ交流会 2026 秋" in text


def test_pdf_names_come_out_as_japanese_text(with_survey, runner, tmp_path):
    out = write_summary(runner, with_survey.event.slug, tmp_path)
    text = pdf_text(out)
    for name in ("山田 花子", "佐藤 健", "鈴木 一郎", "伊藤 直樹"):  # appendix and hosting list
        assert name in text
    assert "ヤマダ ハナコ" in text
    assert "同期" in text and "主な数値" in text  # Japanese headings, not boxes
    assert "社長の挨拶で会場が盛り上がった" in text  # the operator's highlight
    assert "\ufffd" not in text


def test_pdf_pages_and_charts_render(with_survey, runner, tmp_path):
    from PIL import Image

    pdftoppm = require_executable("pdftoppm", "poppler-utils")
    out = write_summary(runner, with_survey.event.slug, tmp_path, "--lang", "en")
    pages = pdf_pages(out)
    timeline_page = next(i for i, page in enumerate(pages, 1) if "Check-ins at the venue per 10 minutes" in page)
    # Chart axis labels are text in the SVG: every 10-minute bin of the seeded arrivals.
    for label, _count in with_survey.expected["timeline"]:
        assert label in pages[timeline_page - 1]
    subprocess.run([pdftoppm, "-r", "40", "-png", str(out), str(tmp_path / "page")], check=True)
    rendered = sorted(tmp_path.glob("page-*.png"))
    assert len(rendered) == len(pages) >= 5  # title, figures, arrivals, survey, appendix
    # The bars are drawn in the accent colour (#0f5fa8); the title page has no chart.
    bars = accent_pixels(Image.open(rendered[timeline_page - 1]))
    assert bars > 300
    assert accent_pixels(Image.open(rendered[0])) < bars / 10


def test_appendix_can_be_left_out(with_survey, runner, tmp_path):
    with_appendix = pdf_pages(write_summary(runner, with_survey.event.slug, tmp_path, "--lang", "en"))
    out = tmp_path / "short.pdf"
    result = runner.invoke(args=["event-summary", with_survey.event.slug, "--output", str(out), "--lang", "en",
                                 "--no-appendix"])
    assert result.exit_code == 0, result.output
    without = pdf_pages(out)
    assert len(without) < len(with_appendix)
    assert "Appendix: attendance list" not in "".join(without)


def test_summary_default_path_is_under_export_dir_and_audited(with_survey, runner, app):
    from sqlalchemy import select

    from events_app.audit.models import AuditEntry
    from events_app.extensions import db

    result = runner.invoke(args=["event-summary", with_survey.event.slug, "--no-appendix"])
    assert result.exit_code == 0, result.output
    path = Path(result.output.strip().splitlines()[-1])
    assert path.parent == Path(app.config["EXPORT_DIR"]) and path.name.startswith("alumni-night-summary-")
    assert path.read_bytes().startswith(b"%PDF")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.summary_pdf"))
    assert entry.actor_label == "cli" and entry.event_id == with_survey.event.id


@pytest.mark.parametrize("args, message", [
    (["event-summary", "no-such-event"], "no-such-event"),
    (["event-summary", "alumni-night", "--output", "/nonexistent-dir/x.pdf"], "does not exist"),
    (["event-summary", "alumni-night", "--lang", "fr"], "Invalid value"),
])
def test_summary_bad_input_is_explained(seeded, runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output


def test_summary_without_weasyprint_gives_the_install_hint(seeded, runner, monkeypatch, tmp_path):
    from events_app import pdf

    def missing():
        raise pdf.PdfUnavailable(pdf.INSTALL_HINT + " (OSError: cannot load library 'libpango-1.0-0')")

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    result = runner.invoke(args=["event-summary", seeded.event.slug, "--output", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert "apt-get install" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.pdf").exists()


def test_japanese_pdf_column_headers_say_what_the_column_holds(with_survey, runner, tmp_path):
    # "From" is a date ("開始日") elsewhere in the merged catalogues; here it is the person asking.
    text = pdf_text(write_summary(runner, with_survey.event.slug, tmp_path))
    assert re.search(r"依頼者\s+紹介してほしい相手", text)
    assert "開始日" not in text
    assert re.search(r"セッション\s+開始時刻", text)  # the session's start, not a duration
    assert re.search(r"(?:参加方法|参加形態)\s+受付時刻", text)  # a time, not the 受付完了 badge
    assert "受付完了" not in text


def test_summary_pdf_of_an_event_not_held_yet_says_so(make_event, make_person, make_registration, runner, tmp_path):
    from tests.conftest import in_days

    event = make_event(slug="next-month", starts_at=in_days(30))
    for n in range(8):
        make_registration(event, make_person(name=f"参加者 {n}", name_kana=f"サンカシャ {n}"))
    text = pdf_text(write_summary(runner, event.slug, tmp_path))
    assert "このイベントはまだ開催されていません" in text
    assert re.search(r"申込数\s+8\b", text)
    assert "無断欠席率" not in text and "参加しなかった" not in text
    assert not re.search(r"確定\s+出席", text)  # breakdowns show registrations only
    assert "付録: 参加者一覧" not in text
