"""Write docs/indicators.md: for each plan of indicators/data/plans.json, every indicator with its targets, the
plan's comparator and attribute, where its figure comes from (系统统计 / 填报 / 参考) and the rule that computes
it (the Definition's one-line statement in indicators.definitions), with the seed it comes from.

    python manage.py indicators_doc            # rewrite docs/indicators.md
    python manage.py indicators_doc --check    # exit 1 if docs/indicators.md is not current

Built from the files only (the plans' data, the definitions, the catalog's region list), never the database, so
the page is the same everywhere; a test keeps it current."""

import csv
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from catalog.reference_data import DATA_DIR

from ...definitions import DEFINITIONS
from ...models import Indicator
from ...services.plans import PLANS_FILE

DOC_FILE = Path(settings.BASE_DIR) / "docs" / "indicators.md"

HEADER = """# 计划指标与统计口径

由 `python manage.py indicators_doc` 依据 `indicators/data/plans.json` 与 `indicators/definitions.py` 生成，请勿手改
（测试 `tests/indicators/test_plan_attributes.py` 检查本页与生成结果一致）。“依据”为政策原文编号
（`/work/shared/seeds/NNN_*.txt`：000 黑龙江 2022–2025，001 黑龙江 2025–2027，002 全国“十四五”，003 吉林 2022–2025，
004 绥化 2019–2021）。

- **表述**：目标在计划原文中的写法——“≥”（以上、不低于，原文只写数字的也按此）、“左右”、“≤”。
- **属性**：计划所列“预期性”或“约束性”；计划未写明的空着。
- **来源**：“系统统计”由本系统数据按统计口径计算；“填报”由责任单位按月填报（附依据），期末存量指标取各填报单位最新值；
  “参考”为全国指标：在省级部署中只显示本区划的贡献及其占全国目标的比例，不计完成率与进度状态。
- **类型**：期间累计（计划期内合计）、每年（按年度目标）、期末存量。“每两年”的评选表彰指标按计划期累计填报，
  目标为每轮（两年）的名额。
- **证书统计地**：证书按登记时确定的统计地计入——本人登记的县（市、区）；未登记的，按其取得证书的培训班所在地，
  再按档案中同职业最近一次培训的培训地，再按最近一次任何培训的培训地；都没有的不计入任何地区。
- **新建公共实训基地**：按机构登记的建成日期统计，建成日期在计划期内的公共实训基地计入；未登记建成日期的不计。
"""


def _region_names() -> dict[str, str]:
    names = {}
    for name in ("provinces.csv", "cities.csv", "areas.csv"):
        with open(DATA_DIR / name, encoding="utf-8", newline="") as f:
            names.update({row["code"]: row["name"] for row in csv.DictReader(f)})
    return names


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _targets(item: dict, names: dict) -> str:
    parts = []
    for t in item["targets"]:
        where = "全国" if not t["region"] else names.get(t["region"], t["region"])
        where += "市本级" if t.get("city_own") else ""
        year = f"{t['year']}年 " if t.get("year") else ""
        stretch = f"（力争 {t['stretch']:,}）" if t.get("stretch") else ""
        parts.append(f"{where} {year}{t['value']:,}{stretch}")
    return "；".join(parts) or "按上级当年下达"


def _rule(item: dict) -> str:
    rule = _statement(item)
    return f"{rule}（{item['note']}）" if item.get("note") else rule


def _statement(item: dict) -> str:
    code, source = item.get("definition") or "", item["source"]
    if code:
        statement = f"`{code}`：{DEFINITIONS[code].rule}"
        return f"全国目标，显示本区划贡献——{statement}" if source == Indicator.Source.REFERENCE else statement
    if source == Indicator.Source.REFERENCE:
        return "全国目标，全国数值由系统管理员填报"
    if item["kind"] == Indicator.Kind.STOCK:
        return "责任单位填报期末数值（附依据），取最新一次"
    return "责任单位按月填报（附依据），期间内合计"


def render(path: Path = PLANS_FILE) -> str:
    data = json.loads(path.read_text(encoding="utf-8"))
    names = _region_names()
    lines = [HEADER]
    with translation.override("zh-hans"):
        kinds = {value: str(label) for value, label in Indicator.Kind.choices}
        sources = {value: str(label) for value, label in Indicator.Source.choices}
        attributes = {value: str(label) for value, label in Indicator.Attribute.choices}
        comparators = {value: str(label) for value, label in Indicator.Comparator.choices}
    for plan in data["plans"]:
        where = names.get(plan["region"], "全国") if plan["region"] else "全国"
        lines += [
            f"## {plan['name']}",
            "",
            f"`{plan['code']}` · {where} · {plan['start']} 至 {plan['end']} · 依据 {plan.get('seed', '')}",
            "",
            f"{plan.get('document', '')}",
            "",
            "| 代码 | 指标 | 类型 | 目标 | 表述 | 属性 | 来源 | 统计口径 | 依据 |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for item in plan["indicators"]:
            row = [
                f"`{item['code']}`",
                ("└ " if item.get("parent") else "") + f"{item['name']}（{item.get('unit', '人次')}）",
                kinds[item["kind"]],
                _targets(item, names),
                comparators[item.get("comparator") or Indicator.Comparator.AT_LEAST],
                attributes.get(item.get("attribute", ""), ""),
                sources[item["source"]],
                _rule(item),
                plan.get("seed", ""),
            ]
            lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
        lines.append("")
    lines += [
        "## 统计口径一览",
        "",
        "| 口径 | 名称 | 计划原文与统计规则 | 依据 |",
        "| --- | --- | --- | --- |",
    ]
    for code, definition in DEFINITIONS.items():
        row = [f"`{code}`", definition.name, definition.rule, definition.seed]
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Write docs/indicators.md: every plan's indicators with their targets, attributes and rules."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only check that docs/indicators.md is current")

    def handle(self, *args, check=False, **options):
        text = render()
        if check:
            if not DOC_FILE.exists() or DOC_FILE.read_text(encoding="utf-8") != text:
                raise CommandError("docs/indicators.md is not current: run `python manage.py indicators_doc`.")
            self.stdout.write("docs/indicators.md is current.")
            return
        DOC_FILE.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {DOC_FILE}")
