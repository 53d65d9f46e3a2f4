"""The monthly report (月报): a row per child unit and 市本级 with target, done this month, done to date, share
of target and of the period, checked against a direct count of the ledger; archived by the task, listed and
downloadable for in-scope users only."""

import io
from datetime import date

import openpyxl
import pytest

from core.clock import replaying as clock
from indicators.models import MonthlyReport, Plan
from indicators.selectors.reports import monthly_reports_due
from indicators.services.plans import plans_load
from indicators.services.reports import monthly_report_build
from indicators.services.rollups import progress_recompute_all
from indicators.services.workbooks import REPORT_HEADERS
from indicators.tasks import build_last_month_reports, build_monthly_report
from tests.indicators.factories import ledger, person, region
from trainees.models import TrainingRecord

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

OCTOBER = date(2019, 10, 1)
ELAPSED = 303 / 364  # 31 Oct 2019 in 2019


@pytest.fixture
def suihua_2019(reference_data):
    """The seed plan; 北林区 3 in September and 5 in October, 安达市 2 in October, 4 placed at the city itself
    (市本级) in October, and 2 in November (after the report's month)."""
    plans_load()
    someone = person()
    ledger(someone, county="231202", end=date(2019, 9, 12), count=3)
    ledger(someone, county="231202", end=date(2019, 10, 12), count=5)
    ledger(someone, county="231281", end=date(2019, 10, 31), count=2)
    ledger(someone, county="2312", end=date(2019, 10, 5), count=4)
    ledger(someone, county="231202", end=date(2019, 11, 1), count=2)
    progress_recompute_all()
    return Plan.objects.get(code="suihua-2019")


def rows_of(report: MonthlyReport) -> dict:
    sheet = openpyxl.load_workbook(report.file.open("rb")).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[1]) == REPORT_HEADERS
    return {r[0]: list(r[1:]) for r in rows[2:]}


def direct(prefix: str, first: date, last: date) -> int:
    return TrainingRecord.objects.filter(county__code__startswith=prefix, end_date__range=(first, last)).count()


def test_the_city_report_has_a_row_per_county_and_city_own_with_the_counted_numbers(suihua_2019):
    rows = rows_of(monthly_report_build(region=region("2312"), plan=suihua_2019, month=OCTOBER))

    assert len(rows) == 10 + 1 + 1
    assert rows["北林区"] == pytest.approx([1360, 5, 8, 8 / 1360, ELAPSED])
    assert rows["安达市"] == pytest.approx([750, 2, 2, 2 / 750, ELAPSED])
    assert rows["明水县"] == pytest.approx([200, 0, 0, 0, ELAPSED])
    assert rows["市本级"] == pytest.approx([1254, 4, 4, 4 / 1254, ELAPSED])
    assert rows["合计"] == pytest.approx([8000, 11, 14, 14 / 8000, ELAPSED])
    assert rows["北林区"][1:3] == [
        direct("231202", OCTOBER, date(2019, 10, 31)),
        direct("231202", date(2019, 1, 1), date(2019, 10, 31)),
    ]
    assert rows["合计"][1:3] == [
        direct("2312", OCTOBER, date(2019, 10, 31)),
        direct("2312", date(2019, 1, 1), date(2019, 10, 31)),
    ]


def test_a_county_report_has_only_its_total(suihua_2019):
    rows = rows_of(monthly_report_build(region=region("231202"), plan=suihua_2019, month=OCTOBER))

    assert rows == {"合计": pytest.approx([1360, 5, 8, 8 / 1360, ELAPSED])}


def test_the_task_archives_the_report_and_the_monthly_beat_builds_last_months(suihua_2019):
    pk = build_monthly_report.delay(region("2312").pk, suihua_2019.pk, "2019-10-01").get()

    report = MonthlyReport.objects.get(pk=pk)
    assert (report.region.code, report.plan, report.month) == ("2312", suihua_2019, OCTOBER)
    assert rows_of(report)["合计"][1:3] == [11, 14]
    assert monthly_reports_due(date(2019, 11, 1)) == [(region("2312").pk, suihua_2019.pk)]
    with clock(date(2019, 12, 1)):
        assert build_last_month_reports() == 1
    assert rows_of(MonthlyReport.objects.get(month=date(2019, 11, 1)))["北林区"][1:3] == [2, 10]


def test_the_report_is_listed_and_downloadable_for_in_scope_users_only(client, suihua_2019, make_user):
    report = monthly_report_build(region=region("2312"), plan=suihua_2019, month=OCTOBER)
    users = {
        "province": (make_user("province", "23"), True),
        "city": (make_user("city", "2312"), True),
        "other city": (make_user("city", "2301"), False),
        "county": (make_user("county", "231202"), False),
    }

    for name, (user, sees) in users.items():
        client.force_login(user)
        listed = [r.pk for r in client.get("/dashboard/reports/").context["page"]]
        download = client.get(f"/dashboard/reports/{report.pk}/download/")
        api = [r["id"] for r in client.get("/api/monthly-reports/").json()["results"]]
        assert (listed == [report.pk], download.status_code, api == [report.pk]) == (
            sees,
            200 if sees else 404,
            sees,
        ), name
        if sees:
            book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
            assert book.worksheets[0].cell(row=2, column=1).value == "单位"
