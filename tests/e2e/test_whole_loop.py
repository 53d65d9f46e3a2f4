"""The whole loop in the demo world, by a new user following only the pages, in a browser at 1366×768: the
institution applies for a class (timetable by pattern, roster from Excel), the county approves it, the class runs
(manual attendance, results, 结业), the institution claims, the county approves the clean lines and publishes the
notice, the notice ends and beat's jobs approve the claim, finance settles it, and the province's dashboard counts
the class's trainees.

The clock of the whole process (the live server's thread too) is moved forward with time-machine, never back from
real now, as the days of the class and of the notice go by; after a jump the server has expired the browser's
session (idle timeout), so each step signs in afresh. Celery runs inline, as in embedded mode; what beat would have
started by then is run by run_scheduled_jobs()."""

import io
import re
import time
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

import pytest
import time_machine
from celery import current_app
from django.conf import settings
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from playwright.sync_api import expect

from core.importing import export_xlsx
from tests.trainees.factories import make_id
from training.services.roster import COLUMNS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Peixun@2026"  # the demo users' password (README)
OCCUPATION = "养老护理员"  # 绥化市公共实训基地's 120-hour program (institutions/demo.py)
PERIODS = "08:30-11:30\n13:30-16:30"  # 4 + 4 class hours a day (45 minutes each): 15 weekdays make 120
WEEKS = 3
DAYS = 5 * WEEKS
SESSIONS = 2 * DAYS
PER_DAY = 100  # 绥化市's standard: 100 元 a person a day of at least 6 class hours (subsidies/demo.py)
PEOPLE = [
    ("周晓光", make_id(born=date(1986, 4, 12), seq=71), "13945171001"),
    ("吴建华", make_id(born=date(1991, 9, 3), seq=82), "13945171002"),
    ("郑丽娟", make_id(born=date(1979, 1, 25), seq=94), "13945171003"),
]
INDICATOR = "全省每年开展各类职业技能培训"  # all_training of the current Heilongjiang plan: completed enrollments
BANK_REFERENCE = "STL-LOOP-0001"


class Clicks:
    """Counts the user's clicks (form fills and file choices are not clicks)."""

    def __init__(self):
        self.n = 0

    def __call__(self, locator):
        self.n += 1
        locator.click()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """`hour` o'clock local time (Asia/Shanghai) on `day`, in UTC (time-machine then leaves TZ alone)."""
    return timezone.make_aware(datetime.combine(day, clock_time(hour, minute))).astimezone(UTC)


def class_dates(today: date) -> tuple[date, date]:
    """A Monday at least three days ahead, to the Friday WEEKS weeks on."""
    start = today + timedelta(days=3)
    start += timedelta(days=-start.weekday() % 7)
    return start, start + timedelta(weeks=WEEKS - 1, days=4)


def run_scheduled_jobs() -> None:
    """What beat would have started by now in embedded mode: every task of CELERY_BEAT_SCHEDULE, inline."""
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        current_app.tasks[entry["task"]].apply().get()  # .get() raises what the task raised


def roster_file(path) -> str:
    rows = [[name, number, phone, "农民工", "北林区", "初中", "失业"] for name, number, phone in PEOPLE]
    path.write_bytes(export_xlsx(COLUMNS, rows))
    return str(path)


@pytest.fixture
def demo(reference_data):
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def user(page, live_server, sign_in):
    """Signs in as a demo user from a fresh browser session (a jump in time ends the old one) on the 工作台."""

    def go(username: str):
        page.context.clear_cookies()
        sign_in(username, PASSWORD)
        expect(page.get_by_test_id("home-title")).to_be_visible()

    return go


def menu(page, click, name: str):
    """A sidebar entry; its name may end with the count of what waits there (拨付 待办 2)."""
    click(page.get_by_test_id("sidebar").get_by_role("link", name=re.compile(rf"^{name}( 待办 \d+)?$")))


# --- the steps ------------------------------------------------------------------------------------------------


def trainees_counted(page, click, year: int) -> int:
    """The province's dashboard, the year of the class: what the indicator table says was done."""
    menu(page, click, "进度看板")
    year_select = page.get_by_label("年度（年度指标）")
    if year_select.input_value() != str(year):
        year_select.select_option(str(year))
        expect(page).to_have_url(re.compile(rf"year={year}"))
    row = page.get_by_test_id("indicator-table").get_by_role("row").filter(has_text=INDICATOR)
    return int(row.get_by_role("cell").nth(3).inner_text())


def apply_for_class(page, click, name: str, start: date, end: date, roster: str) -> None:
    menu(page, click, "培训班")
    click(page.get_by_role("link", name="开班申请"))
    programs = page.get_by_label("培训项目")
    programs.select_option(programs.locator("option", has_text=OCCUPATION).get_attribute("value"))
    page.get_by_label("班级名称").fill(name)
    page.get_by_label("开班日期").fill(start.isoformat())
    page.get_by_label("结业日期").fill(end.isoformat())
    page.get_by_label("计划人数").fill("20")
    click(page.get_by_role("button", name="保存"))
    expect(page.get_by_test_id("class-status")).to_have_text("草稿")

    click(page.get_by_test_id("timetable-pattern-link"))
    pattern = page.get_by_test_id("pattern-form")
    expect(pattern.get_by_label("开始日期")).to_have_value(start.isoformat())  # the class's dates, Monday–Friday
    expect(pattern.get_by_label("结束日期")).to_have_value(end.isoformat())
    pattern.get_by_label("每天的时段").fill(PERIODS)
    pattern.get_by_label("类型").select_option(label="实操")
    pattern.get_by_label("授课教师").select_option(label="李红梅")
    pattern.get_by_label("上课地点").select_option(label="实训楼一层")
    click(page.get_by_test_id("pattern-preview"))
    preview = page.get_by_test_id("timetable-preview")
    expect(preview.get_by_test_id("preview-hours")).to_contain_text(f"将生成 {SESSIONS} 节课，共 120 课时")
    expect(preview.get_by_test_id("preview-hours")).to_contain_text("与标准课时相符")
    expect(preview.get_by_test_id("preview-conflicts")).to_have_count(0)
    click(page.get_by_test_id("confirm"))
    expect(page.get_by_role("alert").filter(has_text=f"已生成 {SESSIONS} 节课")).to_be_visible()
    expect(page.get_by_test_id("timetable").locator("tbody tr")).to_have_count(SESSIONS)

    page.get_by_label("花名册文件").set_input_files(roster)
    click(page.get_by_role("button", name="上传花名册"))
    expect(page.get_by_test_id("job-done")).to_have_text(f"花名册已导入 {len(PEOPLE)} 人。")
    expect(page.get_by_test_id("roster-table").locator("tbody tr")).to_have_count(len(PEOPLE))
    click(page.get_by_test_id("submit-class"))
    expect(page.get_by_test_id("class-status")).to_have_text("待审批")


def approve_class(page, click, name: str) -> None:
    card = page.get_by_test_id("todo-class_approvals")
    click(card.get_by_test_id("todo-item").filter(has_text=name))
    expect(page.get_by_test_id("class-name")).to_have_text(name)
    expect(page.get_by_test_id("approval-problems")).to_have_count(0)
    decision = page.get_by_test_id("decision-form")
    decision.get_by_label("审批意见").fill("材料齐全，同意开班。")
    click(decision.get_by_role("button", name="批准", exact=True))
    expect(page.get_by_test_id("class-status")).to_have_text("已批准")


def open_class(page, click, name: str) -> None:
    menu(page, click, "培训班")
    click(page.get_by_role("link", name=name, exact=True))
    expect(page.get_by_test_id("class-name")).to_have_text(name)


def start_class(page, click, name: str) -> None:
    open_class(page, click, name)
    click(page.get_by_role("button", name="开班", exact=True))
    expect(page.get_by_test_id("class-status")).to_have_text("培训中")


def record_attendance_and_results(page, click, name: str) -> None:
    """Every person at every session, by hand (the ＋ of each cell), then each person's result, then 结业."""
    open_class(page, click, name)
    marks = page.get_by_test_id("roster-table").get_by_title("手工补录")
    left = len(PEOPLE) * SESSIONS
    expect(marks).to_have_count(left)
    while left:
        click(marks.first)
        left -= 1
        expect(marks).to_have_count(left)
    rows = page.get_by_test_id("roster-table").locator("tbody tr")
    for n in range(len(PEOPLE)):
        expect(rows.nth(n)).to_contain_text("120 课时 · 100%")
    for n in range(len(PEOPLE)):
        row = rows.nth(n)
        row.get_by_label("考核结果").select_option(label="合格")
        row.get_by_label("成绩").fill(str(90 - n))
        with page.expect_navigation():  # the page reloads with the result saved
            click(row.get_by_role("button", name="保存"))
        expect(page.get_by_role("alert").filter(has_text="已登记考核结果")).to_be_visible()
        expect(page.get_by_test_id("roster-table").locator("tbody tr").nth(n).get_by_label("成绩")).to_have_value(
            f"{90 - n}.0"
        )
    click(page.get_by_role("button", name="结业", exact=True))
    expect(page.get_by_test_id("class-status")).to_have_text("已结业")


def file_claim(page, click, name: str) -> None:
    menu(page, click, "补贴申请")
    claimable = page.get_by_test_id("claimable-classes").get_by_role("listitem").filter(has_text=name)
    click(claimable.get_by_role("button", name="申请补贴"))
    expect(page.get_by_test_id("claim-status")).to_have_text("草稿")
    expect(page.get_by_test_id("line-row")).to_have_count(len(PEOPLE))
    click(page.get_by_test_id("submit-claim"))  # verification is queued on commit and runs inline
    expect(page.get_by_role("alert").filter(has_text="已提交")).to_be_visible()
    page.reload()
    expect(page.get_by_test_id("claim-status")).to_have_text("已核验")


def review_and_publish(page, click, name: str) -> date:
    """The county approves every person without findings in one click and publishes; returns the notice's end."""
    card = page.get_by_test_id("todo-claims_to_review")
    click(card.get_by_test_id("todo-item").filter(has_text=name))
    expect(page.get_by_test_id("line-findings")).to_have_text(["无"] * len(PEOPLE))
    click(page.get_by_test_id("approve-clean"))
    expect(page.get_by_role("alert").filter(has_text=f"已通过 {len(PEOPLE)} 名无核验发现的人员")).to_be_visible()
    click(page.get_by_test_id("send-to-notice"))
    expect(page.get_by_test_id("claim-status")).to_have_text("公示中")
    ends = re.search(r"公示截止\s*(\d+)年(\d+)月(\d+)日", page.get_by_test_id("claim-notice").inner_text())
    return date(*map(int, ends.groups()))


def settle(page, click, name: str, amount: str) -> None:
    menu(page, click, "拨付")
    payable = page.get_by_test_id("payable-claims").get_by_role("row").filter(has_text=name)
    expect(payable).to_contain_text(amount)
    click(payable.get_by_role("link", name="登记清算"))
    form = page.get_by_test_id("payment-form")
    form.get_by_label("银行流水号").fill(BANK_REFERENCE)
    click(form.get_by_role("button", name="登记"))
    expect(page.get_by_role("alert").filter(has_text=f"已登记清算 {amount} 元")).to_be_visible()
    recorded = page.get_by_test_id("payment-table").get_by_role("row").filter(has_text=BANK_REFERENCE)
    click(recorded.get_by_role("link", name=name))
    expect(page.get_by_test_id("claim-status")).to_have_text("已结算")
    expect(page.get_by_test_id("claim-payments")).to_contain_text(BANK_REFERENCE)


# --- the loop -------------------------------------------------------------------------------------------------


def test_a_new_user_runs_the_whole_loop_from_class_application_to_settlement_and_sees_it_on_the_dashboard(
    page, user, demo, screenshot, tmp_path
):
    page.set_viewport_size({"width": 1366, "height": 768})
    click = Clicks()
    started = time.monotonic()
    start, end = class_dates(timezone.localdate())
    name = f"{start.year}年北林区养老护理员（五级）全流程培训班"
    per_person = f"{DAYS * PER_DAY}.00"  # every day attended
    total = f"{len(PEOPLE) * DAYS * PER_DAY}.00"

    with time_machine.travel(timezone.now(), tick=True) as traveller:
        user("province")
        counted_before = trainees_counted(page, click, end.year)

        user("institution")
        apply_for_class(page, click, name, start, end, roster_file(tmp_path / "花名册.xlsx"))
        screenshot("whole_loop_1_applied")

        user("beilin")
        approve_class(page, click, name)
        screenshot("whole_loop_2_approved")

        traveller.move_to(at(start, 8))  # the first morning
        user("institution")
        start_class(page, click, name)

        traveller.move_to(at(end, 17))  # the last afternoon, after the last session
        user("institution")
        record_attendance_and_results(page, click, name)
        screenshot("whole_loop_3_completed")
        file_claim(page, click, name)
        expect(page.get_by_test_id("line-amount").first).to_contain_text(per_person)
        screenshot("whole_loop_4_claimed")

        user("beilin")
        notice_ends = review_and_publish(page, click, name)
        screenshot("whole_loop_5_notice")

        traveller.move_to(at(notice_ends + timedelta(days=1), 2))  # the night after the notice ends
        run_scheduled_jobs()
        user("finance")
        settle(page, click, name, total)
        screenshot("whole_loop_6_settled")

        user("province")
        counted_after = trainees_counted(page, click, end.year)
        screenshot("whole_loop_7_dashboard")

    assert counted_after == counted_before + len(PEOPLE)
    print(
        f"\nwhole loop: {click.n} clicks ({len(PEOPLE) * SESSIONS} of them attendance), "
        f"{time.monotonic() - started:.0f} s"
    )
