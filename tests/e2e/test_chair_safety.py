"""Browser tests of the chair's safety rules on a 1024-pixel tablet: a dose other than the
order is refused in words, a pre-dose blood-pressure override re-arms on a newer reading, and the
identity check and the status strip stay where a nurse needs them.
"""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DemoClinic
from tests.e2e.test_chair_iv import (
    answer_checklist,
    checked_in_session,
    choose_lot,
    ready_course,
    record_vitals,
    refresh,
    state,
    stock_lot,
)

pytestmark = pytest.mark.e2e

TABLET = {"viewport": {"width": 1024, "height": 768}}
PAGE_WIDTH_JS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
TABLE_FITS_JS = (
    "() => document.querySelector('#vitals-table').getBoundingClientRect().right"
    " <= window.innerWidth"
)
STRIP_TOP_JS = "() => document.querySelector('.chair-head').getBoundingClientRect().top"


def test_a_dose_other_than_the_order_is_refused_at_the_chair(
    demo_clinic: DemoClinic, signed_in: Callable[..., Page]
) -> None:
    episode = ready_course(demo_clinic, template_key="iv_racemic")
    lot = stock_lot(demo_clinic, drug="racemic_ketamine")
    session_id = checked_in_session(demo_clinic, episode)
    page = signed_in("nurse", f"/dosing-sessions/{session_id}", **TABLET)
    identity = page.locator("#identity")
    expect(identity.locator("#identity-dob")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d$"))
    expect(identity.locator("#identity-mrn")).not_to_be_empty()
    expect(identity.locator("#identity-allergies")).not_to_be_empty()

    answer_checklist(page, weight="80")
    record_vitals(page, 124, 78, 72, 98, 14)
    page.get_by_role("button", name="Start dosing").click()
    state(page)("dosing")
    expect(page.locator("#order")).to_contain_text("The order for session 1: 40 mg over 40 minutes")

    choose_lot(page, lot)
    dose = page.locator("#form-admin")
    dose.get_by_label("Dose (mg)").fill("60")
    dose.get_by_label("Concentration (mg/mL)").fill("10")
    dose.get_by_role("button", name="Record the dose and start the infusion").click()
    refusal = page.locator("#refusal-admin")
    expect(refusal).to_contain_text("Dose equals the order")
    expect(refusal).to_contain_text("40.00 mg; 60 mg was entered")
    expect(page.locator("#lot-number")).to_have_count(0)
    expect(page.locator("#form-order")).to_have_count(0)  # a nurse cannot change the order

    assert page.evaluate(PAGE_WIDTH_JS) == [1024, 1024]
    assert page.evaluate(TABLE_FITS_JS), "the readings table is wider than the tablet"
    page.mouse.wheel(0, 4000)
    page.wait_for_function("() => window.scrollY > 200")
    assert abs(page.evaluate(STRIP_TOP_JS)) < 2, "the status strip scrolled out of view"


def test_a_newer_reading_rearms_an_overridden_blood_pressure_stop(
    demo_clinic: DemoClinic, signed_in: Callable[..., Page]
) -> None:
    episode = ready_course(demo_clinic, template_key="iv_racemic")
    session_id = checked_in_session(demo_clinic, episode)
    path = f"/dosing-sessions/{session_id}"
    nurse = signed_in("nurse", path, **TABLET)
    answer_checklist(nurse, weight="80")
    record_vitals(nurse, 150, 92, 72, 98, 14)
    stop = nurse.locator("#stop-pre_dose_vitals")
    expect(stop).to_contain_text("Vital signs before the dose")
    expect(stop).to_have_class("stop blocking")

    prescriber = signed_in("prescriber", path, **TABLET)
    held = prescriber.locator("#stop-pre_dose_vitals")
    held.get_by_text("Override with a written reason").click()
    held.get_by_label("Prescriber's reason to dose despite this stop").fill(
        "Anxious on arrival; 150/92 is usual for her."
    )
    held.get_by_role("button", name="Override this stop").click()
    expect(prescriber.locator("#stop-pre_dose_vitals")).to_have_class("stop overridden")

    refresh(nurse)
    expect(nurse.locator("#stop-pre_dose_vitals")).to_contain_text("Overridden by")
    expect(nurse.get_by_role("button", name="Start dosing")).to_be_visible()
    record_vitals(nurse, 166, 98, 74, 98, 14)
    rearmed = nurse.locator("#stop-pre_dose_vitals")
    expect(rearmed).to_have_class("stop blocking")
    expect(rearmed).to_contain_text("166")
    expect(rearmed).not_to_contain_text("Overridden by")
    expect(nurse.locator("#start-held")).to_be_visible()
    expect(nurse.get_by_role("button", name="Start dosing")).to_have_count(0)
