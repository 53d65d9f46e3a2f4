"""Masking of personal data for display: what anyone without a need for the full value sees.

Resident ID numbers: the property
---------------------------------
From everything one role without reveal rights can see about one person (pages, API, masked exports, the
public notices), the full number cannot be narrowed to fewer than MIN_CANDIDATES (10,000) numbers.

An 18-character number is area code (6 digits) · birth date (8) · sequence (3, odd = male) · an ISO 7064
MOD 11-2 check character (1 of 11). What is shown:

- the masked number, `230102***********X`: the area code and the check character only (mask_id_number);
- beside it, the gender and an age counted by birth year (display_age: this year minus the birth year).
  Never the birth date, in any format; and never 周岁 counted to today, which goes up on the birthday, so
  that anyone who looks at a page on many days learns the birthday. The birth date itself is seen only
  through the audited doors (the full reveal and the full export of county and city staff).

What a viewer can then narrow the number to, at worst (they know area code, birth year, gender, check char):

    dates of the birth year      365  (366 in a leap year)
  × sequence numbers            × 500 of the gender's parity (001–999: 500 odd, 499 even besides 000)
  ÷ the check character         ÷ 11  (the check character fixes the weighted sum mod 11)
                                ≈ 16,590

The exact count depends on how the residues fall; id_candidates counts it, and the minimum over every area
code residue, birth year 1900–2099, gender and check character is 16,556 (a woman born in 1900; computed in
tests/security/test_masking_property.py) — above MIN_CANDIDATES. A 周岁 seen once would leave two possible
years (twice as many); the age by year is the worst case assumed here, and it does not move with time.

For comparison, the scheme this replaces (`230102********1234`, the last four shown beside the birth date):
the sequence and check are known and the date is shown, 1 candidate; beside a birth year only,
365 ÷ 11 ≈ 33; beside nothing at all, the dates of a working life ÷ 11 (52 years: about 1,700). Any scheme
that shows one more digit falls below the bound: the last sequence digit divides by 5 beyond the gender
(about 3,300 < 10,000), a month digit by about 6.

A 15-digit number (before 1999: area · YYMMDD · sequence, no check character) is masked in its 18-character
form (19 inserted, check character computed, as trainees.idnumber.parse stores it), so one person has one
mask whichever form was typed; its last digit, a sequence digit, is never shown.

Known residue: a rule outcome that compares the birth date with a known day tells which side of that day the
birthday falls (the blocking finding AGE_UNDER_16 at a class start, for people who turn 16 that year). The
roster import refuses them before they are enrolled, so it fires only when a class start moves afterwards.
"""

import unicodedata
from calendar import isleap
from collections.abc import Iterable
from datetime import date, timedelta
from operator import mul

MIN_CANDIDATES = 10_000

# GB 11643 / ISO 7064 MOD 11-2, as in trainees.idnumber (catalog is below trainees and cannot import it).
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
ID_SHOWN_HEAD = 6  # the area code
ID_SHOWN_TAIL = 1  # the check character


def _compact(value) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split()).upper()


def id_check_char(first17: str) -> str:
    return CHECK_CHARS[sum(map(mul, map(int, first17), WEIGHTS)) % 11]


def mask_id_number(value) -> str:
    """230102***********X: the area code and the check character only (see the module docstring).

    Also re-masks an older, wider mask (230102********1234 becomes 230102***********4): the stored masks and
    published notices of the earlier scheme are narrowed without the full number."""
    raw = _compact(value)
    if len(raw) == 15 and raw.isdigit():  # the pre-1999 form, masked as the 18-character number it stands for
        first17 = raw[:6] + "19" + raw[6:]
        raw = first17 + id_check_char(first17)
    if len(raw) <= 10:
        return "*" * len(raw)
    return raw[:ID_SHOWN_HEAD] + "*" * (len(raw) - ID_SHOWN_HEAD - ID_SHOWN_TAIL) + raw[-ID_SHOWN_TAIL:]


def display_age(birth_date: date, today: date | None = None) -> int:
    """The age shown beside a masked ID number: this year minus the birth year. It tells the birth year and
    nothing about the day (a 周岁 to today would change on the birthday)."""
    return (today or date.today()).year - birth_date.year


def _dates_of(year: int) -> Iterable[date]:
    day = date(year, 1, 1)
    for _ in range(366 if isleap(year) else 365):
        yield day
        day += timedelta(days=1)


def id_candidates(masked: str, *, birth_year: int | Iterable[int], gender: str | None = None) -> int:
    """How many valid 18-character numbers agree with what a viewer sees: the masked number (`*` hidden,
    anything else shown), the birth year (or the years it may be) and the gender ("M", "F" or None).

    Counted, not listed: real dates of those years that agree with any date digits shown, sequence numbers
    001–999 of the gender's parity that agree with any sequence digits shown, and, when the last character is
    shown, only the combinations whose check character it is."""
    text = _compact(masked)
    if len(text) != 18 or any(c not in "0123456789X*" for c in text) or "X" in text[:17]:
        raise ValueError(f"not an 18-character (masked) ID number: {masked!r}")
    if not text[:6].isdigit():
        raise ValueError("the area code is hidden: count only masks that show it")
    years = [birth_year] if isinstance(birth_year, int) else list(birth_year)

    def agrees(shown: str, digits: str) -> bool:
        return all(s in ("*", d) for s, d in zip(shown, digits, strict=True))

    def weighted(digits: str, offset: int) -> int:
        return sum(int(d) * WEIGHTS[offset + i] for i, d in enumerate(digits))

    # The sequence numbers by their part of the weighted sum mod 11.
    by_residue = [0] * 11
    for seq in range(1, 1000):
        digits = f"{seq:03d}"
        if gender and (seq % 2 == 1) != (gender == "M"):
            continue
        if agrees(text[14:17], digits):
            by_residue[weighted(digits, 14) % 11] += 1
    area = weighted(text[:6], 0)
    total = 0
    for year in years:
        for day in _dates_of(year):
            digits = f"{day:%Y%m%d}"
            if not agrees(text[6:14], digits):
                continue
            if text[17] == "*":
                total += sum(by_residue)
                continue
            # check char CHECK_CHARS[s % 11] must be the one shown: s ≡ its index
            need = (CHECK_CHARS.index(text[17]) - area - weighted(digits, 6)) % 11
            total += by_residue[need]
    return total


def mask_name(value) -> str:
    """张*三 for three characters, 李* for two, 欧**娜 for four: first and last stay."""
    name = str(value or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(value) -> str:
    """138****5678."""
    raw = _compact(value)
    if len(raw) < 7:
        return "*" * len(raw)
    return raw[:3] + "*" * (len(raw) - 7) + raw[-4:]
