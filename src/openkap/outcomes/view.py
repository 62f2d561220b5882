"""What the progress page shows for each instrument: chart, badges, summary and table page."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from openkap.instruments.trajectory import Trajectory
from openkap.outcomes.chart import trajectory_svg
from openkap.outcomes.chart_layout import MARKER_LIMIT
from openkap.outcomes.errors import NotOnThisChart
from openkap.outcomes.service import Progress
from openkap.outcomes.table import PAGE_SIZE, TablePage, table_page
from openkap.outcomes.words import Badge, badges, baseline_words, chart_summary


@dataclass(frozen=True)
class ChartSection:
    """One instrument's part of the page."""

    trajectory: Trajectory
    svg: Markup
    summary: str
    badges: list[Badge]
    baseline: str
    table: TablePage
    table_open: bool
    thinned: bool

    @property
    def key(self) -> str:
        return self.trajectory.instrument.id


def chart_sections(progress: Progress, *, table: str = "", page: int = 1) -> list[ChartSection]:
    """Build every instrument's section; `table` names the one whose table shows `page`."""
    if table and progress.trajectory_of(table) is None:
        shown = ", ".join(t.instrument.id for t in progress.trajectories) or "none"
        raise NotOnThisChart(
            f"No {table!r} scores in this course; instruments shown: {shown}.", field="table"
        )
    return [
        _section(
            progress,
            t,
            page=page if t.instrument.id == table else 1,
            open_=t.instrument.id == table,
        )
        for t in progress.trajectories
    ]


def _section(progress: Progress, trajectory: Trajectory, *, page: int, open_: bool) -> ChartSection:
    doses = progress.doses
    summary = chart_summary(trajectory, dose_count=len(doses))
    return ChartSection(
        trajectory=trajectory,
        svg=trajectory_svg(trajectory, doses=doses, label=summary),
        summary=summary,
        badges=badges(trajectory),
        baseline=baseline_words(trajectory),
        table=table_page(trajectory, doses=doses, offset=(page - 1) * PAGE_SIZE),
        table_open=open_,
        thinned=len(trajectory.points) > MARKER_LIMIT,
    )
