"""Suitability screening of an episode: run the clinic's rules, keep everything, override.

A run stores the rule set version, every rule's inputs and result, and what is missing; it then
moves the episode to the outcome. Only a prescriber's recorded override, with a written
justification, turns a needs_review or ineligible screening into eligible.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import Forbidden
from openkap.core.models import User
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.episodes.models import Episode, EpisodeState
from openkap.episodes.service import record_move
from openkap.intake.errors import ScreeningNotAllowed, ScreeningNotFound
from openkap.intake.models import (
    RuleResult,
    RuleSet,
    ScreeningOutcome,
    ScreeningOverride,
    ScreeningRun,
)
from openkap.intake.record.service import find_intake
from openkap.intake.screening.facts import gather_facts
from openkap.intake.screening.overrides import (
    MIN_JUSTIFICATION,
    OVERRIDABLE,
    TREATING_STATES,
    episode_of,
    override_refusal,
    override_screening,
)
from openkap.intake.screening.rules import (
    CATALOGUE,
    Decision,
    RuleOutcome,
    configured,
    decide,
    evaluate,
)
from openkap.intake.screening.rulesets import current_rule_set

__all__ = ["MIN_JUSTIFICATION", "OVERRIDABLE", "override_refusal", "override_screening"]

S = EpisodeState
# A first run happens in screening; a re-run (after the intake was corrected, or when something
# new comes up) is possible in every active state from screening on, the course of doses too.
RUNNABLE_STATES = (
    frozenset({S.screening, S.eligible, S.needs_review, S.ineligible, S.preparing})
    | TREATING_STATES
)
STATE_OF_OUTCOME = {
    ScreeningOutcome.eligible: S.eligible,
    ScreeningOutcome.needs_review: S.needs_review,
    ScreeningOutcome.ineligible: S.ineligible,
    ScreeningOutcome.incomplete: S.screening,
}


@dataclass(frozen=True)
class ScreeningRecord:
    """A run with its rule results (catalogue order) and overrides (oldest first)."""

    run: ScreeningRun
    results: list[RuleResult]
    overrides: list[ScreeningOverride]


def _check_runnable(episode: Episode) -> None:
    if episode.state not in RUNNABLE_STATES:
        raise ScreeningNotAllowed(
            f"An episode in {episode.state.replace('_', ' ')} cannot be screened: screening runs "
            "in every active state from the screening step on (not before the intake is done, "
            "nor on hold or closed)."
        )


def run_screening(session: Session, *, episode: Episode, by: Principal) -> ScreeningRun:
    """Screen an episode with the clinic's current rules and move it to the outcome."""
    if not allows(by.roles, Permission.screening_run):
        raise Forbidden("Your role does not allow running a screening.")
    _check_runnable(episode)
    rule_set = current_rule_set(session, organization_id=episode.organization_id)
    intake = find_intake(session, episode=episode)
    facts = gather_facts(session, episode=episode, intake=intake, on=utcnow().date())
    outcomes = [evaluate(rule, params, facts) for rule, params in configured(rule_set.rules)]
    decision = decide(outcomes)
    prefix = "" if intake is not None else "No intake is recorded for this episode. "
    run = _store_run(session, episode, rule_set, decision, prefix, by)
    _store_results(session, run, outcomes)
    audit.record(
        session,
        actor=by.actor,
        action="screening.run",
        resource_type="screening_run",
        resource_id=run.id,
        patient_id=episode.patient_id,
        detail=f"outcome={run.outcome} rule_set_version={run.rule_set_version}",
    )
    _follow_outcome(session, episode=episode, run=run, by=by)
    return run


def _store_run(
    session: Session,
    episode: Episode,
    rule_set: RuleSet,
    decision: Decision,
    prefix: str,
    by: Principal,
) -> ScreeningRun:
    run = ScreeningRun(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        rule_set_id=rule_set.id,
        rule_set_version=rule_set.version,
        outcome=decision.outcome.value,
        missing=decision.missing,
        explanation=f"{prefix}{decision.explanation} (Rule set version {rule_set.version}.)",
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(run)
    session.flush()
    return run


def _store_results(session: Session, run: ScreeningRun, outcomes: list[RuleOutcome]) -> None:
    session.add_all(
        RuleResult(
            organization_id=run.organization_id,
            run_id=run.id,
            rule_id=o.rule.id,
            category=o.rule.category.value,
            inputs=o.inputs,
            triggered=o.finding.triggered,
            explanation=o.explanation,
            source=o.rule.source,
        )
        for o in outcomes
    )
    session.flush()


def _follow_outcome(
    session: Session, *, episode: Episode, run: ScreeningRun, by: Principal
) -> None:
    current, outcome = S(episode.state), ScreeningOutcome(run.outcome)
    # A re-run that confirms eligibility during preparation leaves the preparation where it is;
    # from ready on the episode never moves back: an uncleared run holds dosing at the chair.
    if current in TREATING_STATES or (
        current == S.preparing and outcome == ScreeningOutcome.eligible
    ):
        return
    target = STATE_OF_OUTCOME[outcome]
    if target != current:
        reason = f"Screening outcome {outcome.value} (rule set version {run.rule_set_version})."
        record_move(session, episode=episode, to_state=target, reason=reason, by=by)


def list_screenings(session: Session, *, episode: Episode, by: Principal) -> list[ScreeningRecord]:
    """Return the episode's screenings, newest first, and audit the read."""
    runs = list(
        session.scalars(
            select(ScreeningRun)
            .where(ScreeningRun.episode_id == episode.id)
            .order_by(ScreeningRun.created_at.desc())
        )
    )
    audit.record(
        session,
        actor=by.actor,
        action="screening.list",
        resource_type="episode",
        resource_id=episode.id,
        patient_id=episode.patient_id,
    )
    return _records(session, runs)


def get_screening(session: Session, *, run_id: uuid.UUID, by: Principal) -> ScreeningRecord:
    """Return one screening run of the caller's clinic and audit the read."""
    run = session.get(ScreeningRun, (by.organization_id, run_id))
    if run is None:
        raise ScreeningNotFound("No such screening.")
    audit.record(
        session,
        actor=by.actor,
        action="screening.read",
        resource_type="screening_run",
        resource_id=run.id,
        patient_id=episode_of(session, run).patient_id,
    )
    return record_of(session, run=run)


def record_of(session: Session, *, run: ScreeningRun) -> ScreeningRecord:
    """Return a run with its results and overrides (callers audited the access already)."""
    return _records(session, [run])[0]


def _records(session: Session, runs: list[ScreeningRun]) -> list[ScreeningRecord]:
    ids = [run.id for run in runs]
    if not ids:
        return []
    results = session.scalars(select(RuleResult).where(RuleResult.run_id.in_(ids))).all()
    overrides = session.scalars(
        select(ScreeningOverride)
        .where(ScreeningOverride.run_id.in_(ids))
        .order_by(ScreeningOverride.created_at)
    ).all()
    order = {rule_id: index for index, rule_id in enumerate(CATALOGUE)}
    return [
        ScreeningRecord(
            run=run,
            results=sorted(
                (r for r in results if r.run_id == run.id),
                key=lambda r: order.get(r.rule_id, len(order)),
            ),
            overrides=[o for o in overrides if o.run_id == run.id],
        )
        for run in runs
    ]


def user_names(session: Session, *, user_ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Return the names of the clinic's users who created records, for display."""
    wanted = {user_id for user_id in user_ids if user_id is not None}
    if not wanted:
        return {}
    users = session.scalars(select(User).where(User.id.in_(wanted))).all()
    return {user.id: user.full_name for user in users}
