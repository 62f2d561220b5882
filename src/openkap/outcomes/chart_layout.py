"""Where everything of a progress chart goes: scales, ticks, lines, and the points to draw.

One layout serves the SVG page chart (pixels) and the PDF chart (millimetres), so both show the
same picture. Scores are drawn on the instrument's whole range, higher (worse) at the top. Long
histories are thinned for drawing only: per column of the plot the first, lowest, highest and
last scores are kept, which draws the same line as every point would; the data table keeps them
all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from openkap.instruments.trajectory import Trajectory

# Above these counts the points are thinned per column, and drawn without a marker each.
MARKER_LIMIT = 120
COLUMN_WIDTH = 1.0


@dataclass(frozen=True, slots=True)
class Frame:
    """The chart's size and the margins around its plot area, in the drawing's unit."""

    width: float = 720
    height: float = 260
    left: float = 40
    right: float = 110
    top: float = 14
    bottom: float = 46
    label_gap: float = 13

    @property
    def plot_left(self) -> float:
        return self.left

    @property
    def plot_right(self) -> float:
        return self.width - self.right

    @property
    def plot_top(self) -> float:
        return self.top

    @property
    def plot_bottom(self) -> float:
        return self.height - self.bottom


@dataclass(frozen=True, slots=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True, slots=True)
class Level:
    """A horizontal reference line: its height and its label."""

    key: str
    y: float
    label: str
    label_y: float


@dataclass(frozen=True, slots=True)
class ChartLayout:
    """Everything a renderer needs, already in the drawing's coordinates."""

    frame: Frame
    line_x: tuple[float, ...]
    line_y: tuple[float, ...]
    marker_x: tuple[float, ...]
    marker_y: tuple[float, ...]
    dose_xs: tuple[float, ...]
    levels: tuple[Level, ...]
    band: tuple[float, float] | None
    highlights: tuple[tuple[str, float, float], ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    thinned: bool


class _Scale:
    """Times to x and scores to y; times go through float seconds, once per point."""

    def __init__(self, frame: Frame, start: datetime, end: datetime, top_value: float) -> None:
        self.frame, self.start, self.end, self.top_value = frame, start, end, top_value
        self._t0 = start.timestamp()
        self._x_per_second = (frame.plot_right - frame.plot_left) / (end - start).total_seconds()
        self._y_per_point = (frame.plot_bottom - frame.plot_top) / top_value if top_value else 0.0

    def x(self, moment: datetime) -> float:
        return self.frame.plot_left + (moment.timestamp() - self._t0) * self._x_per_second

    def y(self, value: float) -> float:
        return self.frame.plot_bottom - value * self._y_per_point

    def xs(self, moments: Iterable[datetime]) -> list[float]:
        """Place many times at once (the hot loop of a long history)."""
        left, t0, per_second = self.frame.plot_left, self._t0, self._x_per_second
        return [left + (moment.timestamp() - t0) * per_second for moment in moments]

    def ys(self, values: Iterable[float]) -> list[float]:
        """Place many scores at once."""
        bottom, per_point = self.frame.plot_bottom, self._y_per_point
        return [bottom - value * per_point for value in values]


def _time_span(trajectory: Trajectory, doses: Sequence[datetime]) -> tuple[datetime, datetime]:
    times = trajectory.points.times
    moments = [*times[:1], *times[-1:], *doses[:1], *doses[-1:]]
    if trajectory.baseline is not None:
        moments.append(trajectory.baseline.at)
    start, end = min(moments), max(moments)
    if end - start < timedelta(days=1):
        start, end = start - timedelta(hours=12), end + timedelta(hours=12)
    pad = (end - start) * 0.02
    return start - pad, end + pad


def _top_value(trajectory: Trajectory) -> float:
    score_range = trajectory.instrument.total_range
    highest = max(trajectory.points.totals, default=0)
    return float(max(score_range[1] if score_range else 0, highest, 1))


def thin(xs: Sequence[float], ys: Sequence[float]) -> tuple[list[float], list[float]]:
    """Keep the first, lowest, highest and last point of each column, in time order."""
    if len(xs) <= MARKER_LIMIT:
        return list(xs), list(ys)
    kept: list[int] = []
    start = 0
    for end in range(1, len(xs) + 1):
        if end == len(xs) or int(xs[end] // COLUMN_WIDTH) != int(xs[start] // COLUMN_WIDTH):
            kept.extend(_extremes(ys, start, end))
            start = end
    return [xs[i] for i in kept], [ys[i] for i in kept]


def _extremes(ys: Sequence[float], start: int, end: int) -> list[int]:
    if end - start <= 4:
        return list(range(start, end))
    column = range(start, end)
    lowest = min(column, key=ys.__getitem__)
    highest = max(column, key=ys.__getitem__)
    return sorted({start, end - 1, lowest, highest})


def _dose_xs(scale: _Scale, doses: Sequence[datetime]) -> tuple[float, ...]:
    xs: list[float] = []
    for x in scale.xs(doses):
        if not xs or x - xs[-1] >= COLUMN_WIDTH / 2:
            xs.append(round(x, 1))
    return tuple(xs)


def _operator(sign: str) -> str:
    return "\u2264" if sign == "<=" else sign


def _levels(trajectory: Trajectory, scale: _Scale) -> tuple[Level, ...]:
    lines = trajectory.lines
    if lines is None:
        return ()
    rule = lines.remission
    raw = [
        ("baseline", scale.y(lines.baseline), f"Baseline {lines.baseline}"),
        ("response", scale.y(lines.response), f"Response \u2264 {lines.response:g}"),
        (
            "remission",
            scale.y(rule.threshold),
            f"Remission {_operator(rule.operator)} {rule.threshold}",
        ),
    ]
    # Labels of lines that lie close together (MADRS 20: response and remission both at 10) are
    # pushed apart downwards so they never print over each other.
    levels: list[Level] = []
    for key, y, label in sorted(raw, key=lambda level: level[1]):
        label_y = y if not levels else max(y, levels[-1].label_y + scale.frame.label_gap)
        levels.append(Level(key, y, label, label_y))
    return tuple(levels)


def _band(trajectory: Trajectory, scale: _Scale) -> tuple[float, float] | None:
    band = trajectory.lines.band if trajectory.lines else None
    if band is None:
        return None
    low, high = max(band[0], 0.0), min(band[1], scale.top_value)
    return scale.y(high), scale.y(low)


def _highlights(trajectory: Trajectory, scale: _Scale) -> tuple[tuple[str, float, float], ...]:
    """The first response, the loss that ended it, and the relapse the patient is in now."""
    marks: list[tuple[str, float, float]] = []
    if trajectory.first_response is not None:
        first = trajectory.first_response
        marks.append(("first_response", scale.x(first.at), scale.y(first.total)))
    losses = [trajectory.durability.loss if trajectory.durability else None, trajectory.relapse]
    for loss in dict.fromkeys(loss for loss in losses if loss is not None):
        marks.append(("loss", scale.x(loss.at), scale.y(loss.total)))
    return tuple(marks)


def _x_ticks(scale: _Scale, count: int = 5) -> tuple[Tick, ...]:
    span = scale.end - scale.start
    fmt = "%d %b %H:%M" if span <= timedelta(days=3) else "%d %b %Y"
    if span > timedelta(days=730):
        fmt = "%b %Y"
    moments = [scale.start + span * (i + 0.5) / count for i in range(count)]
    return tuple(Tick(scale.x(m), m.strftime(fmt)) for m in moments)


def _y_ticks(scale: _Scale) -> tuple[Tick, ...]:
    top = scale.top_value
    step = 5 if top <= 30 else 10 if top <= 60 else 20
    return tuple(Tick(scale.y(v), str(v)) for v in range(0, int(top) + 1, step))


def chart_layout(
    trajectory: Trajectory, *, doses: Sequence[datetime] = (), frame: Frame | None = None
) -> ChartLayout:
    """Lay out one trajectory (and the dose times to mark) in a frame."""
    frame = frame or Frame()
    start, end = _time_span(trajectory, doses)
    scale = _Scale(frame, start, end, _top_value(trajectory))
    xs, ys = scale.xs(trajectory.points.times), scale.ys(trajectory.points.totals)
    line_x, line_y = thin(xs, ys)
    few = len(xs) <= MARKER_LIMIT
    return ChartLayout(
        frame=frame,
        line_x=tuple(line_x),
        line_y=tuple(line_y),
        marker_x=tuple(xs) if few else (),
        marker_y=tuple(ys) if few else (),
        dose_xs=_dose_xs(scale, doses),
        levels=_levels(trajectory, scale),
        band=_band(trajectory, scale),
        highlights=_highlights(trajectory, scale),
        x_ticks=_x_ticks(scale),
        y_ticks=_y_ticks(scale),
        thinned=not few,
    )
