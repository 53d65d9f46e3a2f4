"""Synthetic trainees and training histories, reproducible from a seed.

Valid resident ID numbers (real Heilongjiang county codes, plausible birth dates, correct check characters),
Chinese names, about 1.6 trainings per person across 2019-2025, institutions with valid unified social
credit codes, subsidy amounts from the Heilongjiang standards, and each person's groups (人员类别) with the
overlaps seen in practice (a tenth of migrant workers also 脱贫人口, a fifth of graduates also registered
unemployed). Output is the `import_history` CSV.

    python bench/synth.py --rows 1000000 --seed 7 --out /tmp/history.csv

Used by the benchmarks in bench/ and by the demo data.
"""

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

from .history_rows import COLUMNS
from .idnumber import check_char

ROOT = Path(__file__).resolve().parent.parent

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彩春菊兰凤洁梅琳素云莲真环雪荣爱"
    "妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉"
    "眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊"
    "亚宜可姬舒影荔枝思丽"
)
LEVELS = [
    ("初级工", 0.55, 1000),
    ("中级工", 0.30, 1500),
    ("高级工", 0.11, 2000),
    ("技师", 0.03, 2500),
    ("高级技师", 0.01, 3000),
]
TYPES = [("就业技能培训", 0.55), ("岗位技能提升培训", 0.35), ("创业培训", 0.05), ("安全技能培训", 0.05)]
TRAININGS_PER_PERSON = [(1, 0.55), (2, 0.30), (3, 0.12), (4, 0.03)]  # mean 1.63
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# A person's main group (人员类别), or none recorded, and the groups that come with it at a rate.
GROUPS = [
    ("农民工", 0.36),
    ("企业职工", 0.20),
    ("登记失业人员", 0.10),
    ("高校毕业生", 0.08),
    ("脱贫人口", 0.05),
    ("就业困难人员", 0.03),
    ("退役军人", 0.02),
    ("城乡未继续升学初高中毕业生", 0.02),
    ("残疾人", 0.01),
    ("", 0.13),
]
ALSO = {
    "农民工": [("脱贫人口", 0.10), ("农村低收入人口", 0.03)],
    "高校毕业生": [("登记失业人员", 0.20)],
    "登记失业人员": [("就业困难人员", 0.15)],
    "退役军人": [("登记失业人员", 0.10)],
    "残疾人": [("就业困难人员", 0.50)],
}


def heilongjiang_counties() -> list[str]:
    with open(ROOT / "catalog" / "data" / "areas.csv", encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f) if row["code"].startswith("23")]


def occupation_codes() -> list[str]:
    with open(ROOT / "catalog" / "data" / "occupations.csv", encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f)]


def credit_code(rng: random.Random, county: str) -> str:
    body = "52" + county + "MJ" + "".join(rng.choice(USCC_ALPHABET) for _ in range(7))
    total = sum(
        USCC_ALPHABET.index(c) * w
        for c, w in zip(body, (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28), strict=True)
    )
    return body + USCC_ALPHABET[(31 - total % 31) % 31]


def id_number(rng: random.Random, county: str, used: set) -> str:
    while True:
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(45 * 365))
        first17 = f"{county}{born:%Y%m%d}{rng.randrange(1000):03d}"
        if first17 not in used:
            used.add(first17)
            return first17 + check_char(first17)


def weighted(rng, items):
    return rng.choices([i[0] for i in items], weights=[i[1] for i in items])[0]


def groups(rng: random.Random) -> str:
    """One person's 人员类别 cell: a main group and those that often come with it, 、-separated."""
    main = weighted(rng, GROUPS)
    return "、".join([main, *(also for also, rate in ALSO.get(main, []) if rng.random() < rate)]) if main else ""


def generate(*, rows: int, seed: int = 7, institutions: int = 800, counties: list[str] | None = None):
    """Yield CSV rows (lists in COLUMNS order) until `rows` trainings are produced."""
    rng = random.Random(seed)
    group_rng = random.Random(seed * 7919 + 1)  # its own stream: the other columns stay as they were per seed
    counties = counties or heilongjiang_counties()
    occupations = occupation_codes()
    pool: dict[str, list[str]] = {}
    for county in (rng.choice(counties) for _ in range(institutions)):
        pool.setdefault(county, []).append(credit_code(rng, county))
    everywhere = [code for codes in pool.values() for code in codes]
    used: set[str] = set()
    produced = 0
    while produced < rows:
        home = rng.choice(counties)
        person = id_number(rng, home, used)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
        person_groups = groups(group_rng)
        for _ in range(weighted(rng, TRAININGS_PER_PERSON)):
            if produced >= rows:
                return
            level_name, _, amount = rng.choices(LEVELS, weights=[lv[1] for lv in LEVELS])[0]
            start = date(2019, 1, 1) + timedelta(days=rng.randrange(6 * 365 + 250))
            where = home if rng.random() < 0.8 else rng.choice(counties)
            institution = rng.choice(pool.get(where) or everywhere)
            yield [
                person,
                name,
                rng.choice(occupations),
                level_name,
                weighted(rng, TYPES),
                start.isoformat(),
                (start + timedelta(days=rng.randrange(7, 31))).isoformat(),
                where,
                institution,
                str(amount if rng.random() < 0.9 else amount * 6 // 5),
                f"HLJ{seed}{produced:09d}" if rng.random() < 0.7 else "",
                person_groups,
            ]
            produced += 1


def write_csv(path: Path, *, rows: int, seed: int = 7, encoding: str = "utf-8", **kwargs) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(generate(rows=rows, seed=seed, **kwargs))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--encoding", default="utf-8", help="utf-8 or gbk")
    args = parser.parse_args()
    write_csv(args.out, rows=args.rows, seed=args.seed, encoding=args.encoding)
    print(f"wrote {args.rows} rows to {args.out}")


if __name__ == "__main__":
    main()
