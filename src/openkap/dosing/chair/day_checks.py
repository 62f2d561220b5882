"""The day of dosing's structured answers and the stops they raise (CLINICAL.md guard-rails).

- pregnancy_status, required for a patient who can become pregnant: negative_test_today,
  not_applicable (with a written reason) or positive; positive holds dosing and no role overrides.
- medications_since_last_visit: none, or names from the intake's medication catalogue; one of
  an interacting class (MAOI, benzodiazepine, psychostimulant, opioid, sedative-hypnotic) holds
  dosing until a prescriber overrides it with a reason.
- suicide_risk_check: no_new_risk or new_risk_reported; a report holds dosing until a clinician
  records a risk assessment (a C-SSRS screener) after it.
- the screening's re-check (intake.screening.chair_recheck) before every dose.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.dosing.errors import InvalidSessionInput
from openkap.dosing.models import ChecklistItem, DosingSession
from openkap.episodes.models import Episode
from openkap.intake.catalog import DRUG_CLASSES, drug_class_of
from openkap.intake.models import DrugClass
from openkap.intake.screening.chair_recheck import chair_recheck, risk_assessment_since
from openkap.intake.screening.facts import age_on
from openkap.patients.models import Patient, SexAtBirth

PREGNANCY = "pregnancy_status"
MEDICATIONS = "medications_since_last_visit"
SUICIDE_RISK = "suicide_risk_check"
STRUCTURED = frozenset({PREGNANCY, MEDICATIONS, SUICIDE_RISK})
PREGNANCY_ANSWERS = ("negative_test_today", "not_applicable", "positive")
SUICIDE_ANSWERS = ("no_new_risk", "new_risk_reported")
# Who is asked: anyone not recorded male at birth, from 12 to 55 years old.
PREGNANCY_AGES = (12, 55)
NOT_MALE = frozenset({SexAtBirth.female, SexAtBirth.intersex, SexAtBirth.unknown})
INTERACTING = frozenset(DrugClass) - {DrugClass.lamotrigine}
MIN_REASON = 10
OTHER = "other:"
CATALOGUE_NAMES = tuple(sorted(DRUG_CLASSES))
# A stop found in the records: its key, its message, and the evidence it was raised on.
DayStop = tuple[str, str, str]


def can_become_pregnant(patient: Patient, *, on: date) -> bool:
    """Tell whether the day's checklist asks this patient's pregnancy status."""
    low, high = PREGNANCY_AGES
    return patient.sex_at_birth in NOT_MALE and low <= age_on(patient.birth_date, on) <= high


def required_today(session: Session, *, dosing: DosingSession) -> list[str]:
    """Return the checklist keys this patient must answer besides the fixed ones."""
    patient = session.get(Patient, (dosing.organization_id, dosing.patient_id))
    day = (dosing.checked_in_at or dosing.scheduled_for).date()
    return [PREGNANCY] if patient is not None and can_become_pregnant(patient, on=day) else []


def validated_answer(key: str, value: str) -> str:
    """Return a structured answer in its stored form, or refuse it naming what is allowed."""
    if key == PREGNANCY:
        return _pregnancy_answer(value)
    if key == MEDICATIONS:
        return _medications_answer(value)
    if key == SUICIDE_RISK and value not in SUICIDE_ANSWERS:
        raise InvalidSessionInput(
            f"{SUICIDE_RISK} is one of {', '.join(SUICIDE_ANSWERS)}; got {value!r}.", field="value"
        )
    return value


def _pregnancy_answer(value: str) -> str:
    choice, _, reason = value.partition(":")
    if choice.strip() not in PREGNANCY_ANSWERS:
        raise InvalidSessionInput(
            f"{PREGNANCY} is one of {', '.join(PREGNANCY_ANSWERS)}; got {value!r}.", field="value"
        )
    if choice.strip() != "not_applicable":
        return choice.strip()
    if len(reason.strip()) < MIN_REASON:
        raise InvalidSessionInput(
            f"{PREGNANCY} not_applicable needs a reason of at least {MIN_REASON} characters "
            "(for example 'not_applicable: hysterectomy in 2019').",
            field="value",
        )
    return f"not_applicable: {reason.strip()}"


def _medications_answer(value: str) -> str:
    if value.lower() == "none":
        return "none"
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [n for n in names if drug_class_of(n) is None and not n.lower().startswith(OTHER)]
    if not names or unknown:
        raise InvalidSessionInput(
            f"{MEDICATIONS} is 'none' or names from the medication catalogue separated by "
            f"commas (another medicine as 'other: name'); not in the catalogue: "
            f"{', '.join(unknown) or value!r}.",
            field="value",
        )
    return ", ".join(names)


def interacting(answer: str) -> list[str]:
    """Return the reported medications of an interacting class, with their class."""
    found = []
    for name in answer.split(","):
        drug_class = drug_class_of(name)
        if drug_class in INTERACTING:
            found.append(f"{name.strip()} ({drug_class.value.replace('_', ' ')})")
    return found


def day_stops(session: Session, *, dosing: DosingSession, answers: dict[str, str]) -> list[DayStop]:
    """Return the stops the day's answers and the screening's re-check raise."""
    found: list[DayStop] = []
    episode = session.get(Episode, (dosing.organization_id, dosing.episode_id))
    recheck = chair_recheck(session, episode=episode) if episode is not None else None
    if recheck is not None:
        found.append(("screening_recheck_needed", recheck.message, recheck.evidence))
    if answers.get(PREGNANCY) == "positive":
        message = "Pregnancy test positive today: no dose (ketamine may harm a fetus)."
        found.append(("pregnancy_positive", message, f"{PREGNANCY}:positive"))
    medications = interacting(answers.get(MEDICATIONS, "none"))
    if medications:
        message = "Interacting medication since the last visit: " + ", ".join(medications)
        evidence = f"{MEDICATIONS}:{answers[MEDICATIONS]}"
        found.append(("interacting_medication_reported", message, evidence[:200]))
    found.extend(_suicide_risk_stop(session, dosing))
    return found


def _suicide_risk_stop(session: Session, dosing: DosingSession) -> list[DayStop]:
    """A new risk reported today holds dosing until a risk assessment is recorded after it."""
    reported = session.scalars(
        select(ChecklistItem)
        .where(
            ChecklistItem.session_id == dosing.id,
            ChecklistItem.item_key == SUICIDE_RISK,
            ChecklistItem.value == "new_risk_reported",
        )
        .order_by(ChecklistItem.at.desc())
        .limit(1)
    ).first()
    if reported is None or risk_assessment_since(
        session, patient_id=dosing.patient_id, since=reported.at
    ):
        return []
    message = (
        "New suicide risk reported at the check-in: a clinician records a risk assessment "
        "(C-SSRS screener) before dosing."
    )
    return [("suicide_risk_reported", message, f"checklist:{reported.id}")]
