"""Builders for intake tests: an intake, its lists, and an intake ready to be completed."""

from datetime import UTC, date, datetime
from decimal import Decimal

from openkap.assessments.models import AssessmentResponse
from openkap.intake.models import (
    Diagnosis,
    Intake,
    PriorTreatment,
    TreatmentGoal,
)
from openkap.patients.models import WeightMeasurement
from tests.fixtures.factories import make_episode

COMPLETE_FIELDS = {
    "presenting_problem": "Low mood for two years despite two medication trials.",
    "psychosis": "none",
    "mood_disorder": "none",
    "suicide_attempts": 0,
    "recent_suicidal_behaviour": False,
    "self_harm": False,
    "aneurysmal_vascular_disease": False,
    "arteriovenous_malformation": False,
    "intracerebral_haemorrhage": False,
    "ketamine_hypersensitivity": False,
    "cardiovascular_disease": "none",
    "hypertension": "none",
    "raised_intracranial_pressure": False,
    "hepatic_impairment": "none",
    "interstitial_cystitis": False,
    "pregnant": False,
    "breastfeeding": False,
    "seizures": False,
    "baseline_sbp": 122,
    "baseline_dbp": 78,
    "baseline_hr": 72,
    "baseline_spo2": 98,
    "height_cm": 170,
}
PHQ9_MODERATE = [2, 2, 1, 1, 1, 1, 1, 1, 0, 1]


def make_intake(db, org, episode=None, **fields) -> Intake:
    episode = episode or make_episode(db, org, state="intake")
    intake = Intake(organization_id=org.id, episode_id=episode.id, **fields)
    db.add(intake)
    db.flush()
    return intake


def add_trial(db, intake, **fields) -> PriorTreatment:
    values = {
        "kind": "antidepressant",
        "drug": "sertraline",
        "dose_mg": 200.0,
        "adequate_dose": True,
        "weeks": 8,
        "adherence": "good",
        "outcome": "no_response",
        "in_current_episode": True,
    }
    trial = PriorTreatment(organization_id=intake.organization_id, intake_id=intake.id)
    for name, value in {**values, **fields}.items():
        setattr(trial, name, value)
    db.add(trial)
    db.flush()
    return trial


def add_diagnosis(db, intake, code="F33.2", label="Major depressive disorder", primary=True):
    diagnosis = Diagnosis(
        organization_id=intake.organization_id,
        intake_id=intake.id,
        code=code,
        label=label,
        is_primary=primary,
    )
    db.add(diagnosis)
    db.flush()
    return diagnosis


def add_response(db, episode, instrument_id="phq9", answers=None, flags=(), scores=None):
    response = AssessmentResponse(
        organization_id=episode.organization_id,
        patient_id=episode.patient_id,
        episode_id=episode.id,
        instrument_id=instrument_id,
        instrument_version="1.0.0",
        answers=answers or PHQ9_MODERATE,
        total=11,
        severity="moderate",
        flags=list(flags),
        scores=scores or {},
        completed_at=datetime(2026, 1, 10, 9, 0, tzinfo=UTC),
        completed_by="patient",
    )
    db.add(response)
    db.flush()
    return response


def add_weight(db, episode, kg="72.5", on=date(2026, 1, 10)) -> WeightMeasurement:
    weight = WeightMeasurement(
        organization_id=episode.organization_id,
        patient_id=episode.patient_id,
        weight_kg=Decimal(kg),
        measured_on=on,
    )
    db.add(weight)
    db.flush()
    return weight


def make_ready_intake(db, org, episode=None) -> Intake:
    """An intake with everything completion needs, not yet marked complete."""
    episode = episode or make_episode(db, org, state="intake")
    intake = make_intake(db, org, episode, **COMPLETE_FIELDS)
    add_diagnosis(db, intake)
    add_weight(db, episode)
    db.add(
        TreatmentGoal(
            organization_id=org.id,
            intake_id=intake.id,
            goal="Get back to playing music with friends",
            measure_of_progress="Plays with the band twice a month",
        )
    )
    add_response(db, episode)
    db.flush()
    return intake
