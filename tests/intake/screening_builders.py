"""Builders for screening tests: an episode whose intake clears every rule, and its variations."""

from datetime import date, datetime

from openkap.assessments.models import AssessmentResponse
from openkap.core.models import Organization, User
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.intake.models import Intake, Medication, SubstanceUse
from openkap.patients.models import Patient
from tests.fixtures.factories import make_episode, make_patient

# Every screening input recorded, none of them a contraindication.
CLEAR_INTAKE: dict[str, object] = {
    "aneurysmal_vascular_disease": False,
    "arteriovenous_malformation": False,
    "intracerebral_haemorrhage": False,
    "ketamine_hypersensitivity": False,
    "cardiovascular_disease": "none",
    "hypertension": "none",
    "baseline_sbp": 122,
    "baseline_dbp": 78,
    "psychosis": "none",
    "mood_disorder": "none",
    "pregnant": False,
    "breastfeeding": False,
    "raised_intracranial_pressure": False,
    "hepatic_impairment": "none",
    "interstitial_cystitis": False,
    "recent_suicidal_behaviour": False,
    "safety_plan_in_place": False,
    "completed": True,
}

# One change per default relative/absolute rule that triggers exactly that rule.
TRIGGERS: dict[str, dict[str, object]] = {
    "aneurysmal_vascular_disease": {"aneurysmal_vascular_disease": True},
    "arteriovenous_malformation": {"arteriovenous_malformation": True},
    "intracerebral_haemorrhage": {"intracerebral_haemorrhage": True},
    "ketamine_hypersensitivity": {"ketamine_hypersensitivity": True},
    "uncontrolled_hypertension": {"hypertension": "uncontrolled"},
    "unstable_cardiovascular_disease": {"cardiovascular_disease": "unstable"},
    "psychosis": {"psychosis": "past"},
    "mania": {"mood_disorder": "bipolar_i_recent_mania"},
    "pregnancy_or_breastfeeding": {"pregnant": True},
    "raised_intracranial_pressure": {"raised_intracranial_pressure": True},
    "severe_hepatic_impairment": {"hepatic_impairment": "severe"},
    "interstitial_cystitis": {"interstitial_cystitis": True},
    "recent_suicidal_behaviour": {"recent_suicidal_behaviour": True},
}
ABSOLUTE = {
    "aneurysmal_vascular_disease",
    "arteriovenous_malformation",
    "intracerebral_haemorrhage",
    "ketamine_hypersensitivity",
}
DRUG_CLASSES = ("benzodiazepine", "lamotrigine", "maoi", "stimulant", "opioid", "sedative_hypnotic")


def as_principal(user: User) -> Principal:
    return Principal(user=user, client_address="127.0.0.1")


def make_intake(db, episode: Episode, **fields: object) -> Intake:
    intake = Intake(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        **{**CLEAR_INTAKE, **fields},
    )
    db.add(intake)
    db.flush()
    return intake


def screening_episode(
    db,
    org: Organization,
    *,
    state: str = "screening",
    patient: Patient | None = None,
    birth_date: date = date(1980, 5, 17),
    sex_at_birth: str = "female",
    **intake_fields: object,
) -> tuple[Episode, Intake]:
    """An episode waiting for screening, with an intake that clears every rule unless changed."""
    patient = patient or make_patient(db, org, birth_date=birth_date, sex_at_birth=sex_at_birth)
    episode = make_episode(db, org, patient, state=state)
    return episode, make_intake(db, episode, **intake_fields)


def add_medication(
    db, intake: Intake, name: str, drug_class: str | None, status: str = "active"
) -> Medication:
    row = Medication(
        organization_id=intake.organization_id,
        intake_id=intake.id,
        name=name,
        drug_class=drug_class,
        status=status,
    )
    db.add(row)
    db.flush()
    return row


def add_substance_use(db, intake: Intake, substance: str, pattern: str) -> SubstanceUse:
    row = SubstanceUse(
        organization_id=intake.organization_id,
        intake_id=intake.id,
        substance=substance,
        pattern=pattern,
    )
    db.add(row)
    db.flush()
    return row


def add_cssrs(
    db, patient: Patient, *, risk_level: str, completed_at: datetime
) -> AssessmentResponse:
    response = AssessmentResponse(
        organization_id=patient.organization_id,
        patient_id=patient.id,
        instrument_id="cssrs_screener",
        instrument_version="1.0.0",
        answers=[1, 1, 1, 1, 1, 2],
        scores={"risk_level": risk_level},
        completed_at=completed_at,
        completed_by="clinician",
    )
    db.add(response)
    db.flush()
    return response


def now() -> datetime:
    return utcnow()
