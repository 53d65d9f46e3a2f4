"""import_history's 人员类别 column: the groups a person belonged to in each migrated training, by name or code,
several in one cell; an unknown one is refused naming the allowed values."""

from datetime import date
from pathlib import Path

import pytest

from catalog.models import TraineeCategory
from trainees.crypto import blind_index
from trainees.history_rows import COLUMNS
from trainees.models import TrainingRecord, TrainingRecordGroup
from trainees.services.history import history_import

from .factories import make_id
from .test_history_import import row, write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

TODAY = date(2026, 1, 1)


def load(path: Path):
    return history_import(path=path, workers=1, today=TODAY)


def groups_of(id_number: str) -> list[list[str]]:
    """Each record's (primary category, groups in the catalog's order) of one person, by start date."""
    records = TrainingRecord.objects.filter(trainee__id_index=blind_index(id_number)).order_by("start_date")
    return [
        [r.category.name if r.category else None, *(g.name for g in r.groups.order_by("sort_order"))]
        for r in records.select_related("category")
    ]


def with_groups(id_number, groups: str, **kw) -> list[str]:
    return [*row(id_number, **kw), groups]


def test_a_cell_naming_several_groups_gives_the_record_all_of_them_by_name_or_code(tmp_path):
    one, two, three = (make_id("231202", date(1980, 1, n)) for n in (1, 2, 3))
    path = write(
        tmp_path / "h.csv",
        [
            with_groups(one, "脱贫人口、农民工"),
            with_groups(two, "registered_unemployed; 高校毕业生，农民工"),
            with_groups(three, ""),
            with_groups(three, "农民工,农民工", start="2023-06-01", end="2023-06-10"),
        ],
    )
    report = load(path)

    assert report.rejects == [] and report.records_created == 4
    first = TraineeCategory.objects.order_by("sort_order", "code").first().name
    assert first == "农民工"  # the catalog's first group: the primary category when present
    assert groups_of(one) == [["农民工", "农民工", "脱贫人口"]]
    assert groups_of(two) == [["农民工", "农民工", "高校毕业生", "登记失业人员"]]
    assert groups_of(three) == [[None], ["农民工", "农民工"]]


def test_an_unknown_group_rejects_the_row_listing_the_allowed_values(tmp_path):
    good, bad = make_id("231202", date(1980, 2, 1)), make_id("231202", date(1980, 2, 2))
    path = write(tmp_path / "h.csv", [with_groups(good, "农民工"), with_groups(bad, "农民工、外星人")])
    report = load(path)

    allowed = "、".join(TraineeCategory.objects.order_by("sort_order", "code").values_list("name", flat=True))
    assert report.rejects == [(3, f"人员类别“外星人”不存在，应为以下之一（多个用“、”分隔）：{allowed}")]
    assert report.records_created == 1 and TrainingRecordGroup.objects.count() == 1


def test_a_file_without_the_column_still_loads_with_no_groups(tmp_path):
    someone = make_id("231202", date(1980, 3, 1))
    report = load(write(tmp_path / "h.csv", [row(someone)], header=COLUMNS[:-1]))

    assert report.records_created == 1 and groups_of(someone) == [[None]]


def test_re_running_a_file_with_the_column_fills_in_records_loaded_without_groups_and_changes_nothing_more(tmp_path):
    someone, other = make_id("231202", date(1980, 4, 1)), make_id("231202", date(1980, 4, 2))
    load(write(tmp_path / "old.csv", [row(someone), row(other)], header=COLUMNS[:-1]))
    TrainingRecordGroup.objects.create(
        record=TrainingRecord.objects.get(trainee__id_index=blind_index(other)),
        category=TraineeCategory.objects.get(code="veteran"),
    )
    again = write(tmp_path / "new.csv", [with_groups(someone, "农民工、脱贫人口"), with_groups(other, "农民工")])

    report = load(again)
    assert (report.records_created, report.records_existing) == (0, 2)
    assert groups_of(someone) == [["农民工", "农民工", "脱贫人口"]]
    assert groups_of(other) == [[None, "退役军人"]]  # groups already recorded are kept as they were
    before = sorted(TrainingRecordGroup.objects.values_list("record_id", "category_id"))
    load(again)
    assert sorted(TrainingRecordGroup.objects.values_list("record_id", "category_id")) == before


def test_the_persons_page_shows_the_groups_of_each_training(tmp_path, client, county_user):
    someone = make_id("231202", date(1980, 5, 1))
    load(write(tmp_path / "h.csv", [with_groups(someone, "农民工、脱贫人口")]))
    client.force_login(county_user)
    trainee = TrainingRecord.objects.get(trainee__id_index=blind_index(someone)).trainee
    page = client.get(f"/trainees/{trainee.pk}/").content.decode()
    assert 'data-testid="record-groups">农民工、脱贫人口</td>' in page
