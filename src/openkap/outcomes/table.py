"""The data table beside each chart: every score, newest first, one page at a time.

Each row is judged against the course's baseline with the same change metrics as the chart; only
the rows of the page asked for are judged, so a long history costs a slice, not a scan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from openkap.instruments.trajectory import Judge, Trajectory, doses_given_by

PAGE_SIZE = 20
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class TableRow:
    """One score with its judgement against baseline."""

    at: datetime
    total: int
    severity: str | None
    change: int | None
    percent_change: float | None
    response: bool | None
    remission: bool | None
    reliable_change: bool | None
    doses_given: int


@dataclass(frozen=True, slots=True)
class TablePage:
    """One page of a trajectory's scores, newest first, and where it lies in the whole."""

    rows: tuple[TableRow, ...]
    offset: int
    limit: int
    total_rows: int

    @property
    def page(self) -> int:
        return self.offset // self.limit + 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total_rows // self.limit))

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def has_next(self) -> bool:
        return self.offset + self.limit < self.total_rows


def _row(
    trajectory: Trajectory, judge: Judge | None, index: int, doses: Sequence[datetime]
) -> TableRow:
    point = trajectory.points[index]
    result = judge(point.total) if judge is not None else None
    before_treatment = trajectory.first_dose_at is None or point.at <= trajectory.first_dose_at
    return TableRow(
        at=point.at,
        total=point.total,
        severity=trajectory.instrument.severity_for(point.total),
        change=None if result is None else result.change,
        percent_change=None if result is None else result.percent_change,
        response=None if result is None or before_treatment else result.response,
        remission=None if result is None or before_treatment else result.remission,
        reliable_change=None if result is None else result.reliable_change,
        doses_given=doses_given_by(doses, point.at),
    )


def table_page(
    trajectory: Trajectory, *, doses: Sequence[datetime], offset: int = 0, limit: int = PAGE_SIZE
) -> TablePage:
    """Return the scores from `offset` (newest first), at most `limit`, each judged."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    total_rows = len(trajectory.points)
    offset = max(0, min(offset, (total_rows - 1) // limit * limit if total_rows else 0))
    judge = None
    if trajectory.lines is not None and trajectory.baseline is not None:
        judge = Judge(trajectory.instrument.id, trajectory.baseline.total)
    newest = total_rows - 1 - offset
    indexes = range(newest, max(newest - limit, -1), -1)
    rows = tuple(_row(trajectory, judge, index, doses) for index in indexes)
    return TablePage(rows=rows, offset=offset, limit=limit, total_rows=total_rows)
