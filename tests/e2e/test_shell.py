"""The application shell at the widths people work at: at 1366 and 1440 px the sidebar's entries stay on one line
each and the top bar on one row; the sidebar collapses and stays collapsed; below 992 px it opens as a panel.
No serious or critical axe violation on the 工作台."""

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD
from tests.subsidies.factories import World
from tests.training.factories import ready_class, submit

from .axe import violations

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def county(reference_data):
    world = World.make()
    submit(ready_class(world.program, world.owner), world.owner)  # something waiting: a count in the sidebar
    return world.bureau


def one_line_each(page) -> list[str]:
    """The sidebar entries whose text wraps (taller than one line of their font)."""
    return page.eval_on_selector_all(
        '[data-testid="sidebar"] .nav-link',
        """links => links.filter(a => {
            const line = parseFloat(getComputedStyle(a).lineHeight) || 24;
            const padding = parseFloat(getComputedStyle(a).paddingTop) + parseFloat(getComputedStyle(a).paddingBottom);
            return a.getBoundingClientRect().height > line * 1.5 + padding;
        }).map(a => a.textContent.trim())""",
    )


@pytest.mark.parametrize("width", [1366, 1440])
def test_the_shell_does_not_wrap(page, live_server, sign_in, county, screenshot, width):
    page.set_viewport_size({"width": width, "height": 768})
    sign_in(county.username, PASSWORD)
    expect(page.get_by_test_id("todo-class_approvals")).to_be_visible()
    assert one_line_each(page) == []
    bar = page.locator("header.app-topbar").bounding_box()
    assert bar["height"] < 64, bar
    badge = page.get_by_test_id("sidebar").get_by_test_id("nav-badge").first
    expect(badge).to_contain_text("1")
    assert violations(page) == []
    screenshot(f"workbench_county_{width}")


def test_the_sidebar_collapses_and_stays_collapsed(page, live_server, sign_in, county):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(county.username, PASSWORD)
    sidebar = page.get_by_test_id("sidebar")
    expect(sidebar).to_be_visible()
    page.get_by_role("button", name="收起或展开菜单").click()
    expect(sidebar).to_be_hidden()
    page.reload()
    expect(sidebar).to_be_hidden()
    page.get_by_role("button", name="收起或展开菜单").click()
    expect(sidebar).to_be_visible()


def test_on_a_tablet_the_menu_opens_as_a_panel(page, live_server, sign_in, county):
    page.set_viewport_size({"width": 820, "height": 1180})
    sign_in(county.username, PASSWORD)
    sidebar = page.get_by_test_id("sidebar")
    expect(sidebar).to_be_hidden()
    page.get_by_role("button", name="打开菜单").click()
    expect(sidebar).to_be_visible()
    sidebar.get_by_role("link", name="开班审批").click()
    expect(page).to_have_url(f"{live_server.url}/classes/queue/")


def test_the_skip_link_takes_the_keyboard_to_the_page(page, live_server, sign_in, county):
    page.set_viewport_size({"width": 1366, "height": 768})
    sign_in(county.username, PASSWORD)
    expect(page.get_by_test_id("todos")).to_be_visible()  # the 工作台 loaded: focus starts at the top again
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_axe_check_sees_a_planted_violation(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')")
    assert any(v.startswith("label (critical)") for v in violations(page))
