"""A patient's progress as the JSON API returns it (schemas.ProgressRead)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from openkap.instruments.trajectory import LossOfResponse, ReferenceLines, Trajectory
from openkap.outcomes.errors import NotOnThisChart
from openkap.outcomes.schemas import (
    BaselineRead,
    CourseRead,
    DurabilityRead,
    FirstResponseRead,
    LinesRead,
    LossRead,
    PointRead,
    ProgressRead,
    StatusRead,
    TrajectoryRead,
)
from openkap.outcomes.service import Progress
from openkap.outcomes.table import table_page
from openkap.outcomes.words import (
    chart_summary,
    durability_words,
    first_response_words,
    status_words,
)


def _lines(lines: ReferenceLines) -> LinesRead:
    rule = lines.remission
    return LinesRead(
        baseline=lines.baseline,
        response_at_or_below=lines.response,
        remission_operator=rule.operator,
        remission_threshold=rule.threshold,
        remission_convention=rule.convention,
        remission_source=rule.citation,
        remission_requires_reliable_improvement=rule.requires_reliable_improvement,
        reliable_change_points=lines.reliable_change,
        reliable_change_band=lines.band,
    )


def _loss(loss: LossOfResponse | None) -> LossRead | None:
    if loss is None:
        return None
    return LossRead(
        at=loss.at,
        total=loss.total,
        reason=loss.reason.value,
        responding_since=loss.responding_since,
    )


def _first_response(trajectory: Trajectory) -> FirstResponseRead | None:
    first = trajectory.first_response
    if first is None:
        return None
    return FirstResponseRead(
        at=first.at,
        total=first.total,
        hours_after_first_dose=round(first.after_first_dose.total_seconds() / 3600, 2),
        doses=first.doses,
        words=first_response_words(trajectory),
    )


def _status(trajectory: Trajectory) -> StatusRead | None:
    current = trajectory.current
    if current is None:
        return None
    return StatusRead(
        latest_at=current.latest.at,
        latest_total=current.latest.total,
        response=current.response,
        remission=current.remission,
        words=status_words(trajectory)[0],
    )


def _durability(trajectory: Trajectory) -> DurabilityRead | None:
    lasting = trajectory.durability
    if lasting is None:
        return None
    return DurabilityRead(
        since=lasting.since,
        until=lasting.until,
        days=round(lasting.duration.total_seconds() / 86400, 2),
        ongoing=lasting.ongoing,
        loss=_loss(lasting.loss),
        words=durability_words(trajectory)[0],
    )


def _trajectory(
    trajectory: Trajectory, *, doses: list[datetime], offset: int, limit: int
) -> TrajectoryRead:
    page = table_page(trajectory, doses=doses, offset=offset, limit=limit)
    baseline = trajectory.baseline
    return TrajectoryRead(
        instrument_id=trajectory.instrument.id,
        abbreviation=trajectory.instrument.abbreviation,
        title=trajectory.instrument.title,
        score_count=len(trajectory.points),
        baseline=None
        if baseline is None
        else BaselineRead(total=baseline.total, at=baseline.at, source=baseline.source.value),
        lines=None if trajectory.lines is None else _lines(trajectory.lines),
        first_response=_first_response(trajectory),
        status=_status(trajectory),
        durability=_durability(trajectory),
        relapse=_loss(trajectory.relapse),
        summary=chart_summary(trajectory, dose_count=len(doses)),
        points=[PointRead(**asdict(row)) for row in page.rows],
        points_offset=page.offset,
        points_limit=page.limit,
    )


def progress_read(
    progress: Progress, *, instrument: str | None, points_offset: int, points_limit: int
) -> ProgressRead:
    """Shape a patient's progress for the API; points are paged per trajectory."""
    chosen = [t for t in progress.trajectories if instrument in (None, t.instrument.id)]
    if instrument is not None and not chosen:
        shown = ", ".join(t.instrument.id for t in progress.trajectories) or "none"
        raise NotOnThisChart(
            f"No {instrument!r} scores in this course; instruments with scores: {shown}.",
            field="instrument",
        )
    course = progress.course
    return ProgressRead(
        patient_id=progress.patient.id,
        course=None if course is None else CourseRead(**asdict(course)),
        courses=[CourseRead(**asdict(c)) for c in progress.courses],
        generated_at=progress.generated_at,
        scores_cut_at=progress.scores_cut_at,
        trajectories=[
            _trajectory(t, doses=progress.doses, offset=points_offset, limit=points_limit)
            for t in chosen
        ],
    )
