"""The screening decision an episode currently stands on (read by later steps)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkap.assessments.models import AssessmentResponse
from openkap.episodes.models import Episode
from openkap.intake.models import (
    Diagnosis,
    Intake,
    Medication,
    OverrideStatus,
    PriorTreatment,
    ScreeningOutcome,
    ScreeningOverride,
    ScreeningRun,
    SubstanceUse,
)


@dataclass(frozen=True, kw_only=True)
class ScreeningDecision:
    """The newest screening of an episode and the override that changed it, if any."""

    run: ScreeningRun
    override: ScreeningOverride | None
    # The intake (or a baseline answer screening reads) changed after this run.
    out_of_date: bool = False

    @property
    def pending_override(self) -> bool:
        """An absolute contraindication's override waits for its second prescriber."""
        return self.override is not None and self.override.status == OverrideStatus.pending

    @property
    def outcome(self) -> ScreeningOutcome:
        if self.override is not None and not self.pending_override:
            return ScreeningOutcome(self.override.to_outcome)
        return ScreeningOutcome(self.run.outcome)

    @property
    def cleared_to_treat(self) -> bool:
        return self.outcome == ScreeningOutcome.eligible and not self.out_of_date


def latest_decision(session: Session, *, episode: Episode) -> ScreeningDecision | None:
    """Return the decision of the episode's newest screening run, if it was screened."""
    run = session.scalars(
        select(ScreeningRun)
        .where(ScreeningRun.episode_id == episode.id)
        .order_by(ScreeningRun.created_at.desc())
        .limit(1)
    ).first()
    if run is None:
        return None
    override = session.scalars(
        select(ScreeningOverride)
        .where(ScreeningOverride.run_id == run.id)
        .order_by(ScreeningOverride.created_at.desc())
        .limit(1)
    ).first()
    changed = last_screening_input_change(session, episode=episode)
    return ScreeningDecision(
        run=run, override=override, out_of_date=changed is not None and changed > run.created_at
    )


def last_screening_input_change(session: Session, *, episode: Episode) -> datetime | None:
    """Return when the information a screening reads last changed for this episode."""
    intake = session.scalars(select(Intake).where(Intake.episode_id == episode.id)).first()
    if intake is None:
        return None
    changes: list[datetime | None] = [intake.updated_at]
    for model in (Diagnosis, Medication, SubstanceUse, PriorTreatment):
        changes.append(
            session.scalar(select(func.max(model.updated_at)).where(model.intake_id == intake.id))
        )
    changes.append(
        session.scalar(
            select(func.max(AssessmentResponse.updated_at)).where(
                AssessmentResponse.episode_id == episode.id
            )
        )
    )
    return max(change for change in changes if change is not None)
