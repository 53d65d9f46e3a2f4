"""Resident ID numbers (GB 11643): normalisation, validation, and what the number tells.

18 characters: 6-digit area code, 8-digit birth date, 3-digit sequence (odd = male) and an ISO 7064
MOD 11-2 check character. Only the province prefix is checked against the division list: old and abolished
county codes are real and stay valid for life.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from operator import mul

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# GB/T 2260 province-level prefixes, plus 71 台湾, 81 香港, 82 澳门 (residence permits and cards use them).
PROVINCE_PREFIXES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)
EXCEL_NUMBER = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")


class InvalidIdNumber(ValueError):
    """The message is for the user, in Chinese, and says how to fix the value."""


@dataclass(frozen=True)
class IdNumber:
    value: str  # the normalised 18-character number
    converted_from_15: bool = False

    @property
    def birth_date(self) -> date:
        return date(int(self.value[6:10]), int(self.value[10:12]), int(self.value[12:14]))

    @property
    def gender(self) -> str:
        return "M" if int(self.value[16]) % 2 else "F"

    @property
    def area_code(self) -> str:
        return self.value[:6]

    def age_on(self, day: date) -> int:
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(map(mul, map(int, first17), WEIGHTS)) % 11]


def normalize(raw) -> str:
    """Trim, full-width to half-width, drop inner spaces, x to X."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return "".join(text.split()).upper()


def _birth_date(digits: str) -> date:
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise InvalidIdNumber(f"出生日期 {digits} 不存在，请核对第 7–14 位。") from None


def parse(raw, *, today: date | None = None) -> IdNumber:
    """Validate and normalise; raise InvalidIdNumber with a Chinese message that says what to fix."""
    if isinstance(raw, float) or (isinstance(raw, str) and EXCEL_NUMBER.match(raw.strip())):
        raise InvalidIdNumber(
            "身份证号被 Excel 存成了数字（如 2.30102199001011E+17），末几位已经丢失。"
            "请把该列设置为“文本”格式后重新录入或粘贴身份证号。"
        )
    value = normalize(raw)
    converted = False
    if len(value) == 15 and value.isdigit():
        first17 = value[:6] + "19" + value[6:]
        value, converted = first17 + check_char(first17), True
    if len(value) != 18:
        raise InvalidIdNumber(f"身份证号应为 18 位（现为 {len(value)} 位）。")
    if not value[:17].isdigit() or value[17] not in "0123456789X":
        raise InvalidIdNumber("身份证号前 17 位应为数字，最后一位为数字或 X。")
    if value[:2] not in PROVINCE_PREFIXES:
        raise InvalidIdNumber(f"身份证号前两位 {value[:2]} 不是有效的省级行政区划代码。")
    born = _birth_date(value[6:14])
    if born > (today or date.today()):
        raise InvalidIdNumber(f"出生日期 {born:%Y-%m-%d} 晚于今天，请核对第 7–14 位。")
    if born.year < 1900:
        raise InvalidIdNumber(f"出生日期 {born:%Y-%m-%d} 不合理，请核对第 7–14 位。")
    if not converted and check_char(value[:17]) != value[17]:
        raise InvalidIdNumber("身份证号校验位（最后一位）不正确，请逐位核对。")
    return IdNumber(value, converted)


def check_consistency(number: IdNumber, *, gender: str | None = None, birth_date: date | None = None) -> None:
    """Gender and birth date given beside the number must agree with it."""
    if gender and gender != number.gender:
        raise InvalidIdNumber(f"性别与身份证号不符：身份证号显示为{'男' if number.gender == 'M' else '女'}。")
    if birth_date and birth_date != number.birth_date:
        raise InvalidIdNumber(f"出生日期与身份证号不符：身份证号显示为 {number.birth_date:%Y-%m-%d}。")
