"""The XLSX exports' auto filter spans the header and every data row, so Excel filters the whole list."""
from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tests.reports_seed import seeded  # noqa: F401  (fixture)


def filter_covers_the_sheet(sheet) -> bool:
    return sheet.auto_filter.ref == f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"


def test_cli_attendance_xlsx_filters_every_row(seeded, runner):
    result = runner.invoke(args=["export-attendance", seeded.event.slug, "--format", "xlsx"])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(Path(result.output.strip().splitlines()[-1])).active
    assert sheet.max_row == 1 + 9
    assert filter_covers_the_sheet(sheet)


def test_web_attendance_xlsx_with_a_filter_covers_its_rows(seeded, client, operator):
    response = client.get(f"/admin/events/{seeded.event.slug}/reports/attendance.xlsx?affiliation=alumni")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.max_row == 1 + 6 and filter_covers_the_sheet(sheet)


def test_an_empty_export_filters_the_header_alone(seeded, client, operator):
    response = client.get(f"/admin/events/{seeded.event.slug}/reports/attendance.xlsx?status=rejected")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet.max_row == 1 and sheet.auto_filter.ref == f"A1:{get_column_letter(sheet.max_column)}1"
