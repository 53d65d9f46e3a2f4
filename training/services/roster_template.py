"""The roster template (花名册模板.xlsx) that guides a clerk: the ID number and phone columns are Text for the whole
data range (so Excel never turns an 18-digit number into 2.31E+17), every coded column has a drop-down of the
values the import accepts, listed on a second sheet 可选值, and row 2 is an example in its own style that the
import refuses by its ID number if it is left in.

The values are what the import checks against (roster_values.Lookups), written in the product's language: the
column names are Chinese, and the worker that imports the file reads the values in that language too. The list
sheet's headings are not roster column names, so the reader still finds exactly one sheet with the roster header.
"""

import io

import openpyxl
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from catalog.models import Region
from trainees.models import Education, EmploymentStatus

from .roster import COLUMNS, EXAMPLE_ID, MAX_ROWS, REQUIRED
from .roster_values import Lookups, allowed_values

SHEET = "花名册"
LISTS = "可选值"
TEXT = "@"  # Excel's "Text" number format
TEXT_COLUMNS = ("身份证号码", "手机号码")
LAST_ROW = MAX_ROWS + 1  # the header, then as many rows as one roster may have
OPEN_LISTS = ("户籍所在地",)  # the import also takes a 6-digit code or a shorter name: warn, do not stop
MULTI_LISTS = ("人员类别",)  # a person may be in several groups, written 农民工、脱贫人口: warn, do not stop
WIDTHS = {"姓名": 12, "身份证号码": 22, "手机号码": 15, "人员类别": 16, "户籍所在地": 26, "文化程度": 16}
EXAMPLE_FILL = PatternFill("solid", fgColor="FFF2CC")
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")


def list_heading(column: str) -> str:
    """The list sheet's heading for a column: not a roster column name, nor one once its hints are dropped."""
    return _("%(c)s可选值") % {"c": column}


def roster_template_xlsx(*, county: Region | None = None) -> bytes:
    """The template; `county` (the user's own) is the example row's 户籍所在地, else the first listed."""
    with translation.override(settings.LANGUAGE_CODE):
        lookups = Lookups()
        values = allowed_values(lookups)
        book = openpyxl.Workbook()
        ws = book.active
        ws.title = SHEET
        _header(ws)
        _example(ws, values, county.full_name if county and county.full_name in values["户籍所在地"] else None)
        _text_columns(ws)
        _lists(book.create_sheet(LISTS), ws, values)
        buffer = io.BytesIO()
        book.save(buffer)
    return buffer.getvalue()


def _letter(column: str) -> str:
    return get_column_letter(COLUMNS.index(column) + 1)


def _header(ws) -> None:
    ws.append(COLUMNS)
    for index, column in enumerate(COLUMNS, start=1):
        cell = ws.cell(1, index)
        cell.font = Font(bold=True, color="C00000" if column in REQUIRED else None)
        cell.fill = HEADER_FILL
        if column in REQUIRED:
            cell.comment = Comment(_("必填"), "")
        ws.column_dimensions[get_column_letter(index)].width = WIDTHS.get(column, 14)
    ws.freeze_panes = "A2"


def _example(ws, values: dict[str, list[str]], county_name: str | None) -> None:
    example = {
        "姓名": _("张三"),
        "身份证号码": EXAMPLE_ID,
        "手机号码": "13800000000",
        "人员类别": values["人员类别"][0] if values["人员类别"] else "",
        "户籍所在地": county_name or (values["户籍所在地"][0] if values["户籍所在地"] else ""),
        "文化程度": str(Education.JUNIOR.label),
        "就业状态": str(EmploymentStatus.UNEMPLOYED.label),
    }
    ws.append([example[c] for c in COLUMNS])
    for index in range(1, len(COLUMNS) + 1):
        ws.cell(2, index).fill = EXAMPLE_FILL
        ws.cell(2, index).font = Font(italic=True, color="7F7F7F")
    # Beside the header's columns, so the reader never takes it as data (the row has no heading there).
    note = ws.cell(2, len(COLUMNS) + 1, _("← 示例行，导入前请删除"))
    note.font = Font(bold=True, color="C00000")


def _text_columns(ws) -> None:
    """Every cell of the data range formatted as Text, and the column's own style for rows beyond it."""
    for column in TEXT_COLUMNS:
        letter = _letter(column)
        ws.column_dimensions[letter].number_format = TEXT
        at = COLUMNS.index(column) + 1
        for (cell,) in ws.iter_rows(min_row=2, max_row=LAST_ROW, min_col=at, max_col=at):
            cell.number_format = TEXT


def _lists(sheet, ws, values: dict[str, list[str]]) -> None:
    """One column of allowed values per coded column on the list sheet, and the drop-down that points at it."""
    for index, (column, labels) in enumerate(values.items(), start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index, list_heading(column)).font = Font(bold=True)
        for row, label in enumerate(labels, start=2):
            sheet.cell(row, index, label)
        sheet.column_dimensions[letter].width = max(14, max((len(v) for v in labels), default=0) * 2)
        source = f"{quote_sheetname(LISTS)}!${letter}$2:${letter}${max(len(labels), 1) + 1}"
        ws.add_data_validation(_drop_down(column, source))
    sheet.protection.sheet = True  # read-only: the drop-downs point at these cells


def _drop_down(column: str, source: str) -> DataValidation:
    open_list, multi = column in OPEN_LISTS, column in MULTI_LISTS
    validation = DataValidation(
        type="list",
        formula1=source,
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning" if open_list or multi else "stop",
        errorTitle=column,
        error=(
            _("请从下拉列表中选择，或填写 6 位区划代码。")
            if open_list
            else _("请从下拉列表中选择；属于多个类别的，用“、”分隔填写。")
            if multi
            else _("请从下拉列表中选择（可选值见“%(s)s”工作表）。") % {"s": LISTS}
        ),
        showInputMessage=True,
        promptTitle=column,
        prompt=(
            _("从下拉列表中选择，或填写 6 位区划代码")
            if open_list
            else _("从下拉列表中选择；多个类别用“、”分隔")
            if multi
            else _("从下拉列表中选择")
        ),
    )
    letter = _letter(column)
    validation.add(f"{letter}2:{letter}{LAST_ROW}")
    return validation
