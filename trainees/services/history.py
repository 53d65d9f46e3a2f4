"""Bulk migration of historical trainings into the archive (manage.py import_history).

Rows are validated, blind-indexed and encrypted in worker processes, streamed into a staging table with
PostgreSQL COPY, then moved into the register and the ledger by a few set-based statements. People are
deduplicated by blind index; records by a keyed fingerprint of the row, so re-running a file changes
nothing. Every bad row goes to a rejects file with its reason; the good rows all load.
"""

import csv
import multiprocessing
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from accounts.services import audit_log
from catalog.models import Occupation, Region, SkillLevel, TraineeCategory, TrainingType
from core import clock
from core.errors import DomainError
from core.progress import progress_recompute_needed

from .. import history_rows
from ..history_rows import COLUMNS, OPTIONAL, RowProcessor

BATCH = 5000

STAGE_COLUMNS = [
    ("row_no", "integer"),
    ("id_index", "varchar(64)"),
    ("id_cipher", "text"),
    ("id_masked", "varchar(18)"),
    ("name", "varchar(50)"),
    ("gender", "varchar(1)"),
    ("birth_date", "date"),
    ("occupation_id", "bigint"),
    ("skill_level_id", "bigint"),
    ("training_type_id", "bigint"),
    ("start_date", "date"),
    ("end_date", "date"),
    ("year", "integer"),
    ("county_id", "bigint"),
    ("institution_code", "varchar(18)"),
    ("amount", "numeric(10,2)"),
    ("certificate", "varchar(50)"),
    ("source_ref", "varchar(64)"),
    ("category_id", "bigint"),  # the primary group
    ("group_ids", "text"),  # every group, comma-separated ('' for none)
]


@dataclass
class HistoryReport:
    rows: int = 0
    trainees_created: int = 0
    records_created: int = 0
    records_existing: int = 0
    rejects: list[tuple[int, str]] = field(default_factory=list)
    rejects_file: Path | None = None


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GBK/GB18030, the two that Chinese spreadsheets save."""
    head = path.open("rb").read(1 << 20)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            head.decode(encoding)
            return encoding
        except UnicodeDecodeError as exc:
            if exc.start > len(head) - 4:  # a character cut at the end of the sample
                return encoding
    raise DomainError("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV 文件。")


def _lookups() -> dict:
    categories, names = {}, []
    for rank, (pk, code, name) in enumerate(TraineeCategory.objects.values_list("pk", "code", "name")):
        categories[name] = categories[code] = (rank, pk)  # the model's order: sort order, code
        names.append(name)
    levels = {}
    for pk, name, grade in SkillLevel.objects.values_list("pk", "name", "national_grade"):
        levels[name] = pk
        if grade:
            levels[grade] = pk
            levels[f"{grade}/{name}"] = pk
    return {
        "occupations": dict(Occupation.objects.values_list("code", "pk")),
        "levels": levels,
        "types": dict(TrainingType.objects.values_list("name", "pk")),
        "regions": dict(Region.objects.exclude(level="province").values_list("code", "pk")),
        "categories": categories,
        "category_names": names,
    }


CHUNK_BYTES = 512 * 1024


def _chunks(f, encoding: str) -> Iterator[tuple[int, str]]:
    """Blocks of whole lines (split at newlines, safe in UTF-8 and GB18030), each with the row number of its
    first line; the header is row 1. One record per line: the migration format has no multi-line cells."""
    row_no, rest = 2, b""
    while block := f.read(CHUNK_BYTES):
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            rest = block
            continue
        block, rest = block[:cut], block[cut:]
        yield row_no, block.decode(encoding)
        row_no += block.count(b"\n")
    if rest.strip():
        yield row_no, rest.decode(encoding)


def _results(chunks, kwargs, workers: int):
    """(COPY text, good count, rejects) per chunk, in file order, from `workers` processes (inline when 1)."""
    if workers <= 1:
        processor = RowProcessor(**kwargs)
        yield from (processor.chunk(first, text) for first, text in chunks)
        return
    with multiprocessing.get_context("fork").Pool(workers, history_rows.init_worker, (kwargs,)) as pool:
        yield from pool.imap(history_rows.process_chunk, chunks)


def _stage(cursor, results, report: HistoryReport, on_progress) -> None:
    columns = ", ".join(f"{name} {kind}" for name, kind in STAGE_COLUMNS)
    names = ", ".join(name for name, _ in STAGE_COLUMNS)
    cursor.execute("DROP TABLE IF EXISTS history_stage")
    cursor.execute(f"CREATE TEMP TABLE history_stage ({columns})")
    if connection.vendor == "postgresql":
        with cursor.copy(f"COPY history_stage ({names}) FROM STDIN") as copy:
            for text, good, bad in results:
                copy.write(text)
                _count(report, good, bad, on_progress)
    else:  # embedded SQLite: the same staging table, filled by executemany from the COPY text
        marks = ", ".join("%s" for _ in STAGE_COLUMNS)
        for text, good, bad in results:
            rows = [[None if v == "\\N" else v for v in line.split("\t")] for line in text.splitlines()]
            cursor.executemany(f"INSERT INTO history_stage ({names}) VALUES ({marks})", rows)  # noqa: S608 - constants
            _count(report, good, bad, on_progress)
    cursor.execute("CREATE INDEX history_stage_index ON history_stage (id_index, row_no)")
    cursor.execute("ANALYZE history_stage")


def _count(report, good, bad, on_progress):
    report.rows += good + len(bad)
    report.rejects.extend(bad)
    on_progress(good + len(bad))


NAME_CONFLICTS = """
SELECT s.row_no FROM history_stage s
 WHERE s.name <> (SELECT f.name FROM history_stage f WHERE f.id_index = s.id_index ORDER BY f.row_no LIMIT 1)
    OR EXISTS (SELECT 1 FROM trainees_trainee t WHERE t.id_index = s.id_index AND t.name <> s.name)
"""
TRAINEE_COLUMNS = """name, id_number, id_index, id_number_masked, gender, birth_date, phone, phone_masked,
       phone_index, bank_account, education, employment_status, social_security_number, draws_pension,
       registered_region_id, created_at"""
TRAINEE_VALUES = """s.name, s.id_cipher, s.id_index, s.id_masked, s.gender, s.birth_date, '', '', '', '', '', '', '',
       FALSE, s.county_id, %(now)s"""
# The first row of each person in the file creates them; people already registered are left alone.
INSERT_TRAINEES_PG = f"""
INSERT INTO trainees_trainee ({TRAINEE_COLUMNS})
SELECT {TRAINEE_VALUES} FROM (SELECT DISTINCT ON (id_index) * FROM history_stage ORDER BY id_index, row_no) s
ON CONFLICT (id_index) DO NOTHING
"""  # noqa: S608 - built from constants
INSERT_TRAINEES = f"""
INSERT INTO trainees_trainee ({TRAINEE_COLUMNS})
SELECT {TRAINEE_VALUES} FROM history_stage s
 WHERE s.row_no = (SELECT MIN(f.row_no) FROM history_stage f WHERE f.id_index = s.id_index)
ON CONFLICT (id_index) DO NOTHING
"""  # noqa: S608 - built from constants
INSERT_RECORDS = """
INSERT INTO trainees_trainingrecord (trainee_id, occupation_id, skill_level_id, training_type_id, subsidy_kind,
       start_date, end_date, year, county_id, institution_id, institution_credit_code, amount, certificate_number,
       source, source_ref, created_at, category_id)
SELECT t.id, s.occupation_id, s.skill_level_id, s.training_type_id,
       CASE WHEN s.amount > 0 THEN 'training' ELSE 'none' END, s.start_date, s.end_date, s.year, s.county_id,
       i.id, s.institution_code, s.amount, s.certificate, 'history', s.source_ref, %(now)s, s.category_id
  FROM history_stage s
  JOIN trainees_trainee t ON t.id_index = s.id_index
  LEFT JOIN institutions_institution i ON i.credit_code = s.institution_code AND s.institution_code <> ''
 WHERE TRUE
 ORDER BY t.id
ON CONFLICT (source, source_ref) DO NOTHING
"""
# The file's groups for records that have none: loaded before without them (and on SQLite, the new ones). A record
# with groups always has its primary category, so PostgreSQL looks only at those without one.
INSERT_GROUPS = """
INSERT INTO trainees_trainingrecordgroup (record_id, category_id)
SELECT r.id, {member}
  FROM history_stage s
  JOIN trainees_trainingrecord r ON r.source = 'history' AND r.source_ref = s.source_ref
  {members}
 WHERE s.group_ids <> ''{uncategorised}
   AND NOT EXISTS (SELECT 1 FROM trainees_trainingrecordgroup x WHERE x.record_id = r.id)
ON CONFLICT DO NOTHING
"""
# PostgreSQL: the new records and their groups in one statement (the groups joined to the rows it returns, not
# to the ledger); the records' count is its result.
INSERT_RECORDS_AND_GROUPS_PG = f"""
WITH new AS ({INSERT_RECORDS} RETURNING id, source_ref),
groups AS (
INSERT INTO trainees_trainingrecordgroup (record_id, category_id)
SELECT new.id, g.id::bigint
  FROM new JOIN history_stage s ON s.source_ref = new.source_ref
 CROSS JOIN LATERAL unnest(string_to_array(s.group_ids, ',')) g(id)
 WHERE s.group_ids <> ''
 ORDER BY new.id
ON CONFLICT DO NOTHING
)
SELECT count(*) FROM new
"""  # noqa: S608 - built from constants
MEMBERS_PG = {
    "member": "g.id::bigint",
    "members": "CROSS JOIN LATERAL unnest(string_to_array(s.group_ids, ',')) g(id)",
    "uncategorised": " AND r.category_id IS NULL",
}
MEMBERS = {
    "member": "CAST(g.value AS integer)",
    "members": "JOIN json_each('[' || s.group_ids || ']') g",
    "uncategorised": "",
}
FILL_CATEGORY = """
UPDATE trainees_trainingrecord SET category_id = s.category_id FROM history_stage s
 WHERE trainees_trainingrecord.source = 'history' AND trainees_trainingrecord.source_ref = s.source_ref
   AND trainees_trainingrecord.category_id IS NULL AND s.category_id IS NOT NULL
   AND EXISTS (SELECT 1 FROM trainees_trainingrecordgroup x
                WHERE x.record_id = trainees_trainingrecord.id AND x.category_id = s.category_id)
"""
INSERT_ACCESS = """
INSERT INTO trainees_traineeaccess (trainee_id, county_id, institution_id)
SELECT t.id, s.county_id, i.id
  FROM history_stage s
  JOIN trainees_trainee t ON t.id_index = s.id_index
  LEFT JOIN institutions_institution i ON i.credit_code = s.institution_code AND s.institution_code <> ''
 WHERE TRUE
 GROUP BY t.id, s.county_id, i.id
 ORDER BY t.id
ON CONFLICT DO NOTHING
"""


def _load(cursor) -> tuple[list[int], int, int]:
    """Move staged rows into the register and the ledger. Returns (name-conflict rows, trainees, records)."""
    cursor.execute(NAME_CONFLICTS)
    conflicts = [r[0] for r in cursor.fetchall()]
    if conflicts:
        cursor.execute(f"DELETE FROM history_stage WHERE row_no IN (SELECT row_no FROM ({NAME_CONFLICTS}) c)")  # noqa: S608
    now = clock.now()
    postgres = connection.vendor == "postgresql"
    if postgres:
        cursor.execute("SET LOCAL synchronous_commit = off")  # a failed load is simply re-run
    cursor.execute(INSERT_TRAINEES_PG if postgres else INSERT_TRAINEES, {"now": now})
    trainees = cursor.rowcount
    cursor.execute("SELECT count(*) FROM history_stage")
    staged = cursor.fetchone()[0]
    if postgres:
        cursor.execute(INSERT_RECORDS_AND_GROUPS_PG, {"now": now})
        records = cursor.fetchone()[0]
    else:
        cursor.execute(INSERT_RECORDS, {"now": now})
        records = cursor.rowcount
    if records < staged or not postgres:  # rows of records loaded before, or SQLite: every record's groups
        _load_groups(cursor, postgres)
    cursor.execute(INSERT_ACCESS)
    cursor.execute("DROP TABLE history_stage")
    if postgres:  # fresh statistics, or the planner scans a million rows for the next person lookup
        for table in (
            "trainees_trainee",
            "trainees_trainingrecord",
            "trainees_trainingrecordgroup",
            "trainees_traineeaccess",
        ):
            cursor.execute(f"ANALYZE {table}")
    return conflicts, trainees, records


def _load_groups(cursor, postgres: bool) -> None:
    """The staged groups into the group sets of records that have none: on PostgreSQL records loaded before
    without groups (their file migrated before the column existed); then the primary category of those given
    the file's groups. Groups already recorded are kept."""
    cursor.execute(INSERT_GROUPS.format(**(MEMBERS_PG if postgres else MEMBERS)))
    cursor.execute(FILL_CATEGORY)


def _write_rejects(source: Path, encoding: str, rejects: list[tuple[int, str]]) -> Path:
    """The rejected rows as they were in the file, with the row number and the reason."""
    reasons = dict(rejects)
    out = source.with_name(source.stem + ".rejected.csv")
    with source.open(encoding=encoding, newline="") as f_in, out.open("w", encoding="utf-8-sig", newline="") as f_out:
        reader, writer = csv.reader(f_in), csv.writer(f_out)
        writer.writerow(["行号", "原因", *next(reader)])
        for row_no, row in enumerate(reader, start=2):
            if row_no in reasons:
                writer.writerow([row_no, reasons[row_no], *row])
    return out


def history_import(
    *,
    path: Path,
    actor=None,
    workers: int = 2,
    today: date | None = None,
    on_progress: Callable[[int], None] = lambda n: None,
) -> HistoryReport:
    encoding = detect_encoding(path)
    report = HistoryReport()
    with path.open(encoding=encoding, newline="") as f:
        reader = csv.reader(f)
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in COLUMNS if c not in header and c not in OPTIONAL]
        if missing:
            raise DomainError(f"文件缺少列：{'、'.join(missing)}。第一行应为：{','.join(COLUMNS)}")
        kwargs = {
            "encryption_keys": settings.PII_ENCRYPTION_KEYS,
            "index_key": settings.PII_BLIND_INDEX_KEY,
            "lookups": _lookups(),
            "header": header,
            "today": today or clock.today(),
        }

    with path.open("rb") as f, transaction.atomic(), connection.cursor() as cursor:
        f.readline()  # the header, read above
        _stage(cursor, _results(_chunks(f, encoding), kwargs, workers), report, on_progress)
        if not report.rows:
            raise DomainError("文件中没有数据行。")
        conflicts, report.trainees_created, report.records_created = _load(cursor)
        report.rejects.extend((r, "姓名与该身份证号已登记（或文件中先出现）的姓名不一致") for r in conflicts)
        report.records_existing = report.rows - len(report.rejects) - report.records_created
        progress_recompute_needed()
        audit_log(
            actor=actor,
            action="trainee.history_imported",
            details={
                "file": path.name,
                "rows": report.rows,
                "rejected": len(report.rejects),
                "trainees_created": report.trainees_created,
                "records_created": report.records_created,
            },
        )
    if report.rejects:
        report.rejects.sort()
        report.rejects_file = _write_rejects(path, encoding, report.rejects)
    return report


def progress_printer(total: int, stream=sys.stderr) -> Callable[[int], None]:
    """A one-line progress bar on the terminal."""
    import time

    state = {"done": 0, "start": time.monotonic(), "last": 0.0}

    def update(n: int) -> None:
        state["done"] += n
        now = time.monotonic()
        if now - state["last"] < 0.2 and state["done"] < total:
            return
        state["last"] = now
        done, share = state["done"], state["done"] / total if total else 1
        rate = done / max(now - state["start"], 1e-9)
        bar = "#" * int(share * 30)
        stream.write(f"\r[{bar:<30}] {share:6.1%} {done:,}/{total:,} 行  {rate:,.0f} 行/秒")
        stream.flush()

    return update
