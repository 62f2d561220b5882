"""What an episode needs before dosing: a signed plan, valid consent, REMS enrolment."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.episodes.models import Episode
from openkap.plans.models import (
    Consent,
    ConsentDocument,
    PlanStatus,
    RemsEnrollment,
    TreatmentPlan,
)


def current_plan(session: Session, *, episode: Episode) -> TreatmentPlan | None:
    """Return the episode's newest plan version that is not superseded, signed or not."""
    return session.scalars(
        select(TreatmentPlan)
        .where(
            TreatmentPlan.episode_id == episode.id,
            TreatmentPlan.status != PlanStatus.superseded.value,
        )
        .order_by(TreatmentPlan.plan_version.desc())
        .limit(1)
    ).first()


def valid_consent(session: Session, *, episode: Episode, route: str, drug: str) -> Consent | None:
    """Return a signed, not withdrawn consent of this episode that covers the route and drug."""
    rows = session.execute(
        select(Consent, ConsentDocument)
        .join(
            ConsentDocument,
            (ConsentDocument.id == Consent.document_id)
            & (ConsentDocument.organization_id == Consent.organization_id),
        )
        .where(Consent.episode_id == episode.id, Consent.status == "signed")
        .order_by(Consent.signed_at.desc())
    ).all()
    for consent, document in rows:
        if route in document.routes and drug in document.drugs:
            return consent
    return None


def rems_enrolment(session: Session, *, patient_id: uuid.UUID) -> RemsEnrollment | None:
    """Return the patient's esketamine REMS enrolment, if recorded."""
    return session.scalars(
        select(RemsEnrollment).where(RemsEnrollment.patient_id == patient_id)
    ).first()
