import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.cn import uscc


def normalize_code(value: str) -> str:
    """Full-width to half-width, no spaces or dashes, upper case: how people type codes into Excel."""
    value = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s\-]", "", value).upper()


def validate_credit_code(value: str) -> None:
    """GB 32100 unified social credit code: 18 characters, the last a check character."""
    code = normalize_code(value)
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为 18 位（现为 %(n)s 位）。") % {"n": len(code)}, code="length")
    try:
        uscc.validate(code)
    except uscc.InvalidChecksum:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对最后一位。"), code="checksum") from None
    except uscc.ValidationError:
        raise ValidationError(_("统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）。"), code="format") from None


MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")


def validate_mainland_phone(value: str) -> None:
    """A mainland mobile (11 digits, 1[3-9]…) or a landline with its area code (0451-12345678)."""
    phone = str(value or "").strip().replace(" ", "")
    if not (MOBILE.match(phone) or LANDLINE.match(phone)):
        raise ValidationError(_("电话号码格式不正确：手机号为 11 位，固定电话请带区号（如 0455-8123456）。"))
