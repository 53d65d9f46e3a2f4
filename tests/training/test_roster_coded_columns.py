"""The roster's coded columns (issue 14): a value the import does not know is refused with every allowed value
named — read from the lists themselves (the catalog's 人员类别, the 文化程度 and 就业状态 codes), so a category
added to the catalog is named too; 户籍所在地, a list of thousands, says what to write instead; the words clerks
use for a value are taken as that value."""

import pytest

from catalog.models import TraineeCategory
from trainees.models import Education, EmploymentStatus

from . import roster_kit as kit
from .factories import row
from .roster_kit import check, where

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]
c = kit.c  # the fixture
w = kit.w  # the fixture


def allowed(column: str) -> list[str]:
    if column == "人员类别":
        return list(TraineeCategory.objects.order_by("sort_order", "pk").values_list("name", flat=True))
    return [str(label) for label in {"文化程度": Education, "就业状态": EmploymentStatus}[column].labels]


@pytest.mark.parametrize(("column", "value"), [("人员类别", "外星人"), ("文化程度", "幼儿园"), ("就业状态", "退休")])
def test_an_unknown_coded_value_is_refused_naming_every_allowed_value(c, column, value):
    result = check(c, [row(0, **{column: value})])
    assert where(result.errors) == [(2, column)]
    message = result.errors[0]["message"]
    assert message.startswith(f"“{value}”不是有效的{column}，请从下拉列表中选择")
    assert message.split("应为以下之一：")[1].rstrip("。").split("、") == allowed(column)


def test_a_category_added_to_the_catalog_is_named_in_the_refusal(c):
    TraineeCategory.objects.create(code="new_form", name="新就业形态劳动者", sort_order=99)
    message = check(c, [row(0, 人员类别="外星人")]).errors[0]["message"]
    assert message.endswith("、新就业形态劳动者。")
    assert check(c, [row(0, 人员类别="新就业形态劳动者")]).errors == []


def test_an_unknown_hukou_says_to_pick_from_the_template_list_or_write_the_code(c):
    [error] = check(c, [row(0, 户籍所在地="火星区")]).errors
    assert error["message"] == "找不到“火星区”，请从模板的下拉列表中选择县（市、区），或填写 6 位区划代码。"


@pytest.mark.parametrize(
    ("column", "word", "value"),
    [
        ("文化程度", "大学本科", "bachelor"),
        ("文化程度", "中专", "senior"),
        ("就业状态", "待业", "unemployed"),
        ("人员类别", "两后生", "城乡未继续升学初高中毕业生"),
    ],
)
def test_a_clerks_word_for_a_value_is_taken_as_that_value(c, column, word, value):
    result = check(c, [row(0, **{column: word})])
    assert result.errors == []
    parsed = result.rows[0]
    got = {"文化程度": parsed.education, "就业状态": parsed.employment_status, "人员类别": str(parsed.category)}
    assert got[column] == value
