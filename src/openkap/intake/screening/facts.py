"""The facts a screening reads: the intake, its active lists, the patient's age and C-SSRS.

A value of None means "not recorded"; the rules report it as missing instead of guessing.
"""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.assessments.models import AssessmentResponse
from openkap.episodes.models import Episode
from openkap.intake.models import (
    Diagnosis,
    Intake,
    IntakeItem,
    ItemStatus,
    Medication,
    SubstanceUse,
)
from openkap.intake.screening.rules import CATALOGUE
from openkap.patients.models import Patient

CSSRS_INSTRUMENT = "cssrs_screener"
INTAKE_KEYS = tuple(
    sorted(
        {key for rule in CATALOGUE.values() for key in rule.inputs}
        & set(Intake.__table__.columns.keys())
    )
)


def age_on(birth_date: date, day: date) -> int:
    """Return the age in whole years on a day."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _active_rows(
    session: Session, intake: Intake | None, model: type[IntakeItem], fields: tuple[str, ...]
) -> list[dict[str, Any]] | None:
    # No rows on an unfinished intake means "not asked yet"; on a completed intake, "none".
    if intake is None:
        return None
    rows = session.scalars(
        select(model)
        .where(model.intake_id == intake.id, model.status == ItemStatus.active.value)
        .order_by(model.created_at)
    ).all()
    if not rows and not intake.completed:
        return None
    return [{name: getattr(row, name) for name in fields} for row in rows]


def _newest_cssrs(session: Session, patient_id: uuid.UUID) -> AssessmentResponse | None:
    return session.scalars(
        select(AssessmentResponse)
        .where(
            AssessmentResponse.patient_id == patient_id,
            AssessmentResponse.instrument_id == CSSRS_INSTRUMENT,
            AssessmentResponse.status == "active",
        )
        .order_by(AssessmentResponse.completed_at.desc())
        .limit(1)
    ).first()


def gather_facts(
    session: Session, *, episode: Episode, intake: Intake | None, on: date
) -> dict[str, object]:
    """Collect every input the rules read, for one episode on one day."""
    patient = session.get(Patient, (episode.organization_id, episode.patient_id))
    if patient is None:
        raise LookupError("an episode always has its patient")
    facts: dict[str, object] = {key: getattr(intake, key, None) for key in INTAKE_KEYS}
    cssrs = _newest_cssrs(session, patient.id)
    facts.update(
        screened_on=on,
        age_years=age_on(patient.birth_date, on),
        sex_at_birth=patient.sex_at_birth,
        cssrs_risk_level=cssrs.scores.get("risk_level") if cssrs else None,
        cssrs_completed_on=cssrs.completed_at.date() if cssrs else None,
        active_medications=_active_rows(session, intake, Medication, ("name", "drug_class")),
        diagnoses=_active_rows(session, intake, Diagnosis, ("code", "label")),
        allergies=intake.allergies if intake is not None else "",
        substance_use=_active_rows(
            session, intake, SubstanceUse, ("substance", "pattern", "last_use_on")
        ),
    )
    return facts
