import pytest

from catalog.models import Occupation, SkillLevel, TraineeCategory, TrainingType

pytestmark = pytest.mark.django_db


def test_starter_occupation_list_has_forty_common_occupations_in_2022_code_format():
    assert Occupation.objects.count() >= 40
    names = set(Occupation.objects.values_list("name", flat=True))
    assert {
        "养老护理员",
        "育婴员",
        "家政服务员",
        "电工",
        "焊工",
        "中式烹调师",
        "电子商务师",
        "叉车司机",
        "美容师",
    } <= names
    assert Occupation.objects.get(name="养老护理员").code == "4-10-01-05"
    for occupation in Occupation.objects.all():
        occupation.full_clean()


def test_skill_ladder_has_eight_levels_with_national_five_ordered():
    levels = list(SkillLevel.objects.order_by("rank"))
    assert [lv.name for lv in levels] == [
        "学徒工",
        "初级工",
        "中级工",
        "高级工",
        "技师",
        "高级技师",
        "特级技师",
        "首席技师",
    ]
    assert [lv.national_grade for lv in levels if lv.is_national] == ["五级", "四级", "三级", "二级", "一级"]


def test_high_skilled_means_senior_worker_and_above():
    high = {lv.name for lv in SkillLevel.objects.all() if lv.is_high_skilled}
    assert high == {"高级工", "技师", "高级技师", "特级技师", "首席技师"}


def test_trainee_categories_and_training_types_are_seeded():
    assert {"农民工", "脱贫人口", "高校毕业生", "登记失业人员", "退役军人", "残疾人", "企业职工"} <= set(
        TraineeCategory.objects.values_list("name", flat=True)
    )
    assert set(TrainingType.objects.values_list("name", flat=True)) == {
        "就业技能培训",
        "岗位技能提升培训",
        "创业培训",
        "企业新型学徒制",
        "以工代训",
        "项目制培训",
        "安全技能培训",
    }
