"""The chair's re-check of the screening before a dose (CLINICAL.md "Chair guard-rails").

Before dosing starts, what was recorded since the newest screening is evaluated: a stale
screening (something it read changed), a new absolute contraindication or a new interacting
medication holds dosing until the screening is run again and cleared or overridden. So does a
screening that does not clear the patient (a re-run during the course, a pending override).
Reads only: nothing here writes.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkap.assessments.models import AssessmentResponse
from openkap.core.time import utcnow
from openkap.episodes.models import Episode
from openkap.intake.models import (
    Diagnosis,
    Intake,
    Medication,
    RuleResult,
    RuleSet,
    ScreeningRun,
    SubstanceUse,
)
from openkap.intake.record.service import find_intake
from openkap.intake.screening.decisions import ScreeningDecision, latest_decision
from openkap.intake.screening.facts import CSSRS_INSTRUMENT, gather_facts
from openkap.intake.screening.rule_checks import Category
from openkap.intake.screening.rules import configured, evaluate

NEW_FINDING = {
    Category.absolute: "new absolute contraindication",
    Category.flag: "new interacting medication",
}


@dataclass(frozen=True)
class Recheck:
    """Why the screening must be run again before this dose, and the run it was found on."""

    reasons: list[str]
    evidence: str

    @property
    def message(self) -> str:
        return (
            "Run the suitability screening again and clear or override it before dosing: "
            + "; ".join(self.reasons)
        )


def chair_recheck(session: Session, *, episode: Episode) -> Recheck | None:
    """Say what holds dosing until the screening is re-run and cleared, or None when it stands."""
    decision = latest_decision(session, episode=episode)
    if decision is None:
        return Recheck(["no suitability screening is recorded for this episode"], "screening:none")
    intake = find_intake(session, episode=episode)
    reasons = [
        *_not_cleared(decision),
        *_stale(session, episode, intake, decision.run),
        *_new_findings(session, episode, intake, decision.run),
    ]
    return Recheck(reasons, f"screening_run:{decision.run.id}") if reasons else None


def _not_cleared(decision: ScreeningDecision) -> list[str]:
    if decision.pending_override:
        return ["the override of the absolute contraindication waits for a second prescriber"]
    if decision.outcome.value != "eligible":
        return [f"the newest screening is {decision.outcome.value} and not overridden"]
    return []


def _stale(
    session: Session, episode: Episode, intake: Intake | None, run: ScreeningRun
) -> list[str]:
    changed = screening_input_change(session, episode=episode, intake=intake)
    if changed is None or changed <= run.created_at:
        return []
    return [
        f"what the screening of {run.created_at.isoformat(timespec='minutes')} read changed "
        f"at {changed.isoformat(timespec='minutes')}"
    ]


def screening_input_change(
    session: Session, *, episode: Episode, intake: Intake | None
) -> datetime | None:
    """Return when what the rules read last changed: the intake, its lists, a new C-SSRS."""
    # A C-SSRS counts from when it was taken: the screening reads the newest one by that time.
    changes: list[datetime | None] = [
        session.scalar(
            select(func.max(AssessmentResponse.completed_at)).where(
                AssessmentResponse.patient_id == episode.patient_id,
                AssessmentResponse.instrument_id == CSSRS_INSTRUMENT,
                AssessmentResponse.status == "active",
            )
        )
    ]
    if intake is not None:
        changes.append(intake.updated_at)
        for model in (Diagnosis, Medication, SubstanceUse):
            changes.append(
                session.scalar(
                    select(func.max(model.updated_at)).where(model.intake_id == intake.id)
                )
            )
    return max((change for change in changes if change is not None), default=None)


def _new_findings(
    session: Session, episode: Episode, intake: Intake | None, run: ScreeningRun
) -> list[str]:
    """Re-apply the run's absolute and medication rules to today's record; name what is new."""
    rule_set = session.get(RuleSet, (run.organization_id, run.rule_set_id))
    if rule_set is None:
        raise LookupError("a screening run always has its rule set")
    before = _triggered_at(session, run.id)
    facts = gather_facts(session, episode=episode, intake=intake, on=utcnow().date())
    found = []
    for rule, params in configured(rule_set.rules):
        if rule.category not in NEW_FINDING or rule.id in before:
            continue
        outcome = evaluate(rule, params, facts)
        if outcome.finding.triggered:
            found.append(f"{NEW_FINDING[rule.category]}: {outcome.finding.detail}")
    return found


def _triggered_at(session: Session, run_id: uuid.UUID) -> set[str]:
    return set(
        session.scalars(
            select(RuleResult.rule_id).where(
                RuleResult.run_id == run_id, RuleResult.triggered.is_(True)
            )
        )
    )


def risk_assessment_since(session: Session, *, patient_id: uuid.UUID, since: datetime) -> bool:
    """Tell whether a clinician recorded a C-SSRS screener for the patient after a time."""
    return (
        session.scalar(
            select(func.count())
            .select_from(AssessmentResponse)
            .where(
                AssessmentResponse.patient_id == patient_id,
                AssessmentResponse.instrument_id == CSSRS_INSTRUMENT,
                AssessmentResponse.status == "active",
                AssessmentResponse.completed_at > since,
            )
        )
        or 0
    ) > 0
