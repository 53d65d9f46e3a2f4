import re
from datetime import time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.importing import export_xlsx
from tests.accounts.factories import PASSWORD
from tests.institutions.factories import DesignatedInstitutionFactory, ProgramFactory
from tests.trainees.factories import make_id
from training.models import ClassStatus, TrainingClass
from training.services import classes
from training.services.roster import COLUMNS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NAME = "2026年第9期养老护理员（五级）培训班"
GOOD = [("周晓光", make_id(seq=4)), ("吴建华", make_id(seq=5)), ("郑丽娟", make_id(seq=6))]


def roster_file(path, people):
    rows = [[name, number, "", "农民工", "北林区", "初中", "失业"] for name, number in people]
    path.write_bytes(export_xlsx(COLUMNS, rows))
    return str(path)


def test_institution_applies_fixes_its_roster_submits_and_the_county_approves(
    page, live_server, sign_in, make_user, reference_data, screenshot, tmp_path
):
    institution = DesignatedInstitutionFactory(name="北林区旅程职业技能培训学校")
    program = ProgramFactory(institution=institution, theory_hours=4, practice_hours=4)
    owner = make_user("institution", None, institution=institution, username="lvcheng")
    staff = make_user("county", "231202", username="beilin-staff")
    start = timezone.localdate() + timedelta(days=14)

    sign_in(owner.username, PASSWORD)
    page.goto(f"{live_server.url}/classes/new/")
    page.get_by_label("培训项目").select_option(value=str(program.pk))
    page.get_by_label("班级名称").fill(NAME)
    page.get_by_label("开班日期").fill(start.isoformat())
    page.get_by_label("结业日期").fill((start + timedelta(days=1)).isoformat())
    page.get_by_label("计划人数").fill("20")
    page.get_by_role("button", name="保存").click()
    expect(page).to_have_url(re.compile(r"/classes/\d+/$"))
    expect(page.get_by_test_id("class-status")).to_have_text("草稿")

    training_class = TrainingClass.objects.get(name=NAME)
    for offset, kind in ((0, "theory"), (1, "practice")):
        classes.session_add(
            actor=owner,
            training_class=training_class,
            date=start + timedelta(days=offset),
            start_time=time(8, 0),
            end_time=time(11, 0),
            kind=kind,
            hours=4,
        )
    page.reload()
    expect(page.get_by_test_id("timetable").locator("tbody tr")).to_have_count(2)

    bad_check = GOOD[1][1][:-1] + ("1" if GOOD[1][1][-1] != "1" else "2")
    bad = [GOOD[0], (GOOD[1][0], bad_check), ("郑丽娟2", GOOD[2][1])]
    page.set_input_files("#id_roster_file", roster_file(tmp_path / "花名册.xlsx", bad))
    page.get_by_role("button", name="上传花名册").click()
    errors = page.get_by_test_id("roster-errors")
    expect(errors).to_contain_text("发现 2 处错误")
    expect(errors.locator("tbody tr").nth(0).locator("td")).to_have_text(["3", "身份证号码", re.compile("校验位")])
    expect(errors.locator("tbody tr").nth(1).locator("td")).to_have_text(["4", "姓名", "姓名不能包含数字。"])
    expect(page.get_by_test_id("roster-table")).to_contain_text("花名册为空。")

    page.set_input_files("#id_roster_file", roster_file(tmp_path / "花名册（修改后）.xlsx", GOOD))
    page.get_by_role("button", name="上传花名册").click()
    expect(page.get_by_test_id("job-done")).to_have_text("花名册已导入 3 人。")
    expect(page.get_by_test_id("roster-errors")).to_have_count(0)
    roster_rows = page.get_by_test_id("roster-table").locator("tbody tr")
    expect(roster_rows).to_have_count(3)
    expect(roster_rows.first).to_contain_text(f"{GOOD[0][1][:6]}***********{GOOD[0][1][-1]}")
    expect(page.get_by_test_id("roster-table")).not_to_contain_text(GOOD[0][1])

    page.get_by_test_id("submit-class").click()
    expect(page.get_by_test_id("class-status")).to_have_text("待审批")

    page.get_by_role("button", name="退出").click()
    sign_in(staff.username, PASSWORD)
    page.goto(f"{live_server.url}/classes/queue/")
    page.get_by_test_id("queue-table").get_by_role("link", name=NAME).click()
    decision = page.get_by_test_id("decision-form")
    expect(page.get_by_test_id("approval-problems")).to_have_count(0)
    decision.get_by_label("审批意见").fill("材料齐全，同意开班。")
    decision.get_by_role("button", name="批准", exact=True).click()
    expect(page.get_by_test_id("class-status")).to_have_text("已批准")
    expect(page.get_by_test_id("class-history")).to_contain_text("待审批 → 已批准")

    assert TrainingClass.objects.get(pk=training_class.pk).status == ClassStatus.APPROVED
    screenshot()
