"""The coded columns of the roster (文化程度, 就业状态, 人员类别, 户籍所在地): the reference lists loaded once per
import, the words clerks use for their values, a refusal that names the allowed values, and those values for the
template's drop-downs."""

from django.utils.translation import gettext as _

from catalog.models import Region, TraineeCategory
from core.spreadsheets import clean_text
from trainees.models import Education, EmploymentStatus

# Clerks' words for the values of the code lists (trainees.models): each maps onto exactly one allowed value.
EDUCATION_SYNONYMS = {
    Education.PRIMARY: ("小学", "小学以下", "文盲", "半文盲", "无"),
    Education.JUNIOR: ("初中及以下", "初级中学"),
    Education.SENIOR: (
        "高中",
        "中专",
        "技校",
        "职高",
        "中职",
        "普通高中",
        "高中及以上",
        "中等专科",
        "技工学校",
        "高中/中专",
    ),
    Education.COLLEGE: ("专科", "大学专科", "高职", "大专及以上"),
    Education.BACHELOR: ("大学本科", "大学", "学士", "本科及以上"),
    Education.POSTGRADUATE: ("硕士", "博士", "硕士研究生", "博士研究生", "研究生及以上"),
}
EMPLOYMENT_SYNONYMS = {
    EmploymentStatus.EMPLOYED: ("在职", "已就业", "在岗"),
    EmploymentStatus.UNEMPLOYED: ("未就业", "待业", "无业", "失业人员"),
    EmploymentStatus.FLEXIBLE: ("灵活就业人员",),
    EmploymentStatus.STUDENT: ("学生", "在校生"),
    EmploymentStatus.FARMING: ("农民", "务农人员"),
}
CATEGORY_SYNONYMS = {
    "农民工": ("进城务工人员", "外出务工人员"),
    "脱贫人口": ("脱贫户", "建档立卡脱贫人口", "脱贫劳动力"),
    "高校毕业生": ("大学毕业生", "应届高校毕业生"),
    "登记失业人员": ("失业人员", "城镇登记失业人员"),
    "退役军人": ("退伍军人",),
    "残疾人": ("残疾人员",),
    "城乡未继续升学初高中毕业生": ("两后生", "未升学初高中毕业生"),
}


def _key(text) -> str:
    return clean_text(str(text or "")).replace(" ", "").replace("／", "/")


def allowed_message(column: str, text: str, labels) -> str:
    return _("“%(v)s”不是有效的%(c)s，请从下拉列表中选择，应为以下之一：%(list)s。") % {
        "v": text,
        "c": column,
        "list": "、".join(str(label) for label in labels),
    }


class CodeList:
    """Label (and synonym) → value of one coded column."""

    def __init__(self, column: str, pairs, synonyms=None):
        self.column = column
        self.labels = [str(label) for _value, label in pairs]
        self.values = {}
        for value, label in pairs:
            self.values[_key(label)] = value
            if str(label).count("/"):
                for part in str(label).split("/"):
                    self.values.setdefault(_key(part), value)
        for value, words in (synonyms or {}).items():
            for word in words:
                self.values.setdefault(_key(word), self.values.get(_key(value), value))

    def get(self, text, errors: list, row_no) -> object:
        """The value for `text` ('' for an empty cell), or an error naming the allowed values."""
        key = _key(text)
        if not key:
            return ""
        if key in self.values:
            return self.values[key]
        errors.append((row_no, self.column, allowed_message(self.column, clean_text(str(text)), self.labels)))
        return None


class Lookups:
    """Reference lists loaded once per import."""

    def __init__(self):
        categories = {c.name: c for c in TraineeCategory.objects.order_by("sort_order", "pk")}
        self.categories = CodeList("人员类别", [(c, name) for name, c in categories.items()], CATEGORY_SYNONYMS)
        self.education = CodeList("文化程度", Education.choices, EDUCATION_SYNONYMS)
        self.employment = CodeList("就业状态", EmploymentStatus.choices, EMPLOYMENT_SYNONYMS)
        self.regions = {}
        self.county_names = []  # full names, in code order: what the template's drop-down offers
        for region in Region.objects.filter(level="county").select_related("parent__parent"):
            for key in (region.code, region.full_name, region.parent.name + region.name):
                self.regions[key] = region
            self.regions.setdefault(region.name, region)  # a bare county name: first match (names repeat)
            self.county_names.append(region.full_name)


def allowed_values(lookups: Lookups | None = None) -> dict[str, list[str]]:
    """Column → allowed labels, for the template's drop-downs and its list sheet: taken from the very lists
    the import checks against."""
    lookups = lookups or Lookups()
    coded = {c.column: c.labels for c in (lookups.categories, lookups.education, lookups.employment)}
    return {**coded, "户籍所在地": list(dict.fromkeys(lookups.county_names))}
