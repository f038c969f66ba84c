"""Pure document builders: rows in, CSV / XLSX / PDF bytes out. Where the bytes go is the caller's."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import IO

from flask import render_template
from flask_babel import force_locale

from ..pdf import html_to_pdf

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_STARTS_SET = frozenset(FORMULA_STARTS)


def neutralise(value):
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP's advice)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# A field after a comma or a line break, optionally opening a quote, with a dangerous first
# character (the chunk's very first field is checked apart: a leading "^|" alternative makes
# the scan twice as slow). A match (rare) sends the chunk down the careful per-cell path; a
# false positive (",=" inside a quoted text, a negative number) only costs that detour.
_RISKY = re.compile(r'[,\n]"?[=+\-@\t\r]')


def _may_hold_formula(text: str) -> bool:
    return text.lstrip('"')[:1] in FORMULA_STARTS_SET or _RISKY.search(text) is not None


def csv_chunks(header: list[str], rows: Iterable[list], *, bom: bool = True, rows_per_chunk: int = 1000) -> Iterator[bytes]:
    """CSV as a stream of byte chunks: UTF-8 with a BOM by default so Japanese Excel opens it right.

    Every text cell a spreadsheet would run as a formula is neutralised (see `neutralise`).
    Chunks of rows are written at once and scanned with one regex; only a chunk that might
    hold a risky cell is rewritten cell by cell, which keeps large exports fast.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    yield (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")
    for batch in _batches(rows, rows_per_chunk):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(batch)
        text = buffer.getvalue()
        if _may_hold_formula(text):
            buffer.seek(0)
            buffer.truncate()
            writer.writerows([neutralise(v) for v in row] for row in batch)
            text = buffer.getvalue()
        yield text.encode("utf-8")


def _batches(rows: Iterable[list], size: int) -> Iterator[list[list]]:
    batch: list[list] = []
    append = batch.append
    for row in rows:
        append(row)
        if len(batch) >= size:
            yield batch
            batch = []
            append = batch.append
    if batch:
        yield batch


def write_xlsx(out: IO[bytes], header: list[str], rows: Iterable[list], *, widths: list[int] | None = None,
               sheet_title: str = "Attendance") -> None:
    """An .xlsx with a bold header row, frozen panes and column widths, in write-only mode.

    Write-only mode streams rows to a temporary file instead of holding cells in memory, so
    a 100,000-row export stays small; every text cell is written as text (never a formula),
    datetimes as Excel dates shown to the minute, dates as Excel dates shown to the day.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31] or "Sheet")
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths or [], start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8EDF5")
    head_cells = []
    for title in header:
        cell = WriteOnlyCell(sheet, value=neutralise(title))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        head_cells.append(cell)
    sheet.append(head_cells)

    def cell(value):
        if value.__class__ is datetime:
            dated = WriteOnlyCell(sheet, value=value)
            dated.number_format = "yyyy-mm-dd hh:mm"
            return dated
        if value.__class__ is date:  # a day, e.g. the engagement export's first/last attended
            dated = WriteOnlyCell(sheet, value=value)
            dated.number_format = "yyyy-mm-dd"
            return dated
        return neutralise(value) if value != "" else None

    count = 0
    for row in rows:
        sheet.append([cell(v) for v in row])
        count += 1
    if header:
        # Over the header and every data row: Excel filters only the range it is given. Write-only
        # mode writes <autoFilter> after the rows, so the range can be set once they are counted.
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{count + 1}"
    workbook.save(out)


def xlsx_bytes(header: list[str], rows: Iterable[list], **kwargs) -> bytes:
    out = io.BytesIO()
    write_xlsx(out, header, rows, **kwargs)
    return out.getvalue()


# --- PDF ---------------------------------------------------------------------------------

def summary_html(figures, *, lang: str, appendix: tuple[list[str], list[list]] | None = None,
                 generated_at=None) -> str:
    """The final HTML of the event summary (what WeasyPrint renders)."""
    from . import charts
    from .services import theme_labels

    with force_locale(lang):
        return render_template(
            "reports/summary_pdf.html", f=figures, event=figures.event, lang=lang, charts=charts,
            theme_labels=theme_labels(), appendix=appendix, generated_at=generated_at or figures.computed_at,
        )


def attendance_html(event, header: list[str], rows: Iterable[list], *, lang: str, title: str, generated_at,
                    filters_text: str = "") -> str:
    with force_locale(lang):
        return render_template("reports/attendance_pdf.html", event=event, header=header, rows=rows, lang=lang,
                               title=title, generated_at=generated_at, filters_text=filters_text)


def summary_pdf(figures, *, lang: str, appendix=None, generated_at=None) -> bytes:
    return html_to_pdf(summary_html(figures, lang=lang, appendix=appendix, generated_at=generated_at))
