"""Pure outcome calculations: one instrument's trajectory through a course of KAP care.

No database and no web: the service loads (time, total) points and the dose times, and these
functions apply the outcome definitions of the clinical reference (CLINICAL.md), judging every
score with the change metrics of `openkap.instruments` (response, remission, reliable change), so
no rule is written twice:

- baseline: the intake's baseline score of the instrument, else the last score at or before the
  first dose;
- response: `change(...).response` (at least 50 % below baseline); remission:
  `change(...).remission` (the instrument's cut-off, with reliable improvement where the rule
  needs it, as for PCL-5);
- a response period starts at a responding score after the first dose and ends at the first later
  score above the response line (more than 50 % of baseline): that is a loss of response. Leaving
  the remission range is a loss of remission, tracked apart (`openkap.instruments.relapse`), and
  is not a loss of response (CLINICAL.md, durability);
- time to first response: from the first dose to the first responding score, in time and in the
  number of doses given up to that score; durability: from the first response to its loss, or
  ongoing.

Points must be in chronological order; dose times too.
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from openkap.instruments import (
    RCI_CRITICAL,
    RESPONSE_REDUCTION,
    ChangeResult,
    Instrument,
    InvalidChangeInput,
    RemissionRule,
    change,
    change_defaults,
    get_instrument,
)

# Point is part of this module's interface too (the follow-up rules import it from here).
from openkap.instruments.series import Point as Point
from openkap.instruments.series import Series


class BaselineSource(enum.StrEnum):
    intake = "intake"
    before_first_dose = "before_first_dose"


@dataclass(frozen=True, slots=True)
class Baseline:
    """The score every later one is compared with, and where it came from."""

    total: int
    at: datetime
    source: BaselineSource


@dataclass(frozen=True, slots=True)
class ReferenceLines:
    """The lines drawn across a chart: baseline, response and remission, reliable-change band."""

    baseline: int
    response: float
    remission: RemissionRule
    reliable_change: float | None

    @property
    def band(self) -> tuple[float, float] | None:
        """Baseline minus and plus the reliable-change criterion in points, if SD and r exist."""
        if self.reliable_change is None:
            return None
        return self.baseline - self.reliable_change, self.baseline + self.reliable_change


@dataclass(frozen=True, slots=True)
class FirstResponse:
    """The first responding score after the first dose."""

    at: datetime
    total: int
    after_first_dose: timedelta
    doses: int


class LossReason(enum.StrEnum):
    above_response_line = "above_response_line"
    # A loss of remission (openkap.instruments.relapse), never the end of a response period.
    above_remission_cutoff = "above_remission_cutoff"


@dataclass(frozen=True, slots=True)
class LossOfResponse:
    """The score that ended a response period, and which rule it broke."""

    at: datetime
    total: int
    reason: LossReason
    responding_since: datetime


@dataclass(frozen=True, slots=True)
class ResponsePeriod:
    """From a responding score to the loss of response (None while it lasts)."""

    start: Point
    remission_at: datetime | None
    loss: LossOfResponse | None


@dataclass(frozen=True, slots=True)
class Durability:
    """How long the first response lasted: to its loss, or so far (`ongoing`)."""

    since: datetime
    until: datetime
    ongoing: bool
    loss: LossOfResponse | None

    @property
    def duration(self) -> timedelta:
        return self.until - self.since


@dataclass(frozen=True, slots=True)
class CurrentStatus:
    """The latest score after the first dose, judged against baseline."""

    latest: Point
    response: bool | None
    remission: bool | None


@dataclass(frozen=True, slots=True)
class Trajectory:
    """One instrument over a course: points, baseline, lines and badges."""

    instrument: Instrument
    points: Series
    first_dose_at: datetime | None
    baseline: Baseline | None
    lines: ReferenceLines | None
    first_response: FirstResponse | None
    current: CurrentStatus | None
    durability: Durability | None
    relapse: LossOfResponse | None
    periods: tuple[ResponsePeriod, ...] = field(default=())

    @property
    def has_change_metrics(self) -> bool:
        """Whether the instrument has response and remission rules (PHQ-9, GAD-7, PCL-5, ...)."""
        return supports_change(self.instrument.id)


def supports_change(instrument_id: str) -> bool:
    """Whether openkap.instruments defines change metrics for the instrument."""
    try:
        change_defaults(instrument_id)
    except InvalidChangeInput:
        return False
    return True


class Judge:
    """Judge totals against one baseline with `openkap.instruments.change`, once per total."""

    def __init__(self, instrument_id: str, baseline: int) -> None:
        self.instrument_id = instrument_id
        self.baseline = baseline
        self._results: dict[int, ChangeResult] = {}
        # The clinic's default remission convention, as change() applies it.
        self.rule: RemissionRule = self(baseline).remission_rule

    def __call__(self, total: int) -> ChangeResult:
        result = self._results.get(total)
        if result is None:
            result = change(self.instrument_id, baseline=self.baseline, current=total)
            self._results[total] = result
        return result

    def responding(self, total: int) -> bool:
        return bool(self(total).response)

    def remitted(self, total: int) -> bool:
        return bool(self(total).remission)


def choose_baseline(
    points: Sequence[Point], *, first_dose_at: datetime | None, intake: Point | None
) -> Baseline | None:
    """Pick the intake's baseline score, else the last score at or before the first dose."""
    if intake is not None and (first_dose_at is None or intake.at <= first_dose_at):
        return Baseline(intake.total, intake.at, BaselineSource.intake)
    if first_dose_at is None:
        candidates = len(points)
    else:
        candidates = bisect_right(points, first_dose_at, key=lambda p: p.at)
    if candidates == 0:
        return None
    last = points[candidates - 1]
    return Baseline(last.total, last.at, BaselineSource.before_first_dose)


def reference_lines(instrument_id: str, baseline: int) -> ReferenceLines:
    """Return the baseline, response, remission and reliable-change lines for a baseline."""
    defaults = change_defaults(instrument_id)
    rci = defaults.rci
    return ReferenceLines(
        baseline=baseline,
        response=baseline * (1 - RESPONSE_REDUCTION),
        remission=Judge(instrument_id, baseline).rule,
        reliable_change=None if rci is None else RCI_CRITICAL * rci.s_diff,
    )


def after_first_dose(points: Sequence[Point], doses: Sequence[datetime]) -> Sequence[Point]:
    """Return the points completed after the first dose (none when no dose was given)."""
    if not doses:
        return ()
    return points[bisect_right(points, doses[0], key=lambda p: p.at) :]


def doses_given_by(doses: Sequence[datetime], moment: datetime) -> int:
    """Count the doses given at or before a moment."""
    return bisect_right(doses, moment)


def response_periods(
    points: Sequence[Point], *, baseline: int, instrument_id: str, doses: Sequence[datetime]
) -> list[ResponsePeriod]:
    """Split the scores after the first dose into response periods, each ended by its loss."""
    judge = Judge(instrument_id, baseline)
    periods: list[ResponsePeriod] = []
    start: Point | None = None
    remission_at: datetime | None = None
    for point in after_first_dose(points, doses):
        if start is None:
            if judge.responding(point.total):
                start = point
                remission_at = point.at if judge.remitted(point.total) else None
            continue
        if not judge.responding(point.total):
            loss = LossOfResponse(point.at, point.total, LossReason.above_response_line, start.at)
            periods.append(ResponsePeriod(start, remission_at, loss))
            start, remission_at = None, None
        elif remission_at is None and judge.remitted(point.total):
            remission_at = point.at
    if start is not None:
        periods.append(ResponsePeriod(start, remission_at, None))
    return periods


def time_to_first_response(
    points: Sequence[Point], *, baseline: int, instrument_id: str, doses: Sequence[datetime]
) -> FirstResponse | None:
    """Return the first responding score after the first dose: time and doses since dose 1."""
    periods = response_periods(points, baseline=baseline, instrument_id=instrument_id, doses=doses)
    return _first_response(periods, doses)


def _first_response(
    periods: Sequence[ResponsePeriod], doses: Sequence[datetime]
) -> FirstResponse | None:
    if not periods:
        return None
    start = periods[0].start
    return FirstResponse(
        start.at, start.total, start.at - doses[0], doses_given_by(doses, start.at)
    )


def durability(
    points: Sequence[Point],
    *,
    baseline: int,
    instrument_id: str,
    doses: Sequence[datetime],
    now: datetime,
) -> Durability | None:
    """Return how long the first response lasted, or how long it has lasted so far."""
    periods = response_periods(points, baseline=baseline, instrument_id=instrument_id, doses=doses)
    return _durability(periods, now)


def _durability(periods: Sequence[ResponsePeriod], now: datetime) -> Durability | None:
    if not periods:
        return None
    first = periods[0]
    if first.loss is None:
        return Durability(first.start.at, max(now, first.start.at), True, None)
    return Durability(first.start.at, first.loss.at, False, first.loss)


def relapse(
    points: Sequence[Point], *, baseline: int, instrument_id: str, doses: Sequence[datetime]
) -> LossOfResponse | None:
    """Return the loss of response the patient is in now: the last period ended and no new one.

    None when the patient never responded, or responds now. This is one score: a relapse needs
    the loss confirmed (`openkap.instruments.relapse.confirmed_relapse`).
    """
    periods = response_periods(points, baseline=baseline, instrument_id=instrument_id, doses=doses)
    return periods[-1].loss if periods else None


def current_status(
    points: Sequence[Point], *, baseline: int, instrument_id: str, doses: Sequence[datetime]
) -> CurrentStatus | None:
    """Judge the latest score after the first dose against baseline."""
    treated = after_first_dose(points, doses)
    if not treated:
        return None
    latest = treated[-1]
    result = Judge(instrument_id, baseline)(latest.total)
    return CurrentStatus(latest, result.response, result.remission)


def trajectory(
    instrument_id: str,
    points: Sequence[Point],
    *,
    doses: Sequence[datetime],
    now: datetime,
    intake_baseline: Point | None = None,
    with_baseline: bool = True,
) -> Trajectory:
    """Build one instrument's trajectory: baseline, lines and every badge.

    `with_baseline=False` plots the points alone (a patient with no course of care has no
    baseline to judge them against).
    """
    points = Series.of(points)
    first_dose_at = doses[0] if doses else None
    baseline = None
    if with_baseline:
        baseline = choose_baseline(points, first_dose_at=first_dose_at, intake=intake_baseline)
    bare = Trajectory(
        instrument=get_instrument(instrument_id),
        points=points,
        first_dose_at=first_dose_at,
        baseline=baseline,
        lines=None,
        first_response=None,
        current=None,
        durability=None,
        relapse=None,
    )
    if baseline is None or not supports_change(instrument_id):
        return bare
    total = baseline.total
    periods = response_periods(points, baseline=total, instrument_id=instrument_id, doses=doses)
    return replace(
        bare,
        lines=reference_lines(instrument_id, total),
        first_response=_first_response(periods, doses),
        current=current_status(points, baseline=total, instrument_id=instrument_id, doses=doses),
        durability=_durability(periods, now),
        relapse=periods[-1].loss if periods else None,
        periods=tuple(periods),
    )


def describe_elapsed(elapsed: timedelta) -> str:
    """Say a duration as a clinician would: hours under two days, else days."""
    hours = elapsed.total_seconds() / 3600
    if hours < 48:
        whole = round(hours)
        return f"{whole} hour" if whole == 1 else f"{whole} hours"
    days = hours / 24
    shown = f"{days:.0f}" if abs(days - round(days)) < 0.05 else f"{days:.1f}"
    return f"{shown} days"
