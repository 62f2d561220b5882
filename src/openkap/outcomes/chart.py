"""A trajectory as a server-rendered SVG chart: no script needed to see it.

`trajectory_svg` is the one entry point, shared by the clinician's progress page and the patient
portal's simpler chart (`ChartOptions(reference_lines=False, band=False, doses=False)` gives the
scores alone). The SVG carries role="img" and an accessible name that summarises it; pages put a
data table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from markupsafe import Markup, escape

from openkap.instruments.trajectory import Trajectory
from openkap.outcomes.chart_layout import ChartLayout, Frame, chart_layout
from openkap.outcomes.words import chart_summary

INK = "#12344d"
MUTED = "#4a5563"
GRID = "#e3e8ee"
RESPONSE = "#0b5f7a"
REMISSION = "#1e6b35"
DOSE = "#8a5300"
LOSS = "#a4161a"
LEVEL_STYLE = {
    "baseline": f'stroke="{MUTED}" stroke-width="1.5"',
    "response": f'stroke="{RESPONSE}" stroke-width="1.5" stroke-dasharray="6 4"',
    "remission": f'stroke="{REMISSION}" stroke-width="1.5" stroke-dasharray="2 3"',
}
LEVEL_COLOUR = {"baseline": MUTED, "response": RESPONSE, "remission": REMISSION}


@dataclass(frozen=True, slots=True)
class ChartOptions:
    """What to draw besides the scores, and the chart's size."""

    reference_lines: bool = True
    band: bool = True
    doses: bool = True
    highlights: bool = True
    frame: Frame = field(default_factory=Frame)


def _f(value: float) -> str:
    return f"{value:.1f}"


def _path(xs: Sequence[float], ys: Sequence[float]) -> str:
    if not xs:
        return ""
    steps = " ".join(f"L{x:.1f} {y:.1f}" for x, y in zip(xs[1:], ys[1:], strict=True))
    return f"M{xs[0]:.1f} {ys[0]:.1f} {steps}".strip()


def _axes(layout: ChartLayout) -> list[str]:
    frame = layout.frame
    parts = []
    for tick in layout.y_ticks:
        parts.append(
            f'<line x1="{_f(frame.plot_left)}" x2="{_f(frame.plot_right)}" '
            f'y1="{_f(tick.position)}" y2="{_f(tick.position)}" stroke="{GRID}"/>'
            f'<text x="{_f(frame.plot_left - 6)}" y="{_f(tick.position + 4)}" text-anchor="end" '
            f'font-size="11" fill="{MUTED}">{escape(tick.label)}</text>'
        )
    for tick in layout.x_ticks:
        parts.append(
            f'<text x="{_f(tick.position)}" y="{_f(frame.plot_bottom + 30)}" text-anchor="middle" '
            f'font-size="11" fill="{MUTED}">{escape(tick.label)}</text>'
        )
    parts.append(
        f'<rect x="{_f(frame.plot_left)}" y="{_f(frame.plot_top)}" '
        f'width="{_f(frame.plot_right - frame.plot_left)}" '
        f'height="{_f(frame.plot_bottom - frame.plot_top)}" fill="none" stroke="{MUTED}"/>'
    )
    return parts


def _band(layout: ChartLayout) -> list[str]:
    if layout.band is None:
        return []
    frame, (top, bottom) = layout.frame, layout.band
    return [
        f'<rect class="rci-band" x="{_f(frame.plot_left)}" y="{_f(top)}" '
        f'width="{_f(frame.plot_right - frame.plot_left)}" height="{_f(bottom - top)}" '
        f'fill="{RESPONSE}" fill-opacity="0.09"><title>Reliable-change band: baseline '
        f"plus or minus the reliable-change criterion</title></rect>"
    ]


def _levels(layout: ChartLayout) -> list[str]:
    frame = layout.frame
    parts = []
    for level in layout.levels:
        parts.append(
            f'<line class="level-{level.key}" x1="{_f(frame.plot_left)}" '
            f'x2="{_f(frame.plot_right)}" y1="{_f(level.y)}" y2="{_f(level.y)}" '
            f"{LEVEL_STYLE[level.key]}/>"
            f'<text x="{_f(frame.plot_right + 6)}" y="{_f(level.label_y + 4)}" font-size="11" '
            f'fill="{LEVEL_COLOUR[level.key]}">{escape(level.label)}</text>'
        )
    return parts


def _doses(layout: ChartLayout) -> list[str]:
    if not layout.dose_xs:
        return []
    bottom = layout.frame.plot_bottom
    ticks = " ".join(f"M{_f(x)} {_f(bottom + 2)} v10" for x in layout.dose_xs)
    return [
        f'<path class="doses" d="{ticks}" stroke="{DOSE}" stroke-width="1.5">'
        f"<title>Dosing sessions</title></path>"
    ]


def _scores(layout: ChartLayout) -> list[str]:
    width = 1 if layout.thinned else 2
    parts = [
        f'<path class="scores" d="{_path(layout.line_x, layout.line_y)}" fill="none" '
        f'stroke="{INK}" '
        f'stroke-width="{width}" stroke-linejoin="round"/>'
    ]
    parts += [
        f'<circle class="score" cx="{_f(x)}" cy="{_f(y)}" r="3" fill="{INK}"/>'
        for x, y in zip(layout.marker_x, layout.marker_y, strict=True)
    ]
    return parts


def _highlights(layout: ChartLayout) -> list[str]:
    names = {"first_response": ("First response", REMISSION), "loss": ("Loss of response", LOSS)}
    parts = []
    for key, x, y in layout.highlights:
        name, colour = names[key]
        parts.append(
            f'<circle class="{key.replace("_", "-")}" cx="{_f(x)}" cy="{_f(y)}" r="7" '
            f'fill="none" stroke="{colour}" stroke-width="2.5"><title>{name}</title></circle>'
        )
    return parts


def trajectory_svg(
    trajectory: Trajectory,
    *,
    doses: Sequence[datetime] = (),
    options: ChartOptions | None = None,
    label: str | None = None,
) -> Markup:
    """Draw a trajectory as an SVG with an accessible name (`label`, else a summary of it)."""
    options = options or ChartOptions()
    marked = doses if options.doses else ()
    layout = chart_layout(trajectory, doses=marked, frame=options.frame)
    name = label or chart_summary(trajectory, dose_count=len(marked))
    frame = layout.frame
    body = _axes(layout)
    body += _band(layout) if options.band else []
    body += _levels(layout) if options.reference_lines else []
    body += _doses(layout) + _scores(layout)
    body += _highlights(layout) if options.highlights else []
    # Every text put into the drawing is escaped above; the numbers are formatted floats.
    return Markup(  # noqa: S704
        f'<svg class="progress-chart" role="img" aria-label="{escape(name)}" '
        f'viewBox="0 0 {_f(frame.width)} {_f(frame.height)}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f"{''.join(body)}</svg>"
    )
