import re
import unicodedata

from django.utils.translation import gettext as _

from core.errors import DomainError

# Chinese names, minority names with the middle dot, and Latin letters for foreign residents.
NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaffA-Za-z][\u3400-\u9fff\uf900-\ufaffA-Za-z·•\. ]{0,48}$")
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def clean_name(raw) -> str:
    name = unicodedata.normalize("NFKC", str(raw or "")).strip()
    name = re.sub(r"\s+", " ", name)
    if not name:
        raise DomainError(_("姓名不能为空。"), field="name")
    if any(c.isdigit() for c in name):
        raise DomainError(_("姓名不能包含数字。"), field="name")
    if not NAME.match(name):
        raise DomainError(_("姓名只能包含汉字、字母和间隔号“·”。"), field="name")
    return name


def clean_mobile(raw) -> str:
    """A mainland mobile number; +86 and separators are dropped."""
    phone = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", str(raw or "")))
    if phone.startswith("+86"):
        phone = phone[3:]
    if not phone:
        return ""
    if not MOBILE.match(phone):
        raise DomainError(_("手机号码应为 11 位、以 1 开头（现为 %(n)s 位）。") % {"n": len(phone)}, field="phone")
    return phone
