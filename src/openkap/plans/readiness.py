"""What an episode needs before dosing: a signed plan, valid consent, REMS enrolment."""

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from openkap.episodes.models import Episode
from openkap.intake.screening.decisions import latest_decision
from openkap.plans.models import (
    Consent,
    ConsentDocument,
    Drug,
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
        .options(defer(Consent.scan_content))
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
    """Return the patient's active esketamine REMS enrolment, if recorded."""
    return session.scalars(
        select(RemsEnrollment)
        .where(RemsEnrollment.patient_id == patient_id, RemsEnrollment.status == "active")
        .order_by(RemsEnrollment.created_at.desc())
        .limit(1)
    ).first()


def missing_for_ready(session: Session, *, episode: Episode) -> list[str]:
    """Return what the episode still lacks before it can be ready to dose (for display)."""
    decision = latest_decision(session, episode=episode)
    missing = [] if decision and decision.cleared_to_treat else ["screening clearance"]
    plan = current_plan(session, episode=episode)
    if plan is None:
        return [*missing, "a treatment plan"]
    if plan.status != PlanStatus.signed.value:
        missing.append("the prescriber's signature on the treatment plan")
    if valid_consent(session, episode=episode, route=plan.route, drug=plan.drug) is None:
        missing.append(f"signed consent for {plan.drug.replace('_', ' ')} ({plan.route})")
    if (
        plan.drug == Drug.esketamine.value
        and rems_enrolment(session, patient_id=episode.patient_id) is None
    ):
        missing.append("esketamine REMS enrolment")
    return missing
