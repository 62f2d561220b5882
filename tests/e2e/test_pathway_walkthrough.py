"""Browser test of step 1 of the pathway: a new patient from referral to a signed plan, ready.

Each step is done by the role the software requires for it: the nurse registers and weighs the
patient and runs the screening, the therapist refers and takes the intake, the prescriber makes
and signs the plan, and the therapist records consent witnessed by the nurse.
"""

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from openkap.core.time import utcnow

pytestmark = pytest.mark.e2e

WEIGHT_KG = "71.3"
# 0.5 mg/kg x 71.3 kg = 35.65 mg, rounded half-up to the IV template's 0.5 mg.
IV_START_DOSE = "35.5 mg"
IV_PROTOCOL = "IV racemic ketamine, 0.5 mg/kg over 40 minutes, 6 infusions"
# PHQ-9 items 1-9 (item 9, thoughts of death, answered "not at all"); total 12, moderate.
PHQ9_ANSWERS = [2, 2, 2, 1, 1, 2, 1, 1, 0]
TODAY = utcnow().date().isoformat()


def labelled(scope: Page | Locator, label: str) -> Locator:
    """The field with exactly this label, with or without the required-field star."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def fill(scope: Locator, answers: dict[str, str]) -> None:
    """Fill fields by label: select options by value, type into the others."""
    for label, value in answers.items():
        field = labelled(scope, label)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def current_step(page: Page) -> Locator:
    return page.locator("ol.timeline li[aria-current='step']")


def open_step(page: Page, name: str) -> None:
    """Follow one of the episode page's links to a step of the course."""
    steps = page.get_by_role("navigation", name="Steps of this course")
    steps.get_by_role("link", name=name).click()


def move_to(page: Page, state: str) -> None:
    """Press the episode page's "Move to <state>" button and wait for the new state."""
    page.get_by_role("button", name=f"Move to {state}", exact=True).click()
    expect(page.locator("#episode-state")).to_have_text(state)
    expect(current_step(page)).to_contain_text(state)


def register_patient(page: Page, family: str) -> str:
    """Create the patient as the nurse; return the patient page's path."""
    page.get_by_role("link", name="New patient").click()
    page.get_by_label("Family name").fill(family)
    page.get_by_label("Given name").fill("Imani")
    page.get_by_label("Date of birth").fill("1984-09-21")
    page.get_by_label("Sex assigned at birth").select_option("female")
    page.get_by_role("button", name="Create patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{family}, Imani")
    return re.sub(r"^https?://[^/]+", "", page.url)


def record_weight(page: Page) -> None:
    weights = page.get_by_role("region", name="Weight")
    weights.get_by_label("Weight (kg)").fill(WEIGHT_KG)
    weights.get_by_label("Measured on").fill(TODAY)
    weights.get_by_role("button", name="Record weight").click()
    expect(page.get_by_role("region", name="Weight").locator("tbody tr").first).to_contain_text(
        WEIGHT_KG
    )


def refer(page: Page) -> str:
    """Open a course of care from the patient page's panel; return the episode's path."""
    panel = page.get_by_role("region", name="Courses of KAP care")
    expect(panel).to_contain_text("No course of care yet.")
    panel.get_by_text("Refer for a course of KAP").click()
    panel.get_by_label("Reason for referral").fill(
        "Recurrent depression, no remission after two antidepressant trials."
    )
    panel.get_by_label("Referred by").fill("Dr. Hollis, primary care")
    panel.get_by_label("Referral date").fill(TODAY)
    panel.get_by_label("Prescriber").select_option(label="Dr. Priya Raman")
    panel.get_by_label("Therapist").select_option(label="Dana Whitfield, LMFT")
    panel.get_by_role("button", name="Open course of care").click()
    expect(page).to_have_url(re.compile(r"/episodes/[0-9a-f-]{36}$"))
    expect(page.locator("#episode-state")).to_have_text("referred")
    expect(current_step(page)).to_contain_text("referred")
    return re.sub(r"^https?://[^/]+", "", page.url)


def save_section(page: Page, title: str, answers: dict[str, str]) -> None:
    """Fill one section of the intake (selects by value, other fields by text) and save it."""
    section = page.get_by_role("region", name=title, exact=True)
    fill(section, answers)
    section.get_by_role("button", name=f"Save {title.lower()}").click()
    section = page.get_by_role("region", name=title, exact=True)
    for label, value in answers.items():
        expect(labelled(section, label)).to_have_value(value)


def add_item(page: Page, form: str, answers: dict[str, str]) -> None:
    """Fill one of the intake's "Add ..." forms and send it."""
    adding = page.get_by_role("form", name=form)
    fill(adding, answers)
    adding.get_by_role("button", name=form).click()
    expect(page.get_by_role("form", name=form).get_by_role("alert")).to_have_count(0)


def add_trial(
    page: Page, drug: str, dose_mg: str, weeks: str, adherence: str, outcome: str
) -> None:
    """Add an antidepressant trial of the current episode at an adequate dose."""
    answers = {"Drug": drug, "Daily dose (mg)": dose_mg, "Weeks at that dose": weeks}
    answers |= {"Adherence": adherence, "Outcome": outcome}
    adequate = {"Kind of treatment": "antidepressant", "Adequate dose": "yes"}
    add_item(page, "Add prior treatment", {**adequate, **answers, "In the current episode": "yes"})


def fill_history(page: Page) -> None:
    save_section(
        page,
        "Presenting problem",
        {"Presenting problem": "Low mood, poor sleep and no energy for three years."},
    )
    add_item(page, "Add diagnosis", {"Diagnosis": "F33.2", "Primary diagnosis": "yes"})
    diagnoses = page.get_by_role("region", name="Diagnoses (ICD-10-CM)")
    expect(diagnoses.locator("tbody tr").filter(has_text="F33.2")).to_contain_text("primary")
    save_section(
        page,
        "Psychiatric history",
        {
            "Psychosis": "none",
            "Mania / bipolar disorder": "none",
            "Suicide attempts (lifetime number)": "0",
            "Suicidal behaviour in the past 3 months": "no",
            "Self-harm": "no",
        },
    )
    no_to = [
        "Aneurysmal vascular disease (aortic, intracranial, peripheral)",
        "Arteriovenous malformation",
        "History of intracerebral haemorrhage",
        "Hypersensitivity to ketamine or esketamine",
        "Raised intracranial pressure",
        "Interstitial cystitis / urological disease",
        "Pregnant",
        "Breastfeeding",
        "Seizures / epilepsy",
    ]
    none_of = ["Cardiovascular disease", "Hypertension", "Hepatic impairment"]
    save_section(
        page,
        "Medical history",
        {**dict.fromkeys(no_to, "no"), **dict.fromkeys(none_of, "none")},
    )


def fill_lists(page: Page) -> None:
    add_item(
        page,
        "Add medication",
        {
            "Medication (generic or brand name)": "lorazepam",
            "Dose and frequency": "0.5 mg at night",
        },
    )
    medications = page.get_by_role("region", name="Current medications")
    expect(medications.locator("tbody tr").filter(has_text="lorazepam")).to_contain_text(
        "benzodiazepine"
    )
    add_item(
        page,
        "Add substance use",
        {"Substance": "alcohol", "Pattern": "in_remission", "Last use": "2021-06-01"},
    )
    expect(page.get_by_role("region", name="Substance use").locator("tbody")).to_contain_text(
        "in remission"
    )
    trd = page.locator("#trd")
    add_trial(page, "sertraline", "200", "8", "good", "no_response")
    expect(trd.get_by_role("heading")).not_to_have_text("Treatment resistance: treatment resistant")
    add_trial(page, "venlafaxine", "225", "10", "partial", "partial_response")
    expect(trd.get_by_role("heading")).to_have_text("Treatment resistance: treatment resistant")
    expect(trd).to_contain_text("sertraline 200 mg, 8 weeks")
    expect(trd.get_by_role("listitem")).to_have_count(2)


def fill_body_and_goal(page: Page) -> None:
    save_section(
        page,
        "Baseline vitals and height",
        {
            "Systolic BP (mmHg)": "118",
            "Diastolic BP (mmHg)": "76",
            "Heart rate (/min)": "72",
            "SpO2 (%)": "98",
            "Height (cm)": "170",
        },
    )
    body = page.locator("#body")
    expect(body).to_contain_text(f"{WEIGHT_KG} kg on {TODAY}")
    expect(page.locator("#bmi")).to_have_text("24.7 kg/m²")
    add_item(
        page,
        "Add goal",
        {
            "Goal, in the patient's own words": "Enjoy playing the cello with friends again",
            "How progress will be judged": "PHQ-9 below 10 and playing twice a month",
        },
    )
    expect(page.get_by_role("region", name="Treatment goals")).to_contain_text("cello")


def record_phq9(page: Page) -> None:
    page.get_by_role("link", name="Record PHQ-9").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Patient Health Questionnaire-9")
    for number, answer in enumerate(PHQ9_ANSWERS, start=1):
        page.locator(f"#f-item_{number}").select_option(str(answer))
    page.get_by_label("Completed by").select_option("patient")
    page.get_by_role("button", name="Score and save").click()
    row = page.get_by_role("region", name="Baseline instruments").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("PHQ-9")
    expect(row.get_by_role("cell").nth(3)).to_have_text("12")
    expect(row).to_contain_text("moderate")


def take_intake(page: Page) -> None:
    open_step(page, "Intake assessment")
    expect(page.get_by_role("heading", level=1)).to_have_text("Intake assessment")
    fill_history(page)
    fill_lists(page)
    fill_body_and_goal(page)
    record_phq9(page)
    completion = page.get_by_role("region", name="Completion")
    expect(completion).to_contain_text("Everything screening needs is recorded.")
    completion.get_by_role("button", name="Mark intake complete").click()
    expect(page.get_by_role("region", name="Completion")).to_contain_text(
        "The intake is marked complete."
    )
    expect(page.get_by_text("intake complete", exact=True)).to_be_visible()


def screen(page: Page) -> None:
    """Run the screening as the nurse: eligible, with the benzodiazepine flagged."""
    open_step(page, "Suitability screening")
    expect(page.locator("#not-screened")).to_be_visible()
    page.get_by_role("button", name="Run the screening").click()
    latest = page.get_by_role("region", name=re.compile("^Latest result"))
    expect(latest.get_by_role("heading", level=2)).to_have_text("Latest result: Eligible")
    expect(page.locator("#missing")).to_have_count(0)
    expect(latest.locator("tr[data-status='triggered']")).to_have_count(1)
    expect(latest.locator("#rule-medication_benzodiazepine")).to_contain_text("Flagged")
    page.get_by_role("link", name="Back to the episode").click()
    expect(page.locator("#episode-state")).to_have_text("eligible")


def make_and_sign_plan(page: Page) -> None:
    """As the prescriber, make the IV plan from the default template and sign it."""
    open_step(page, "Treatment plan")
    preview = page.get_by_role("row").filter(has_text=IV_PROTOCOL)
    expect(preview).to_contain_text(IV_START_DOSE)
    expect(preview).to_contain_text(f"0.5 mg/kg x {WEIGHT_KG} kg")
    labelled(page, "Protocol").select_option(label=IV_PROTOCOL)
    page.get_by_role("button", name="Create draft plan").click()
    expect(page.locator("#plan-status")).to_have_text("version 1 · draft")
    expect(page.locator("#start-dose")).to_have_text(IV_START_DOSE)
    expect(page.locator("#dose-calculation")).to_contain_text(f"0.5 mg/kg x {WEIGHT_KG} kg")
    expect(page.locator("#dose-calculation")).to_contain_text(f"weighed {TODAY}")
    schedule = page.get_by_role("region", name="Schedule")
    expect(schedule.locator("tbody tr").filter(has_text=IV_START_DOSE)).to_have_count(6)
    page.get_by_role("button", name="Sign plan version 1").click()
    expect(page.locator("#plan-status")).to_have_text("version 1 · signed")
    expect(page.get_by_text("by Dr. Priya Raman on")).to_be_visible()


def record_consent(page: Page, patient_name: str) -> None:
    """As the therapist, record the patient's typed consent, witnessed by the nurse."""
    open_step(page, "Preparation and consent")
    missing = page.locator("#missing")
    expect(missing).to_contain_text("signed consent for racemic ketamine (iv)")
    consent = page.get_by_role("region", name="Informed consent")
    expect(consent.get_by_label("Consent document")).not_to_have_value("")
    expect(consent.get_by_label("Signature")).to_have_value("typed")
    consent.get_by_label("Name as signed by the patient").fill(patient_name)
    consent.get_by_label("Witness").select_option(label="Jordan Lee, RN")
    consent.get_by_role("button", name="Record consent").click()
    row = page.get_by_role("region", name="Informed consent").locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"{patient_name}, ")
    expect(row).to_contain_text("typed signature")
    expect(row).to_contain_text("Jordan Lee, RN")
    expect(row).to_contain_text("signed")
    expect(page.locator("#missing")).to_have_text("Everything the move to ready needs is recorded.")


def test_new_patient_goes_from_referral_to_a_signed_plan_and_ready(
    signed_in: Callable[..., Page],
) -> None:
    family = f"Adebayo{uuid.uuid4().hex[:8]}"

    # 1. The nurse registers the patient and weighs them.
    nurse = signed_in("nurse")
    patient_path = register_patient(nurse, family)
    record_weight(nurse)

    # 2. The therapist refers them for a course of care and starts the intake.
    therapist = signed_in("therapist", patient_path)
    episode_path = refer(therapist)
    move_to(therapist, "intake")

    # 3. The therapist takes the whole intake and marks it complete.
    take_intake(therapist)

    # 4. The nurse sends it to screening and runs it: eligible; then starts preparing.
    nurse.goto(episode_path)
    move_to(nurse, "screening")
    screen(nurse)
    move_to(nurse, "preparing")

    # 5. The prescriber makes the IV plan from the default template and signs it.
    prescriber = signed_in("prescriber", episode_path)
    make_and_sign_plan(prescriber)

    # 6. The therapist records consent, witnessed by the nurse, and moves the course to ready.
    therapist.goto(episode_path)
    record_consent(therapist, f"Imani {family}")
    therapist.goto(episode_path)
    expect(therapist.get_by_role("region", name="Next steps")).not_to_contain_text("Blocked")
    move_to(therapist, "ready")
    done = therapist.locator("ol.timeline li.done")
    expect(done).to_have_text(
        [re.compile(s) for s in ("referred", "intake", "screening", "eligible", "preparing")]
    )
    history = therapist.get_by_role("region", name="History").locator("tbody tr")
    expect(history).to_have_count(6)
    moved_to_ready = history.filter(has=therapist.get_by_role("cell", name="ready", exact=True))
    expect(moved_to_ready).to_contain_text("Dana Whitfield, LMFT")
