"""The screening decision an episode currently stands on (read by later steps)."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.episodes.models import Episode
from openkap.intake.models import ScreeningOutcome, ScreeningOverride, ScreeningRun


@dataclass(frozen=True, kw_only=True)
class ScreeningDecision:
    """The newest screening of an episode and the override that changed it, if any."""

    run: ScreeningRun
    override: ScreeningOverride | None

    @property
    def outcome(self) -> ScreeningOutcome:
        if self.override is not None:
            return ScreeningOutcome(self.override.to_outcome)
        return ScreeningOutcome(self.run.outcome)

    @property
    def cleared_to_treat(self) -> bool:
        return self.outcome == ScreeningOutcome.eligible


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
    return ScreeningDecision(run=run, override=override)
