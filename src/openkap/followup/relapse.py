"""The relapse rule: a loss of response opens a booster/maintenance review with its evidence.

The rule is the clinical reference's (CLINICAL.md, durability): after a response, a score back
above 50 % of baseline; after remission, a score back outside the remission range. It is judged
by `openkap.instruments.trajectory` (which scores every point with the change metrics of
`openkap.instruments`), so the chart's relapse marker and the review are one rule, not two.

Evaluated after each recorded questionnaire (`evaluate_relapse`, called by whoever records it)
and on demand. One review is open per episode at a time; each loss (instrument and the time of
the score that broke the rule) opens at most one review, so a decided review is not reopened by
the same evidence, while a new loss after a new response opens a new one.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.accounts.principal import Principal
from openkap.assessments.models import AssessmentResponse
from openkap.core import audit
from openkap.dosing.models import DosingSession, SessionState
from openkap.episodes.models import Episode
from openkap.followup.models import Review, ReviewStatus
from openkap.followup.regenerate import actor_of, load_episode
from openkap.followup.settings import rules_in_force
from openkap.instruments import get_instrument
from openkap.instruments.trajectory import (
    Baseline,
    LossOfResponse,
    LossReason,
    Point,
    ResponsePeriod,
    after_first_dose,
    choose_baseline,
    reference_lines,
    response_periods,
)

MAX_SCORES = 5000
MAX_DOSES = 2000
RULE_SOURCE = "OpenKAP clinical reference, outcome definitions (durability, loss of response)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Scored:
    """One stored score of the trajectory and the response it came from."""

    point: Point
    response_id: uuid.UUID


@dataclass(frozen=True, slots=True, kw_only=True)
class RelapseFinding:
    """A loss of response the patient is in now, with what it is judged against."""

    instrument_id: str
    baseline: Baseline
    period: ResponsePeriod
    loss: LossOfResponse
    best: Point
    trigger_response_id: uuid.UUID | None
    first_dose_at: datetime
    doses_given: int


def find_relapse(
    instrument_id: str, scores: Sequence[Scored], doses: Sequence[datetime]
) -> RelapseFinding | None:
    """Return the loss of response the scores show now, or None (no dose, baseline, or loss)."""
    points = [s.point for s in scores]
    baseline = choose_baseline(points, first_dose_at=doses[0] if doses else None, intake=None)
    if baseline is None or not doses:
        return None
    periods = response_periods(
        points, baseline=baseline.total, instrument_id=instrument_id, doses=doses
    )
    if not periods or periods[-1].loss is None:
        return None
    period, loss = periods[-1], periods[-1].loss
    treated = [p for p in after_first_dose(points, doses) if p.at <= loss.at]
    trigger = next((s for s in scores if s.point == Point(loss.at, loss.total)), None)
    return RelapseFinding(
        instrument_id=instrument_id,
        baseline=baseline,
        period=period,
        loss=loss,
        best=min(treated, key=lambda p: (p.total, p.at)),
        trigger_response_id=None if trigger is None else trigger.response_id,
        first_dose_at=doses[0],
        doses_given=sum(1 for dose in doses if dose <= loss.at),
    )


def _rule_text(finding: RelapseFinding) -> str:
    lines = reference_lines(finding.instrument_id, finding.baseline.total)
    name = get_instrument(finding.instrument_id).abbreviation
    if finding.loss.reason == LossReason.above_response_line:
        return (
            f"{name} {finding.loss.total} is above the response line: 50 % of the baseline "
            f"{finding.baseline.total} is {lines.response:g}, after a response."
        )
    rule = lines.remission
    return (
        f"{name} {finding.loss.total} is outside the remission range "
        f"({rule.operator} {rule.threshold}) after remission."
    )


def _at(point: Point) -> dict[str, object]:
    return {"total": point.total, "at": point.at.isoformat()}


def evidence(finding: RelapseFinding, settings_version: int) -> dict[str, object]:
    """Describe the finding for the review: scores, dates, the rule and where it comes from."""
    lines = reference_lines(finding.instrument_id, finding.baseline.total)
    remission_at = finding.period.remission_at
    return {
        "instrument": finding.instrument_id,
        "instrument_name": get_instrument(finding.instrument_id).abbreviation,
        "baseline": {
            **_at(Point(finding.baseline.at, finding.baseline.total)),
            "source": finding.baseline.source.value,
        },
        "best": _at(finding.best),
        "current": {
            **_at(Point(finding.loss.at, finding.loss.total)),
            "response_id": str(finding.trigger_response_id or ""),
        },
        "responding_since": finding.loss.responding_since.isoformat(),
        "remission_at": None if remission_at is None else remission_at.isoformat(),
        "rule": finding.loss.reason.value,
        "rule_text": _rule_text(finding),
        "response_line": lines.response,
        "remission_operator": lines.remission.operator,
        "remission_threshold": lines.remission.threshold,
        "remission_source": lines.remission.citation,
        "first_dose_at": finding.first_dose_at.isoformat(),
        "doses_given": finding.doses_given,
        "settings_version": settings_version,
        "source": RULE_SOURCE,
    }


def _doses(session: Session, episode: Episode) -> list[datetime]:
    rows = session.execute(
        select(DosingSession.dosing_started_at, DosingSession.discharged_at)
        .where(
            DosingSession.organization_id == episode.organization_id,
            DosingSession.episode_id == episode.id,
            DosingSession.state == SessionState.discharged.value,
        )
        .order_by(DosingSession.scheduled_for)
        .limit(MAX_DOSES)
    ).all()
    times = (started or discharged for started, discharged in rows)
    return sorted(moment for moment in times if moment is not None)


def _scores(session: Session, episode: Episode, instrument_id: str) -> list[Scored]:
    rows = session.execute(
        select(AssessmentResponse.completed_at, AssessmentResponse.total, AssessmentResponse.id)
        .where(
            AssessmentResponse.organization_id == episode.organization_id,
            AssessmentResponse.episode_id == episode.id,
            AssessmentResponse.instrument_id == instrument_id,
            AssessmentResponse.status == "active",
            AssessmentResponse.total.is_not(None),
        )
        .order_by(AssessmentResponse.completed_at, AssessmentResponse.created_at)
        .limit(MAX_SCORES)
    ).all()
    return [
        Scored(point=Point(at, total), response_id=rid)
        for at, total, rid in rows
        if total is not None
    ]


def open_review_of(session: Session, *, episode: Episode) -> Review | None:
    """Return the episode's open review, if any."""
    return session.scalars(
        select(Review).where(
            Review.organization_id == episode.organization_id,
            Review.open_episode_id == episode.id,
        )
    ).first()


def _reviewed(session: Session, episode: Episode, finding: RelapseFinding) -> bool:
    return (
        session.scalars(
            select(Review.id).where(
                Review.organization_id == episode.organization_id,
                Review.episode_id == episode.id,
                Review.instrument_id == finding.instrument_id,
                Review.trigger_at == finding.loss.at,
            )
        ).first()
        is not None
    )


def _open_review(
    session: Session, episode: Episode, finding: RelapseFinding, version: int, by: Principal
) -> Review | None:
    review = Review(
        organization_id=episode.organization_id,
        patient_id=episode.patient_id,
        episode_id=episode.id,
        open_episode_id=episode.id,
        instrument_id=finding.instrument_id,
        trigger_at=finding.loss.at,
        trigger_response_id=finding.trigger_response_id,
        evidence=evidence(finding, version),
        status=ReviewStatus.open.value,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    try:
        # A concurrent evaluation may have opened the episode's review first: keep that one.
        with session.begin_nested():
            session.add(review)
            session.flush()
    except IntegrityError:
        return None
    audit.record(
        session,
        actor=actor_of(by, episode.organization_id),
        action="followup_review.open",
        resource_type="followup_review",
        resource_id=review.id,
        patient_id=episode.patient_id,
        detail=f"{finding.instrument_id} {finding.loss.reason.value}",
    )
    return review


def evaluate_relapse(session: Session, *, episode_id: uuid.UUID, by: Principal) -> Review | None:
    """Apply the relapse rule to the episode's scores; return the review it opened, if any."""
    episode = load_episode(session, episode_id=episode_id)
    if open_review_of(session, episode=episode) is not None:
        return None
    rules, version = rules_in_force(session, organization_id=episode.organization_id)
    doses = _doses(session, episode)
    if not doses:
        return None
    for instrument_id in rules.relapse_instruments:
        finding = find_relapse(instrument_id, _scores(session, episode, instrument_id), doses)
        if finding is not None and not _reviewed(session, episode, finding):
            return _open_review(session, episode, finding, version, by)
    return None
