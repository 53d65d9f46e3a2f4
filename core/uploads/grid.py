"""What the filled cells of a worksheet span, counted while the XML streams past (core.uploads.archives).

The reader (python-calamine) builds every sheet as a dense grid of rows x columns, so one filled cell at
XFD1048576 would make it allocate seventeen billion cells, and an OpenDocument cell repeated 16,384 times in a row
repeated a million times the same. Rows and columns are counted from the cells' positions (xlsx: the r attribute;
ods: the number-rows-repeated / number-columns-repeated attributes), and a sheet whose filled cells reach beyond
IMPORT_MAX_ROWS rows (and the few title rows above a header) or span more than IMPORT_MAX_CELLS cells is refused
before the reader sees it. Empty repeated rows and cells (what LibreOffice writes to the end of the sheet) count
for nothing, as the reader skips them.
"""

import re

from django.utils.translation import gettext as _

from .limits import FileRejected, limit, resave

TITLE_ROWS = 10  # rows above the header a clerk may add (a title, a date line, notes)
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d*)$")
_CONTENT = {"v", "is", "f"}  # an xlsx cell's value, inline string or formula


def cells_message(cap: int) -> str:
    return (
        _("工作表中填写的单元格分布过广（超过 %(n)s 个单元格的范围），请删除表格右侧和下方多余的内容。") % {"n": cap}
        + resave()
    )


def too_far_message(cap: int) -> str:
    return _("工作表超过 %(n)s 行（含空行），请删除多余的行或拆分后分批导入。") % {"n": cap}


def check_span(rows: int, columns: int) -> None:
    """Refuse a sheet whose filled cells span `rows` x `columns`."""
    max_rows, max_cells = limit("IMPORT_MAX_ROWS"), limit("IMPORT_MAX_CELLS")
    if rows > max_rows + TITLE_ROWS:
        raise FileRejected(too_far_message(max_rows))
    if rows * columns > max_cells:
        raise FileRejected(cells_message(max_cells))


def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _repeat(attrs, name: str) -> int:
    try:
        return max(1, int(attrs.get(name, 1)))
    except ValueError:
        return 1


class GridSpan:
    """Feed it start and end tags (local names); `sheets` gets one dict per worksheet."""

    def __init__(self, *, ods: bool):
        self.ods = ods
        self.sheets: list[dict] = []
        self._reset()

    def _reset(self):
        self.row = self.col = 0  # the current row (1-based) and the column after the current cell
        self.rows = self.columns = 0
        self.repeat = 1
        self.cell = None  # (first column, last column) of the cell being read
        self.filled = self.row_filled = False
        self.covered: list[int] = []

    def _close_sheet(self):
        self.sheets.append({"rows": self.rows, "columns": self.columns, "covered_rows": self.covered})
        self._reset()

    def start(self, local: str, attrs) -> None:
        if self.ods:
            self._start_ods(local, attrs)
        elif local == "row":
            self.row = int(attrs["r"]) if attrs.get("r", "").isdigit() else self.row + 1
            self.col = 0
        elif local == "c":
            match = _CELL_REF.match(attrs.get("r", ""))
            self.col = _column(match.group(1)) if match else self.col + 1
            self.cell, self.filled = (self.col, self.col), False
        elif self.cell is not None and local in _CONTENT and not self.filled:
            self.filled = True
            self._fill(self.row, self.col)

    def _start_ods(self, local, attrs) -> None:
        if local == "table-row":
            self.repeat = _repeat(attrs, "table:number-rows-repeated")
            self.row += 1
            self.col, self.row_filled = 0, False
        elif local in ("table-cell", "covered-table-cell"):
            span = _repeat(attrs, "table:number-columns-repeated")
            first = self.col + 1
            self.col += span
            self.cell, self.filled = (first, self.col), False
            if local == "covered-table-cell" and len(self.covered) < 100:
                self.covered.append(self.row)
            if "office:value-type" in attrs:
                self._fill_cell()
        elif self.cell is not None and not self.filled:
            self._fill_cell()  # text inside a cell: calamine reads it even without a value type

    def _fill_cell(self):
        self.filled = True
        self._fill(self.row + self.repeat - 1, self.cell[1])

    def _fill(self, row: int, column: int) -> None:
        self.rows, self.columns = max(self.rows, row), max(self.columns, column)
        check_span(self.rows, self.columns)

    def end(self, local: str) -> None:
        if local in ("c", "table-cell", "covered-table-cell"):
            self.cell = None
        elif local == "table-row":
            self.row += self.repeat - 1
            self.repeat = 1
        elif local in ("sheetData", "table"):
            self._close_sheet()
