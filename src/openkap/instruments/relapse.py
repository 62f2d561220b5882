"""Loss of remission and confirmed relapse: distinct from a loss of response (CLINICAL.md).

- **Loss of response**: a score above the response line (more than 50 % of baseline) after a
  response (`trajectory.response_periods`).
- **Loss of remission**: after a score in the remission range, a later score outside it. It is
  tracked apart and is not a loss of response: a patient may leave remission and still respond.
- **Relapse**: a loss of response on two consecutive assessments of the instrument that are
  `min_days` to `max_days` apart (default 5 to 15, as in SUSTAIN-1, Daly et al. 2019), with no
  response between them. Days are counted between the scores' calendar dates (UTC). One score
  above the line is a loss of response only, so one noisy score opens no booster review.

Pure: points in chronological order; dose times too.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from openkap.instruments.trajectory import (
    Judge,
    LossOfResponse,
    Point,
    after_first_dose,
    response_periods,
)

CONFIRM_MIN_DAYS = 5
CONFIRM_MAX_DAYS = 15


@dataclass(frozen=True, slots=True)
class LossOfRemission:
    """The score that left the remission range, and since when the patient had been in it."""

    at: datetime
    total: int
    remitted_since: datetime


@dataclass(frozen=True, slots=True)
class Relapse:
    """A loss of response confirmed by the next assessment `min_days`-`max_days` later."""

    loss: LossOfResponse
    first: Point
    confirming: Point

    @property
    def days_apart(self) -> int:
        return days_between(self.first, self.confirming)


def days_between(earlier: Point, later: Point) -> int:
    """Count the calendar days (UTC) from one score to a later one."""
    return (later.at.date() - earlier.at.date()).days


def remission_losses(
    points: Sequence[Point], *, baseline: int, instrument_id: str, doses: Sequence[datetime]
) -> list[LossOfRemission]:
    """Return every loss of remission after the first dose, oldest first."""
    judge = Judge(instrument_id, baseline)
    losses: list[LossOfRemission] = []
    since: datetime | None = None
    for point in after_first_dose(points, doses):
        remitted = judge.remitted(point.total)
        if since is None and remitted:
            since = point.at
        elif since is not None and not remitted:
            losses.append(LossOfRemission(point.at, point.total, since))
            since = None
    return losses


def current_loss_of_remission(
    points: Sequence[Point], *, baseline: int, instrument_id: str, doses: Sequence[datetime]
) -> LossOfRemission | None:
    """Return the loss of remission the patient is in now (None if never remitted, or remitted)."""
    losses = remission_losses(points, baseline=baseline, instrument_id=instrument_id, doses=doses)
    if not losses:
        return None
    judge = Judge(instrument_id, baseline)
    later = [p for p in after_first_dose(points, doses) if p.at > losses[-1].at]
    return None if any(judge.remitted(p.total) for p in later) else losses[-1]


def confirmed_relapse(
    points: Sequence[Point],
    *,
    baseline: int,
    instrument_id: str,
    doses: Sequence[datetime],
    min_days: int = CONFIRM_MIN_DAYS,
    max_days: int = CONFIRM_MAX_DAYS,
) -> Relapse | None:
    """Return the relapse the patient is in now: the current loss of response, confirmed."""
    periods = response_periods(points, baseline=baseline, instrument_id=instrument_id, doses=doses)
    if not periods or periods[-1].loss is None:
        return None
    loss = periods[-1].loss
    # Every score from the loss on is above the line: a responding one would start a new period.
    run = [p for p in points if p.at >= loss.at]
    for first, second in itertools.pairwise(run):
        if min_days <= days_between(first, second) <= max_days:
            return Relapse(loss, first, second)
    return None


class DurabilityState(enum.StrEnum):
    """Where a patient stands now on one instrument; each state is judged by its own rule."""

    not_responded = "not_responded"
    responding = "responding"
    in_remission = "in_remission"
    loss_of_remission = "loss_of_remission"
    loss_of_response = "loss_of_response"
    relapse = "relapse"


def durability_state(
    points: Sequence[Point],
    *,
    baseline: int,
    instrument_id: str,
    doses: Sequence[datetime],
    min_days: int = CONFIRM_MIN_DAYS,
    max_days: int = CONFIRM_MAX_DAYS,
) -> DurabilityState:
    """Judge the patient's current state: relapse, loss of response, loss of remission, or not."""
    periods = response_periods(points, baseline=baseline, instrument_id=instrument_id, doses=doses)
    if not periods:
        return DurabilityState.not_responded
    if periods[-1].loss is not None:
        relapsed = confirmed_relapse(
            points,
            baseline=baseline,
            instrument_id=instrument_id,
            doses=doses,
            min_days=min_days,
            max_days=max_days,
        )
        return DurabilityState.relapse if relapsed else DurabilityState.loss_of_response
    lost = current_loss_of_remission(
        points, baseline=baseline, instrument_id=instrument_id, doses=doses
    )
    if lost is not None:
        return DurabilityState.loss_of_remission
    latest = after_first_dose(points, doses)[-1]
    remitted = Judge(instrument_id, baseline).remitted(latest.total)
    return DurabilityState.in_remission if remitted else DurabilityState.responding
