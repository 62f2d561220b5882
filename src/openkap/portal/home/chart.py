"""The patient's own score chart: one small server-drawn SVG per questionnaire.

Pure geometry over stored responses; the template draws it and lists the same points in a table.
Only questionnaires the patient fills in themselves are charted (clinician ratings are not).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from openkap.assessments.models import AssessmentResponse
from openkap.instruments import Instrument, list_instruments

WIDTH, HEIGHT = 340, 200
LEFT, RIGHT, TOP, BOTTOM = 34, 12, 12, 30


@dataclass(frozen=True, kw_only=True)
class ChartPoint:
    x: float
    y: float
    total: int
    severity: str | None
    completed_at: datetime


@dataclass(frozen=True, kw_only=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True, kw_only=True)
class ScoreChart:
    """One instrument's totals over time, placed in the SVG's coordinate system."""

    instrument: Instrument
    points: list[ChartPoint]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)

    @property
    def summary(self) -> str:
        """A sentence describing the chart for screen readers."""
        first, last = self.points[0], self.points[-1]
        if len(self.points) == 1:
            return f"One score: {first.total} on {first.completed_at:%d %b %Y}."
        return (
            f"{len(self.points)} scores from {first.total} on {first.completed_at:%d %b %Y} "
            f"to {last.total} on {last.completed_at:%d %b %Y}."
        )


def _x_positions(moments: Sequence[datetime]) -> list[float]:
    span = (moments[-1] - moments[0]).total_seconds()
    width = WIDTH - RIGHT - LEFT
    if span <= 0:
        return [LEFT + width / 2] * len(moments)
    return [LEFT + width * (m - moments[0]).total_seconds() / span for m in moments]


def _y_scale(low: int, high: int) -> tuple[float, float]:
    """Return (top pixel for `high`, pixels per point)."""
    height = HEIGHT - BOTTOM - TOP
    return TOP, height / max(high - low, 1)


def _ticks(instrument: Instrument, low: int, high: int) -> list[int]:
    values = {low, high, *(band.low for band in instrument.bands)}
    return sorted(values)


def build_chart(instrument: Instrument, responses: Sequence[AssessmentResponse]) -> ScoreChart:
    """Place an instrument's totals (oldest first) in the chart's coordinates."""
    low, high = instrument.total_range or (0, 1)
    top, per_point = _y_scale(low, high)
    rows = [r for r in responses if r.total is not None]
    xs = _x_positions([r.completed_at for r in rows])
    points = [
        ChartPoint(
            x=x,
            y=top + (high - int(r.total or 0)) * per_point,
            total=int(r.total or 0),
            severity=r.severity,
            completed_at=r.completed_at,
        )
        for x, r in zip(xs, rows, strict=True)
    ]
    ticks = [Tick(y=top + (high - v) * per_point, value=v) for v in _ticks(instrument, low, high)]
    return ScoreChart(instrument=instrument, points=points, ticks=ticks)


def charts_for(responses: Sequence[AssessmentResponse]) -> list[ScoreChart]:
    """Return a chart per self-report questionnaire the patient has answered, in registry order."""
    charts = []
    for instrument in list_instruments():
        own = [r for r in responses if r.instrument_id == instrument.id and r.total is not None]
        if own and instrument.respondent == "patient":
            charts.append(build_chart(instrument, own))
    return charts
