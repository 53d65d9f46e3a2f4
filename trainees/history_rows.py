"""Row-level work of the history migration: validate, normalise, blind-index and encrypt one CSV row.

Pure Python without Django, so worker processes can run it on both cores. `RowProcessor` is built from plain
data (keys and lookup tables) and turns a batch of CSV rows into staging tuples or rejects.
"""

import csv
import hashlib
import hmac
import io
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from cryptography.fernet import Fernet, MultiFernet

from core.masking import mask_id_number  # plain Python, no Django

from . import idnumber
from .validators import NAME

COLUMNS = [
    "身份证号码",
    "姓名",
    "职业编码",
    "技能等级",
    "培训类型",
    "开始日期",
    "结束日期",
    "培训地区划代码",
    "机构统一社会信用代码",
    "补贴金额",
    "证书编号",
    "人员类别",
]
OPTIONAL = {"机构统一社会信用代码", "补贴金额", "证书编号", "人员类别"}
GROUP_SEPARATORS = re.compile(r"[、;；,，]")  # one cell, several groups: 农民工、脱贫人口
CIPHER_PREFIX = "f1:"  # trainees.crypto.FernetCipher.prefix
INDEX_LENGTH = 32  # trainees.crypto.INDEX_LENGTH
REF_LENGTH = 40


class Reject(Exception):
    pass


class RowProcessor:
    def __init__(self, *, encryption_keys, index_key, lookups, header, today):
        self.fernet = MultiFernet([Fernet(k) for k in encryption_keys])
        self.index_hmac = hmac.new(index_key.encode(), digestmod=hashlib.sha256)
        self.occupations, self.levels, self.types, self.regions = (
            lookups["occupations"],
            lookups["levels"],
            lookups["types"],
            lookups["regions"],
        )
        # 人员类别 by name or code → (catalog order, id); the names, in that order, for the refusal.
        self.categories, self.category_names = lookups["categories"], lookups["category_names"]
        self.group_cells: dict[str, tuple[str, str]] = {}
        self.positions = [header.index(name) if name in header else None for name in COLUMNS]
        self.today = today
        self.ciphers: dict[str, str] = {}  # one encryption per person per worker

    def _date(self, text: str, name: str) -> date:
        """2023-05-01, 2023/5/1 (Excel's Chinese short date) or 2023.5.1."""
        try:
            year, month, day = text.replace("/", "-").replace(".", "-").split("-")
            return date(int(year), int(month), int(day))
        except ValueError:
            raise Reject(f"{name}“{text}”不是有效日期（应为 2023-05-01）") from None

    @staticmethod
    def _lookup(table, text: str, name: str):
        try:
            return table[text]
        except KeyError:
            raise Reject(f"{name}“{text}”不存在") from None

    def _groups(self, text: str) -> tuple[str, str]:
        """The 人员类别 cell → (the primary group's id or \\N, every group's id comma-separated), in the catalog's
        order: the groups the person belonged to in that training. A file holds a few dozen distinct cells."""
        if text in self.group_cells:
            return self.group_cells[text]
        found = set()
        for word in GROUP_SEPARATORS.split(text):
            if word := word.strip():
                if word not in self.categories:
                    allowed = "、".join(self.category_names)
                    raise Reject(f"人员类别“{word}”不存在，应为以下之一（多个用“、”分隔）：{allowed}")
                found.add(self.categories[word])
        ids = [str(pk) for _, pk in sorted(found)]
        self.group_cells[text] = (ids[0] if ids else "\\N"), ",".join(ids)
        return self.group_cells[text]

    def _cells(self, row: list[str]) -> list[str]:
        """The cells of COLUMNS in order, trimmed; '' for a missing optional column or a short row."""
        width = len(row)
        return [row[i].strip() if i is not None and i < width else "" for i in self.positions]

    def process(self, row_no: int, row: list[str]) -> str:
        """One CSV row → one line of PostgreSQL COPY text for the staging table, or Reject."""
        raw_id, name, occ, lvl, typ, start_text, end_text, region_code, inst, amount_text, cert, groups = self._cells(
            row
        )
        number = idnumber.parse(raw_id, today=self.today)
        name = " ".join(name.split())
        if not name or not NAME.match(name) or any(c.isdigit() for c in name):
            raise Reject("姓名为空或含有数字、符号")
        start, end = self._date(start_text, "开始日期"), self._date(end_text, "结束日期")
        if end < start:
            raise Reject("结束日期早于开始日期")
        if end > self.today:
            raise Reject("结束日期晚于今天")
        county = self.regions.get(region_code) or self.regions.get(region_code[:4])
        if county is None:
            raise Reject(f"培训地区划代码“{region_code}”不存在")
        try:
            amount = Decimal(amount_text or "0")
        except InvalidOperation:
            raise Reject(f"补贴金额“{amount_text}”不是数字") from None
        if not 0 <= amount < 10**8:
            raise Reject(f"补贴金额“{amount_text}”超出范围")
        occupation = self._lookup(self.occupations, occ, "职业编码")
        level = self._lookup(self.levels, lvl, "技能等级")
        training_type = self._lookup(self.types, typ, "培训类型")
        primary, group_ids = self._groups(groups)
        inst = inst.upper()
        if inst and not inst.isalnum():
            raise Reject(f"机构统一社会信用代码“{inst}”含有无效字符")
        value = number.value
        h = self.index_hmac.copy()
        h.update(value.encode())
        index = h.hexdigest()[:INDEX_LENGTH]
        cipher = self.ciphers.get(index)
        if cipher is None:
            cipher = self.ciphers[index] = CIPHER_PREFIX + self.fernet.encrypt(value.encode()).decode()
        h = self.index_hmac.copy()
        h.update(f"{value}|{occupation}|{level}|{training_type}|{start}|{end}|{county}|{inst}".encode())
        ref = h.hexdigest()[:REF_LENGTH]
        masked = mask_id_number(value)
        return (
            f"{row_no}\t{index}\t{cipher}\t{masked}\t{name}\t{number.gender}\t{number.birth_date}\t{occupation}\t"
            f"{level}\t{training_type}\t{start}\t{end}\t{end.year}\t{county}\t{inst}\t{amount:.2f}\t"
            f"{_escape(cert[:50])}\t{ref}\t{primary}\t{group_ids}\n"
        )

    def batch(self, rows) -> tuple[list[str], list[tuple[int, str]]]:
        """(row number, cells) pairs → COPY lines of the good rows and (row number, reason) rejects."""
        good, bad = [], []
        self.ciphers.clear()  # a person's rows are usually together; bound the memory per batch
        for row_no, row in rows:
            if not any(cell.strip() for cell in row):
                continue
            try:
                good.append(self.process(row_no, row))
            except (Reject, idnumber.InvalidIdNumber) as exc:
                bad.append((row_no, str(exc)))
        return good, bad

    def chunk(self, first_row_no: int, text: str) -> tuple[str, int, list[tuple[int, str]]]:
        """A block of whole CSV lines → COPY text of the good rows, their count, and the rejects."""
        good, bad = self.batch(enumerate(csv.reader(io.StringIO(text)), start=first_row_no))
        return "".join(good), len(good), bad


def _escape(text: str) -> str:
    """COPY text format: backslash, tab and line breaks escaped."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


# Worker-process plumbing: one processor per process, built once by the pool initializer.
_processor: RowProcessor | None = None


def init_worker(kwargs) -> None:
    global _processor
    _processor = RowProcessor(**kwargs)


def process_chunk(args):
    return _processor.chunk(*args)
