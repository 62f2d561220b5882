"""Browser tests that the main pages work at tablet size, by keyboard and with labelled fields."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import LiveServer

pytestmark = pytest.mark.e2e

TABLET = {"width": 820, "height": 1180}
LAYOUT_PATIENT = 6  # only read by these tests

PAGE_WIDTH_JS = "() => [document.documentElement.scrollWidth, window.innerWidth]"

# (who, path) for each main page; "{patient}" stands for a demo patient's id.
MAIN_PAGES = [
    ("frontdesk", "/patients"),
    ("frontdesk", "/patients/new"),
    ("nurse", "/patients/{patient}"),
    ("admin", "/patients/{patient}"),
    ("frontdesk", "/patients/{patient}/edit"),
    ("nurse", "/account"),
    ("nurse", "/account/mfa"),
    ("admin", "/admin/users"),
    ("admin", "/admin/audit"),
]


def _url(path: str, live_server: LiveServer) -> str:
    return path.format(patient=live_server.patient_ids[LAYOUT_PATIENT])


@pytest.mark.parametrize(("handle", "path"), MAIN_PAGES)
def test_every_field_on_a_main_page_has_a_label(
    signed_in: Callable[..., Page],
    live_server: LiveServer,
    unlabelled_fields: Callable[[Page], tuple[int, list[str]]],
    handle: str,
    path: str,
) -> None:
    page = signed_in(handle, _url(path, live_server))
    expect(page.locator("main h1")).to_be_visible()

    checked, unlabelled = unlabelled_fields(page)

    assert unlabelled == []
    assert checked > 0 or path == "/admin/audit"


def test_login_page_fields_have_labels(
    page: Page, unlabelled_fields: Callable[[Page], tuple[int, list[str]]]
) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", name="Sign in to OpenKAP")).to_be_visible()

    assert unlabelled_fields(page) == (2, [])


def test_patient_list_fits_a_tablet_screen(signed_in: Callable[..., Page]) -> None:
    page = signed_in("frontdesk", "/patients", viewport=TABLET)

    table = page.locator("#results table")
    expect(table).to_be_visible()
    expect(table.get_by_role("columnheader", name="Name")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Phone")).to_be_in_viewport()
    scroll_width, inner_width = page.evaluate(PAGE_WIDTH_JS)
    assert scroll_width <= inner_width


@pytest.mark.parametrize(("handle", "path"), MAIN_PAGES)
def test_main_page_has_no_horizontal_overflow_on_a_tablet(
    signed_in: Callable[..., Page], live_server: LiveServer, handle: str, path: str
) -> None:
    page = signed_in(handle, _url(path, live_server), viewport=TABLET)
    expect(page.locator("main h1")).to_be_visible()

    scroll_width, inner_width = page.evaluate(PAGE_WIDTH_JS)

    assert scroll_width <= inner_width


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(
    signed_in: Callable[..., Page],
) -> None:
    page = signed_in("nurse", "/patients")
    expect(page.get_by_role("heading", name="Patients", level=1)).to_be_visible()

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="New patient")).to_be_focused()
