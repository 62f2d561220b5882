"""Browser test of a stopped esketamine session reconciled at the chair: the nurse stops after
device 1, discharge is held until the undelivered device is accounted for, a witness who types a
wrong password is refused beside the field, and the unopened device goes back to stock.
"""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from openkap.accounts.demo import demo_email
from tests.e2e.conftest import DemoClinic
from tests.e2e.test_chair_iv import (
    TABLET,
    answer_checklist,
    checked_in_session,
    choose_lot,
    ready_course,
    record_vitals,
    state,
    stock_lot,
)

pytestmark = pytest.mark.e2e


def _stop_after_device_one(page: Page) -> None:
    page.get_by_role("button", name="Device 1 given").click()
    expect(page.locator("#device-1")).to_contain_text("Jordan Lee, RN")
    page.locator("summary", has_text="Stop early").click()
    stop = page.locator("#form-infusion-stop")
    stop.get_by_label("Reason (at least 10 characters)").fill("Severe nausea after device 1.")
    stop.get_by_role("button", name="Stop early").click()


def test_a_stopped_esketamine_session_is_reconciled_before_discharge(
    demo_clinic: DemoClinic, signed_in: Callable[..., Page]
) -> None:
    episode = ready_course(demo_clinic, template_key="intranasal_esketamine", rems_enrolled=True)
    lot = stock_lot(demo_clinic, drug="esketamine", mg="280")
    session_id = checked_in_session(demo_clinic, episode)
    page = signed_in("nurse", f"/dosing-sessions/{session_id}", **TABLET)
    is_now = state(page)
    answer_checklist(page, weight=None)
    record_vitals(page, 126, 80, 70, 98, 14)
    page.get_by_role("button", name="Start dosing").click()
    is_now("dosing")
    choose_lot(page, lot)
    page.get_by_role("button", name="Record the dose").click()
    expect(page.locator("#devices tbody tr")).to_have_count(2)

    _stop_after_device_one(page)
    is_now("monitoring")
    expect(page.locator("#remainder-due")).to_contain_text("1 device(s) not given (28 mg)")
    expect(page.locator("#unmet-criteria")).to_contain_text("the administration was stopped early")

    form = page.locator("#form-remainder")
    form.get_by_label("What became of it").select_option("wasted")
    form.get_by_label("Witness e-mail").fill(demo_email("prescriber"))
    form.get_by_label("Witness password").fill("not the password")
    form.get_by_role("button", name="Reconcile the remainder").click()
    expect(page.locator("#e-remainder-witness_password")).to_contain_text(
        "The witness could not confirm who they are"
    )
    expect(page.locator("#f-remainder-witness_password")).to_have_value("")

    form = page.locator("#form-remainder")
    form.get_by_label("What became of it").select_option("returned")
    form.get_by_role("button", name="Reconcile the remainder").click()
    expect(page.locator("#remainder-settled")).to_contain_text(
        "28 mg not delivered: returned to stock, recorded by Jordan Lee, RN"
    )
    expect(page.locator("#unmet-criteria")).not_to_contain_text("stopped early")

    ledger = signed_in("nurse", "/inventory")
    ledger.get_by_role("link", name=lot).first.click()
    returned = ledger.get_by_role("row").filter(has_text="Not delivered")
    expect(returned).to_contain_text("28.000")
    expect(returned).to_contain_text("252.000")
