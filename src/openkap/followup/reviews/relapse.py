"""The relapse rule: a confirmed relapse opens a booster/maintenance review with its evidence.

The rule is the clinical reference's (CLINICAL.md, durability): relapse is a loss of response
(after a response, a score back above 50 % of baseline) on two consecutive assessments 5-15 days
apart (as in SUSTAIN-1; the days are clinic settings). One score above the line is a loss of
response only; leaving the remission range is a loss of remission, which is not a loss of
response: neither opens a review. Judged by `openkap.instruments.trajectory` and
`openkap.instruments.relapse` (which score every point with the change metrics of
`openkap.instruments`), so the chart and the review apply one rule, not two.

Evaluated on every stored response (`stored_responses.after_response_stored`, whatever the path)
and on demand. One review is open per episode at a time; each relapse episode (instrument and
the time of the loss of response that began it) opens at most one review, so a decided review is
not reopened by the same evidence or a later score of the same episode, while a new loss after a
new response opens a new one.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.assessments.models import AssessmentResponse
from openkap.core.audit import chain as audit
from openkap.core.principal import Principal
from openkap.dosing.models import DosingSession, SessionState
from openkap.episodes.models import Episode
from openkap.followup.models import Review, ReviewStatus
from openkap.followup.schedule.regenerate import actor_of, load_episode
from openkap.followup.settings.service import rules_in_force
from openkap.instruments import get_instrument
from openkap.instruments.relapse import (
    DurabilityState,
    Relapse,
    confirmed_relapse,
    durability_state,
)
from openkap.instruments.trajectory import (
    Baseline,
    Point,
    after_first_dose,
    choose_baseline,
    reference_lines,
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
class Confirmation:
    """The clinic's relapse confirmation rule: consecutive assessments this many days apart."""

    min_days: int
    max_days: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RelapseFinding:
    """A confirmed relapse the patient is in now, with what it is judged against."""

    instrument_id: str
    baseline: Baseline
    relapse: Relapse
    rule: Confirmation
    best: Point
    trigger_response_id: uuid.UUID | None
    first_dose_at: datetime
    doses_given: int


def find_relapse(
    instrument_id: str, scores: Sequence[Scored], doses: Sequence[datetime], rule: Confirmation
) -> RelapseFinding | None:
    """Return the confirmed relapse the scores show now, or None (no dose, baseline or relapse)."""
    points = [s.point for s in scores]
    baseline = choose_baseline(points, first_dose_at=doses[0] if doses else None, intake=None)
    if baseline is None or not doses:
        return None
    found = confirmed_relapse(
        points,
        baseline=baseline.total,
        instrument_id=instrument_id,
        doses=doses,
        min_days=rule.min_days,
        max_days=rule.max_days,
    )
    if found is None:
        return None
    treated = [p for p in after_first_dose(points, doses) if p.at <= found.loss.at]
    trigger = next((s for s in scores if s.point == found.confirming), None)
    return RelapseFinding(
        instrument_id=instrument_id,
        baseline=baseline,
        relapse=found,
        rule=rule,
        best=min(treated, key=lambda p: (p.total, p.at)),
        trigger_response_id=None if trigger is None else trigger.response_id,
        first_dose_at=doses[0],
        doses_given=sum(1 for dose in doses if dose <= found.confirming.at),
    )


def _rule_text(finding: RelapseFinding) -> str:
    lines = reference_lines(finding.instrument_id, finding.baseline.total)
    name = get_instrument(finding.instrument_id).abbreviation
    found = finding.relapse
    return (
        f"Relapse: {name} {found.first.total} and then {found.confirming.total}, "
        f"{found.days_apart} days apart, are both above the response line (50 % of the "
        f"baseline {finding.baseline.total} is {lines.response:g}) after a response; the "
        f"clinic confirms a relapse on two consecutive assessments {finding.rule.min_days}-"
        f"{finding.rule.max_days} days apart."
    )


def _at(point: Point) -> dict[str, object]:
    return {"total": point.total, "at": point.at.isoformat()}


def evidence(finding: RelapseFinding, settings_version: int) -> dict[str, object]:
    """Describe the finding for the review: scores, dates, the rule and where it comes from."""
    lines = reference_lines(finding.instrument_id, finding.baseline.total)
    found = finding.relapse
    return {
        "instrument": finding.instrument_id,
        "instrument_name": get_instrument(finding.instrument_id).abbreviation,
        "baseline": {
            **_at(Point(finding.baseline.at, finding.baseline.total)),
            "source": finding.baseline.source.value,
        },
        "best": _at(finding.best),
        "loss_of_response": _at(Point(found.loss.at, found.loss.total)),
        "first": _at(found.first),
        "current": {
            **_at(found.confirming),
            "response_id": str(finding.trigger_response_id or ""),
        },
        "days_apart": found.days_apart,
        "confirm_min_days": finding.rule.min_days,
        "confirm_max_days": finding.rule.max_days,
        "responding_since": found.loss.responding_since.isoformat(),
        "rule": "relapse_confirmed",
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
                Review.trigger_at == finding.relapse.loss.at,
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
        trigger_at=finding.relapse.loss.at,
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
        detail=f"{finding.instrument_id} relapse confirmed {finding.relapse.days_apart} days apart",
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
    rule = Confirmation(
        min_days=rules.relapse_confirm_min_days, max_days=rules.relapse_confirm_max_days
    )
    for instrument_id in rules.relapse_instruments:
        scores = _scores(session, episode, instrument_id)
        finding = find_relapse(instrument_id, scores, doses, rule)
        if finding is not None and not _reviewed(session, episode, finding):
            return _open_review(session, episode, finding, version, by)
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class InstrumentState:
    """Where the patient stands now on one watched instrument, and the latest score."""

    instrument_id: str
    state: DurabilityState
    latest: Point


def durability_states(session: Session, *, episode_id: uuid.UUID) -> list[InstrumentState]:
    """Judge each watched instrument now: responding, loss of remission or response, relapse."""
    episode = load_episode(session, episode_id=episode_id)
    rules, _ = rules_in_force(session, organization_id=episode.organization_id)
    doses = _doses(session, episode)
    found = []
    for instrument_id in rules.relapse_instruments if doses else ():
        points = [s.point for s in _scores(session, episode, instrument_id)]
        baseline = choose_baseline(points, first_dose_at=doses[0], intake=None)
        treated = after_first_dose(points, doses)
        if baseline is None or not treated:
            continue
        state = durability_state(
            points,
            baseline=baseline.total,
            instrument_id=instrument_id,
            doses=doses,
            min_days=rules.relapse_confirm_min_days,
            max_days=rules.relapse_confirm_max_days,
        )
        found.append(InstrumentState(instrument_id=instrument_id, state=state, latest=treated[-1]))
    return found
