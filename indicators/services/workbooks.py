"""The monthly report's workbook (月报): the fixed layout, one sheet per indicator."""

import io
from datetime import date

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font

from catalog.models import Region

from ..models import Plan
from ..selectors.reports import monthly_report_sheets

REPORT_HEADERS = ["单位", "目标", "本月完成", "累计完成", "完成率", "时间进度"]


def _text(cell, value) -> None:
    """A text cell that stays text: "=..." is never stored as a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _sheet_title(n: int, name: str) -> str:
    cleaned = "".join(ch for ch in name if ch not in "[]:*?/\\")
    return f"{n}.{cleaned}"[:31]


def monthly_report_xlsx(*, region: Region, plan: Plan, month: date) -> bytes:
    """The fixed layout, one sheet per indicator: row 1 the title (region, plan, month, indicator), row 2 the
    headers 单位 | 目标 | 本月完成 | 累计完成 | 完成率 | 时间进度, a row per unit, the total row last."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for n, sheet in enumerate(monthly_report_sheets(region=region, plan=plan, month=month), start=1):
        indicator = sheet["indicator"]
        ws = book.create_sheet(_sheet_title(n, indicator.name))
        title = _("%(region)s %(month)s 月报 · %(plan)s · %(indicator)s（单位：%(unit)s）") % {
            "region": region.full_name,
            "month": f"{month.year}年{month.month}月",
            "plan": plan.name,
            "indicator": indicator.name,
            "unit": indicator.unit,
        }
        _text(ws.cell(row=1, column=1), title)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(REPORT_HEADERS))
        ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        ws.cell(row=1, column=1).alignment = Alignment(horizontal="center", wrap_text=True)
        ws.row_dimensions[1].height = 36
        for column, header in enumerate(REPORT_HEADERS, start=1):
            _text(ws.cell(row=2, column=column), header)
            ws.cell(row=2, column=column).font = Font(bold=True)
        for r, values in enumerate([*sheet["rows"], sheet["total"]], start=3):
            for column, value in enumerate(values, start=1):
                cell = ws.cell(row=r, column=column)
                _text(cell, value)
                if column >= 5:
                    cell.number_format = "0.0%"
        for column in range(1, len(sheet["total"]) + 1):
            ws.cell(row=2 + len(sheet["rows"]) + 1, column=column).font = Font(bold=True)
        ws.column_dimensions["A"].width = 18
        for letter in "BCDEF":
            ws.column_dimensions[letter].width = 13
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
