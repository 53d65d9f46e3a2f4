"""Idempotent loaders for the reference data shipped in catalog/data/.

Each loader takes the model classes as arguments so a data migration can pass its historical models and the
`load_reference_data` command the current ones. Re-running inserts what is missing and corrects names;
it never deletes (institutions and trainees may point at any row).
"""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"

# Heilongjiang's statistical areas: not administrative counties, but people and institutions sit in them.
STATISTICAL_AREAS = {"230671", "232761", "232762", "232763", "232764"}

# 新八级工 ladder: (code, name, rank, national grade).
SKILL_LEVELS = [
    ("apprentice", "学徒工", 1, ""),
    ("level5", "初级工", 2, "五级"),
    ("level4", "中级工", 3, "四级"),
    ("level3", "高级工", 4, "三级"),
    ("level2", "技师", 5, "二级"),
    ("level1", "高级技师", 6, "一级"),
    ("special", "特级技师", 7, ""),
    ("chief", "首席技师", 8, ""),
]

TRAINEE_CATEGORIES = [
    ("migrant_worker", "农民工"),
    ("poverty_alleviated", "脱贫人口"),
    ("college_graduate", "高校毕业生"),
    ("registered_unemployed", "登记失业人员"),
    ("employment_difficulty", "就业困难人员"),
    ("veteran", "退役军人"),
    ("disabled", "残疾人"),
    ("enterprise_worker", "企业职工"),
    ("non_continuing_graduate", "城乡未继续升学初高中毕业生"),
    ("low_income_rural", "农村低收入人口"),
    ("flexible_employment", "灵活就业人员"),
    ("other", "其他"),
]

TRAINING_TYPES = [
    ("employment_skills", "就业技能培训"),
    ("skill_upgrade", "岗位技能提升培训"),
    ("entrepreneurship", "创业培训"),
    ("apprenticeship", "企业新型学徒制"),
    ("work_for_training", "以工代训"),
    ("project_based", "项目制培训"),
    ("safety_skills", "安全技能培训"),
]

# 重点领域: the industries and fields seed 001 (黑龙江 2025–2027, tasks 1, 2, 5 and 9) names, in its words.
KEY_AREAS = [
    ("artificial_intelligence", "人工智能"),
    ("high_end_equipment", "高端装备"),
    ("new_materials", "新材料"),
    ("new_energy", "新能源"),
    ("next_generation_it", "新一代信息技术"),
    ("future_industries", "未来产业"),
    ("care", "康养照护"),  # 托育、养老、护理、康复、殡葬
    ("rural_revitalization", "乡村振兴"),
    ("platform_economy", "互联网平台经济"),  # 电商达人
    ("modern_logistics", "现代物流"),
    ("ice_snow_economy", "冰雪经济"),
    ("smart_farm_machinery", "智慧农机"),
    ("cross_border_ecommerce", "跨境电商"),
    ("low_altitude_economy", "低空经济"),
]

# 组织部门: the departments of 绥化's 2019 quota table (seed 004, 附件1), named as the table's heads give them.
DEPARTMENTS = [
    ("education", "教育局"),
    ("commerce", "商务局"),
    ("veterans_affairs", "退役军人事务局"),
    ("women_federation", "妇联"),
    ("disabled_federation", "残联"),
    ("justice", "司法局"),
    ("youth_league", "团市委"),
    ("public_security", "公安局"),
    ("civil_affairs", "民政局"),
    ("financial_services", "金融服务局"),
    ("emergency_management", "应急管理局"),
    ("housing_construction", "住建局"),
    ("science_technology", "科技局"),
    ("industry_it", "工信局"),
    ("market_regulation", "市场监督管理局"),
    ("trade_union", "总工会"),
]

# 创业培训 stages named by seed 000 §(四) and seed 002 (七), in the order a person goes through them.
ENTREPRENEURSHIP_STAGES = [
    ("gyb", "创业意识培训（GYB/SIYB）"),
    ("syb", "创办企业培训（SYB）"),
    ("iyb", "改善企业培训（IYB）"),
    ("online", "网络创业培训"),
    ("simulation", "创业（模拟）实训"),
]


def _rows(name: str):
    with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


def _upsert(model, key: str, rows: list[dict]) -> int:
    """Insert rows missing by `key`, update changed fields of existing ones; returns rows written."""
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    new, changed = [], []
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            new.append(model(**row))
        elif any(getattr(obj, f) != v for f, v in row.items()):
            for f, v in row.items():
                setattr(obj, f, v)
            changed.append(obj)
    model.objects.bulk_create(new, batch_size=1000)
    if changed:
        fields = [f for f in rows[0] if f != key]
        model.objects.bulk_update(changed, fields, batch_size=1000)
    return len(new) + len(changed)


def load_regions(Region) -> int:
    written = 0
    levels = [
        ("provinces.csv", "province", None),
        ("cities.csv", "city", "provinceCode"),
        ("areas.csv", "county", "cityCode"),
    ]
    for filename, level, parent_column in levels:
        ids = dict(Region.objects.values_list("code", "id"))
        rows = [
            {
                "code": r["code"],
                "name": r["name"],
                "level": level,
                "parent_id": ids[r[parent_column]] if parent_column else None,
                "is_statistical": r["code"] in STATISTICAL_AREAS,
            }
            for r in _rows(filename)
        ]
        written += _upsert(Region, "code", rows)
    return written


def load_occupations(Occupation) -> int:
    rows = [{"code": r["code"], "name": r["name"], "category": r["category"]} for r in _rows("occupations.csv")]
    existing = set(Occupation.objects.values_list("code", flat=True))
    # Never overwrite names a bureau imported from the official list.
    return _upsert(Occupation, "code", [r for r in rows if r["code"] not in existing])


def load_small_lists(SkillLevel, TraineeCategory, TrainingType) -> int:
    levels = [{"code": c, "name": n, "rank": r, "national_grade": g} for c, n, r, g in SKILL_LEVELS]
    categories = [{"code": c, "name": n, "sort_order": i} for i, (c, n) in enumerate(TRAINEE_CATEGORIES)]
    types = [{"code": c, "name": n, "sort_order": i} for i, (c, n) in enumerate(TRAINING_TYPES)]
    return (
        _upsert(SkillLevel, "code", levels)
        + _upsert(TraineeCategory, "code", categories)
        + _upsert(TrainingType, "code", types)
    )


def load_key_areas_and_departments(KeyArea, Department) -> int:
    key_areas = [{"code": c, "name": n, "sort_order": i} for i, (c, n) in enumerate(KEY_AREAS)]
    departments = [{"code": c, "name": n, "sort_order": i} for i, (c, n) in enumerate(DEPARTMENTS)]
    return _upsert(KeyArea, "code", key_areas) + _upsert(Department, "code", departments)


def load_all(get_model) -> int:
    """Load the lists of migration 0002; `get_model("catalog", "Region")` comes from a migration or django.apps.
    (Lists added later have a loader and a migration of their own: 0002's models do not have them.)"""

    def m(name):
        return get_model("catalog", name)

    return (
        load_regions(m("Region"))
        + load_occupations(m("Occupation"))
        + load_small_lists(m("SkillLevel"), m("TraineeCategory"), m("TrainingType"))
    )


def load_entrepreneurship_stages(EntrepreneurshipStage) -> int:
    rows = [{"code": c, "name": n, "sort_order": i} for i, (c, n) in enumerate(ENTREPRENEURSHIP_STAGES)]
    return _upsert(EntrepreneurshipStage, "code", rows)
