"""One read of an episode's whole preparation: plan, consent, REMS, checks, sessions, gaps."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.principal import Principal
from openkap.episodes.models import Encounter, Episode
from openkap.plans import readiness
from openkap.plans.consent import service as consent
from openkap.plans.models import Consent, PreparationCheck, RemsEnrollment, TreatmentPlan
from openkap.plans.preparation import rems
from openkap.plans.preparation import service as preparation


@dataclass(frozen=True, kw_only=True)
class PreparationSummary:
    episode: Episode
    plan: TreatmentPlan | None
    consents: list[Consent]
    rems_enrolments: list[RemsEnrollment]
    checks: list[PreparationCheck]
    sessions: list[Encounter]
    missing_for_ready: list[str]


def preparation_summary(session: Session, *, episode: Episode, by: Principal) -> PreparationSummary:
    """Gather an episode's preparation records and what still stops it being ready."""
    summary = PreparationSummary(
        episode=episode,
        plan=readiness.current_plan(session, episode=episode),
        consents=consent.list_consents(session, episode=episode),
        rems_enrolments=rems.list_enrolments(session, patient_id=episode.patient_id),
        checks=preparation.list_checks(session, episode=episode),
        sessions=preparation.list_sessions(session, episode=episode),
        missing_for_ready=readiness.missing_for_ready(session, episode=episode),
    )
    audit.record(
        session,
        actor=by.actor,
        action="preparation.read",
        resource_type="episode",
        resource_id=episode.id,
        patient_id=episode.patient_id,
    )
    return summary
