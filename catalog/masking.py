"""Masking of personal data for display: what anyone without a need for the full value sees."""

import unicodedata


def _compact(value) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value or "")).split()).upper()


def mask_id_number(value) -> str:
    """230102********1234: the area code and the last four characters only."""
    raw = _compact(value)
    if len(raw) <= 10:
        return "*" * len(raw)
    return raw[:6] + "*" * (len(raw) - 10) + raw[-4:]


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
