"""Row-level work of the history migration: validate, normalise, blind-index and encrypt one CSV row.

Pure Python without Django, so worker processes can run it on both cores. `RowProcessor` is built from plain
data (keys and lookup tables) and turns a batch of CSV rows into staging tuples or rejects.
"""

import csv
import hashlib
import hmac
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from cryptography.fernet import Fernet, MultiFernet

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
]
OPTIONAL = {"机构统一社会信用代码", "补贴金额", "证书编号"}
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
        self.pos = {name: header.index(name) for name in COLUMNS if name in header}
        self.today = today
        self.ciphers: dict[str, str] = {}  # one encryption per person per worker

    def _index(self, text: str) -> str:
        h = self.index_hmac.copy()
        h.update(text.encode())
        return h.hexdigest()[:INDEX_LENGTH]

    def _get(self, row, name) -> str:
        i = self.pos.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    def _date(self, row, name) -> date:
        text = self._get(row, name).replace("/", "-")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise Reject(f"{name}“{text}”不是有效日期（应为 2023-05-01）") from None

    def _lookup(self, table, row, name):
        text = self._get(row, name)
        try:
            return table[text]
        except KeyError:
            raise Reject(f"{name}“{text}”不存在") from None

    def process(self, row_no: int, row: list[str]) -> tuple:
        number = idnumber.parse(self._get(row, "身份证号码"), today=self.today)
        name = " ".join(self._get(row, "姓名").split())
        if not name or any(c.isdigit() for c in name) or not NAME.match(name):
            raise Reject("姓名为空或含有数字、符号")
        start, end = self._date(row, "开始日期"), self._date(row, "结束日期")
        if end < start:
            raise Reject("结束日期早于开始日期")
        if end > self.today:
            raise Reject("结束日期晚于今天")
        region_code = self._get(row, "培训地区划代码")
        county = self.regions.get(region_code) or self.regions.get(region_code[:4])
        if county is None:
            raise Reject(f"培训地区划代码“{region_code}”不存在")
        amount_text = self._get(row, "补贴金额") or "0"
        try:
            amount = Decimal(amount_text)
        except InvalidOperation:
            raise Reject(f"补贴金额“{amount_text}”不是数字") from None
        if amount < 0 or amount >= 10**8:
            raise Reject(f"补贴金额“{amount_text}”超出范围")
        occupation = self._lookup(self.occupations, row, "职业编码")
        level = self._lookup(self.levels, row, "技能等级")
        training_type = self._lookup(self.types, row, "培训类型")
        institution_code = self._get(row, "机构统一社会信用代码").upper()
        value = number.value
        index = self._index(value)
        cipher = self.ciphers.get(index)
        if cipher is None:
            cipher = self.ciphers[index] = CIPHER_PREFIX + self.fernet.encrypt(value.encode()).decode()
        h = self.index_hmac.copy()
        h.update(f"{value}|{occupation}|{level}|{training_type}|{start}|{end}|{county}|{institution_code}".encode())
        ref = h.hexdigest()[:REF_LENGTH]
        return (
            row_no,
            index,
            cipher,
            value[:6] + "********" + value[-4:],
            name,
            number.gender,
            number.birth_date,
            occupation,
            level,
            training_type,
            start,
            end,
            end.year,
            county,
            institution_code,
            amount.quantize(Decimal("0.01")),
            self._get(row, "证书编号")[:50],
            ref,
        )

    def batch(self, rows) -> tuple[list[tuple], list[tuple[int, str]]]:
        """(row number, cells) pairs → staging tuples and (row number, reason) rejects."""
        good, bad = [], []
        for row_no, row in rows:
            if not any(cell.strip() for cell in row):
                continue
            try:
                good.append(self.process(row_no, row))
            except (Reject, idnumber.InvalidIdNumber) as exc:
                bad.append((row_no, str(exc)))
        return good, bad

    def chunk(self, first_row_no: int, text: str) -> tuple[str, int, list[tuple[int, str]]]:
        """A block of whole CSV lines → PostgreSQL COPY text of the good rows, their count, and the rejects."""
        rows = enumerate(csv.reader(io.StringIO(text)), start=first_row_no)
        good, bad = self.batch(rows)
        return "".join(copy_line(row) for row in good), len(good), bad


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def copy_line(row: tuple) -> str:
    return "\t".join(_copy_value(v) for v in row) + "\n"


# Worker-process plumbing: one processor per process, built once by the pool initializer.
_processor: RowProcessor | None = None


def init_worker(kwargs) -> None:
    global _processor
    _processor = RowProcessor(**kwargs)


def process_chunk(args):
    return _processor.chunk(*args)
