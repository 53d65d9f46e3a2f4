"""import_history: the bulk migration of historical trainings into the archive."""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from core.errors import DomainError
from tests.institutions.factories import InstitutionFactory
from trainees.crypto import blind_index
from trainees.history_rows import COLUMNS
from trainees.models import Trainee, TraineeAccess, TrainingRecord
from trainees.selectors import trainee_list
from trainees.services.history import detect_encoding, history_import
from trainees.synthetic import write_csv

from .factories import make_id, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

TODAY = date(2026, 1, 1)
COUNTIES = ["231202", "231281"]


def synthetic(tmp_path: Path, rows: int, name="history.csv", seed=11, **kw) -> Path:
    return write_csv(tmp_path / name, rows=rows, seed=seed, counties=COUNTIES, **kw)


def read_rows(path: Path, encoding="utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.reader(f))[1:]


def load(path: Path, workers: int = 1, **kw):
    return history_import(path=path, workers=workers, today=TODAY, **kw)


def row(id_number, name="王秀英", occupation="4-10-01-05", start="2023-05-01", end="2023-05-20", county="231202"):
    return [id_number, name, occupation, "初级工", "就业技能培训", start, end, county, "", "1000", ""]


def write(path: Path, rows, header=COLUMNS, encoding="utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def snapshot() -> tuple:
    people = sorted(Trainee.objects.values_list("id_index", "name", "gender", "birth_date", "id_number_masked"))
    records = sorted(
        TrainingRecord.objects.values_list(
            "trainee__id_index", "source_ref", "occupation_id", "skill_level_id", "start_date", "end_date", "amount"
        )
    )
    return people, records


def test_a_synthetic_file_loads_every_person_and_training(tmp_path):
    path = synthetic(tmp_path, 300)
    rows = read_rows(path)
    report = load(path)
    people = {r[0] for r in rows}
    assert (report.rows, report.rejects, report.rejects_file) == (300, [], None)
    assert report.trainees_created == len(people) == Trainee.objects.count()
    assert report.records_created == 300 == TrainingRecord.objects.filter(source="history").count()
    sample = Trainee.objects.get(id_index=blind_index(rows[0][0]))
    assert (sample.id_number, sample.name) == (rows[0][0], rows[0][1])
    assert TraineeAccess.objects.filter(trainee=sample).exists()
    assert AuditEvent.objects.get(action="trainee.history_imported").details["records_created"] == 300


def test_running_the_same_file_again_changes_nothing(tmp_path):
    path = synthetic(tmp_path, 300)
    load(path)
    before = snapshot()
    again = load(path)
    assert (again.trainees_created, again.records_created, again.records_existing) == (0, 0, 300)
    assert snapshot() == before


def test_bad_rows_are_rejected_with_their_row_number_and_reason_and_good_rows_load(tmp_path):
    good_a, good_b = make_id("231202", seq=1), make_id("231281", seq=2)
    bad_check = good_a[:17] + ("0" if good_a[17] != "0" else "1")
    path = write(
        tmp_path / "mixed.csv",
        [
            row(good_a, "刘伟"),  # 2
            row(bad_check),  # 3
            row(make_id(seq=5), "王2明"),  # 4
            row(make_id(seq=7), start="2023-05-20", end="2023-05-01"),  # 5
            row(make_id(seq=9), occupation="9-99-99-99"),  # 6
            row(make_id(seq=11), county="999999"),  # 7
            row("2.31202199001011E+17"),  # 8
            row(good_b, "陈静", county="231281"),  # 9
            row(good_a, "刘强", start="2024-01-01", end="2024-01-10"),  # 10: the same ID, another name
            row(good_a, "刘伟", start="2024-03-01", end="2024-03-10"),  # 11: a second training of 刘伟
        ],
    )
    report = load(path)
    assert (report.trainees_created, report.records_created) == (2, 3)
    assert sorted(Trainee.objects.values_list("name", flat=True)) == ["刘伟", "陈静"]
    reasons = dict(report.rejects)
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 10]
    assert report.rejects_file == tmp_path / "mixed.rejected.csv"
    with report.rejects_file.open(encoding="utf-8-sig", newline="") as f:
        written = list(csv.reader(f))
    assert written[0][:3] == ["行号", "原因", "身份证号码"]
    by_row = {int(r[0]): r[1] for r in written[1:]}
    assert by_row == reasons
    assert "校验位" in by_row[3]
    assert "姓名" in by_row[4]
    assert "结束日期早于开始日期" in by_row[5]
    assert "职业编码“9-99-99-99”不存在" in by_row[6]
    assert "培训地区划代码“999999”不存在" in by_row[7]
    assert "文本" in by_row[8]
    assert "姓名" in by_row[10] and "不一致" in by_row[10]
    assert written[1][2] == bad_check  # the rejected row as it was in the file


def test_a_row_naming_a_known_institution_links_the_record_and_the_access(tmp_path, make_user):
    institution = InstitutionFactory()
    number = make_id(seq=13)
    line = row(number, "孙丽")
    line[8] = institution.credit_code.lower()
    load(write(tmp_path / "f.csv", [line, row(make_id(seq=15), "周强")]))
    record = TrainingRecord.objects.get(trainee__id_index=blind_index(number))
    assert (record.institution, record.institution_credit_code) == (institution, institution.credit_code)
    inst_user = make_user("institution", None, institution=institution, username="inst")
    assert [t.name for t in trainee_list(user=inst_user)] == ["孙丽"]


def test_a_name_that_differs_from_the_registered_person_is_rejected(tmp_path):
    number = make_id(seq=3)
    register(number, name="赵敏")
    report = load(write(tmp_path / "f.csv", [row(number, "赵明")]))
    assert report.records_created == 0
    assert [r for r, _ in report.rejects] == [2]
    assert Trainee.objects.get().name == "赵敏"


def test_a_gbk_file_is_read(tmp_path):
    path = synthetic(tmp_path, 60, encoding="gbk")
    assert detect_encoding(path) == "gb18030"
    rows = read_rows(path, encoding="gbk")
    report = load(path)
    assert (report.rows, report.rejects, report.records_created) == (60, [], 60)
    assert set(Trainee.objects.values_list("name", flat=True)) == {r[1] for r in rows}


def test_a_missing_column_is_named(tmp_path):
    header = [c for c in COLUMNS if c != "职业编码"]
    with pytest.raises(DomainError, match="缺少列：职业编码"):
        load(write(tmp_path / "f.csv", [], header=header))


def test_a_file_with_only_the_header_is_refused(tmp_path):
    with pytest.raises(DomainError, match="没有数据行"):
        load(write(tmp_path / "f.csv", []))
    assert not AuditEvent.objects.filter(action="trainee.history_imported").exists()


def test_the_number_of_queries_does_not_grow_with_the_rows(tmp_path):
    counts = []
    for seed, rows in ((1, 50), (2, 500)):
        path = synthetic(tmp_path, rows, name=f"h{rows}.csv", seed=seed)
        with CaptureQueriesContext(connection) as queries:
            report = load(path)
        assert report.records_created == rows
        counts.append(len(queries))
    assert counts[1] <= counts[0]


class Rollback(Exception):
    pass


def test_two_workers_give_the_same_result_as_one(tmp_path):
    path = synthetic(tmp_path, 400)
    with pytest.raises(Rollback), transaction.atomic():
        one = load(path, workers=1)
        inline = snapshot()
        raise Rollback
    assert Trainee.objects.count() == 0
    two = load(path, workers=2)
    assert snapshot() == inline
    assert (two.rows, two.trainees_created, two.records_created, two.rejects) == (
        one.rows,
        one.trainees_created,
        one.records_created,
        one.rejects,
    )


def test_the_management_command_imports_a_file(tmp_path):
    path = synthetic(tmp_path, 120)
    out = io.StringIO()
    call_command("import_history", str(path), "--quiet", stdout=out)  # two worker processes by default
    assert "读取 120 行" in out.getvalue() and "新增培训记录 120 条" in out.getvalue()
    assert TrainingRecord.objects.count() == 120
    assert Trainee.objects.count() == len({r[0] for r in read_rows(path)})
