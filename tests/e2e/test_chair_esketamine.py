"""Browser test of a full esketamine session at the chair: two 28 mg devices 5 minutes apart,
REMS monitoring readings with a blood-pressure alert acknowledged with an action, and no
discharge before two hours from the first device.

The server's clock is moved forward as in test_chair_iv (see its docstring).
"""

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from openkap.core.time import clock_set_to, utcnow
from tests.e2e.conftest import DemoClinic
from tests.e2e.test_chair_iv import (
    TABLET,
    Clock,
    answer_checklist,
    checked_in_session,
    choose_lot,
    ready_course,
    record_vitals,
    state,
    stock_lot,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def clock() -> Iterator[Clock]:
    # The clock goes back to where the run set it (the real time, or a --clock setting).
    with clock_set_to(utcnow()):
        yield Clock()


def test_a_full_esketamine_session_is_run_at_the_chair(
    demo_clinic: DemoClinic, signed_in: Callable[..., Page], clock: Clock
) -> None:
    episode = ready_course(demo_clinic, template_key="intranasal_esketamine", rems_enrolled=True)
    lot = stock_lot(demo_clinic, drug="esketamine", mg="280")
    session_id = checked_in_session(demo_clinic, episode)
    page = signed_in("nurse", f"/dosing-sessions/{session_id}", **TABLET)
    is_now = state(page)
    is_now("checked in")

    answer_checklist(page, weight=None)
    record_vitals(page, 126, 80, 70, 98, 14)
    expect(page.locator("#no-stops")).to_be_visible()
    page.get_by_role("button", name="Start dosing").click()
    is_now("dosing")

    choose_lot(page, lot)
    expect(page.locator("#form-admin").get_by_label("Dose (mg)")).to_have_value("56")
    page.get_by_role("button", name="Record the dose").click()
    expect(page.locator("#lot-number")).to_have_text(lot)
    expect(page.locator("#devices tbody tr")).to_have_count(2)

    page.get_by_role("button", name="Device 1 given").click()
    expect(page.locator("#device-1")).to_contain_text("Jordan Lee, RN")
    clock.start(page)
    expect(page.locator("#device-2")).to_contain_text(" in 4:")
    page.get_by_role("button", name="Device 2 given").click()
    expect(page.locator("#refusal-device-2")).to_contain_text("5 minutes after device 1")
    expect(page.locator("#device-2")).not_to_contain_text("Jordan Lee, RN")
    clock.at(page, 5)
    expect(page.locator("#device-2")).to_contain_text("ready now")
    page.get_by_role("button", name="Device 2 given").click()
    expect(page.locator("#device-2")).to_contain_text("Jordan Lee, RN")
    page.get_by_role("button", name="Administration finished").click()
    is_now("monitoring")

    clock.at(page, 40)
    # The blood pressure peaks near 40 minutes: here above the alert threshold.
    record_vitals(page, 182, 98, 84, 97, 14, moaas=4)
    alerts = page.locator("#alerts")
    expect(alerts).to_contain_text("Systolic BP 182 mmHg")
    alerts.get_by_label("Action taken").fill("Rechecked at rest after 5 minutes; prescriber here")
    alerts.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#alerts")).to_have_count(0)
    expect(page.locator("#alerts-kept")).to_contain_text("Acknowledged alerts (1)")
    cadss = page.locator("#form-cadss6")
    page.get_by_text("Score the CADSS-6 (6 items)").click()
    for item in range(1, 7):
        cadss.get_by_label(f"Item {item}", exact=True).select_option("1" if item < 3 else "0")
    cadss.get_by_role("button", name="Save the CADSS-6").click()
    expect(page.locator("#cadss-scores")).to_contain_text("CADSS-6 total 2")

    clock.at(page, 90)
    record_vitals(page, 124, 78, 72, 98, 14, moaas=5)
    page.get_by_role("button", name="Mark ready for discharge").click()
    expect(page.locator("#refusal-ready-for-discharge")).to_contain_text(
        "the minimum observation time after the first device is not over"
    )
    is_now("monitoring")

    clock.at(page, 121)
    record_vitals(page, 120, 76, 70, 98, 14, moaas=5)
    expect(page.locator("#criteria-met")).to_be_visible()
    page.get_by_role("button", name="Mark ready for discharge").click()
    is_now("ready for discharge")
    page.get_by_role("button", name="Discharge the patient").click()
    is_now("discharged")

    page.goto(f"/dosing-sessions/{session_id}/discharge-summary")
    expect(page.locator("#summary-dose")).to_contain_text(
        "56 mg esketamine nasal spray (2 devices of 28 mg, 5 minutes apart)"
    )
    expect(page.locator("#summary-events")).to_have_text(
        "Nothing unexpected happened during your treatment."
    )
