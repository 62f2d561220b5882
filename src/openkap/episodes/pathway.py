"""Moving an episode along the pathway, with every requirement of the move checked first.

This module sits above intake and plans: it reads their decisions, and they never import it.
"""

from collections.abc import Callable

from sqlalchemy.orm import Session

from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.episodes import service
from openkap.episodes.errors import ClosureNotConfirmed, TransitionRefused
from openkap.episodes.machine import LEAVING, allowed_moves
from openkap.episodes.models import Episode, EpisodeState, EpisodeTransition
from openkap.intake.screening.decisions import latest_decision
from openkap.plans import readiness
from openkap.plans.models import Drug, PlanStatus

Requirement = Callable[[Session, Episode], list[str]]
MIN_CLOSURE_REASON = 10


def _screening_cleared(session: Session, episode: Episode) -> list[str]:
    decision = latest_decision(session, episode=episode)
    if decision is None:
        return ["suitability screening not run"]
    if decision.out_of_date:
        return ["the intake changed after the last screening: run the screening again"]
    if not decision.cleared_to_treat:
        return [f"screening outcome is {decision.outcome.value} and no override is recorded"]
    return []


def _ready_to_dose(session: Session, episode: Episode) -> list[str]:
    missing = _screening_cleared(session, episode)
    plan = readiness.current_plan(session, episode=episode)
    if plan is None:
        return [*missing, "no treatment plan"]
    if plan.status != PlanStatus.signed.value:
        missing.append("treatment plan not signed by a prescriber")
    if readiness.valid_consent(session, episode=episode, route=plan.route, drug=plan.drug) is None:
        missing.append(f"consent not signed for {plan.drug.replace('_', ' ')} ({plan.route})")
    if (
        plan.drug == Drug.esketamine.value
        and readiness.rems_enrolment(session, patient_id=episode.patient_id) is None
    ):
        missing.append("patient not enrolled in the esketamine REMS")
    return missing


REQUIREMENTS: dict[EpisodeState, Requirement] = {
    EpisodeState.preparing: _screening_cleared,
    EpisodeState.ready: _ready_to_dose,
}


def blockers(session: Session, *, episode: Episode, to_state: EpisodeState) -> list[str]:
    """Return what stops a move (empty when it may happen)."""
    requirement = REQUIREMENTS.get(to_state)
    return requirement(session, episode) if requirement else []


def _refuse_unless_allowed(episode: Episode, to_state: EpisodeState) -> None:
    current = EpisodeState(episode.state)
    allowed = allowed_moves(current)
    if to_state not in allowed:
        names = ", ".join(sorted(s.value for s in allowed)) or "none (the episode is closed)"
        raise TransitionRefused(
            f"An episode in {current.value} cannot move to {to_state.value}. "
            f"Allowed next states: {names}.",
            field="to_state",
        )


def check_closure(*, to_state: EpisodeState, reason: str, confirmed: bool) -> None:
    """Refuse withdrawing or discharging a course without a written reason and a confirmation."""
    if to_state not in LEAVING:
        return
    if len(reason.strip()) < MIN_CLOSURE_REASON:
        raise ClosureNotConfirmed(
            f"ClosureNotConfirmed: moving a course to {to_state.value} needs a written reason of "
            f"at least {MIN_CLOSURE_REASON} characters; {len(reason.strip())} given.",
            field="reason",
        )
    if not confirmed:
        raise ClosureNotConfirmed(
            f"ClosureNotConfirmed: moving a course to {to_state.value} ends it; confirm it "
            "(confirm: true) to go on.",
            field="confirm",
        )


def move(
    session: Session,
    *,
    episode: Episode,
    to_state: EpisodeState,
    reason: str,
    by: Principal,
    confirmed: bool = False,
) -> EpisodeTransition:
    """Move an episode along the pathway after checking the move and its requirements."""
    require(by, Permission.episode_manage, "Your role does not allow moving an episode.")
    _refuse_unless_allowed(episode, to_state)
    check_closure(to_state=to_state, reason=reason, confirmed=confirmed)
    missing = blockers(session, episode=episode, to_state=to_state)
    if missing:
        raise TransitionRefused(
            f"Cannot move to {to_state.value}: " + "; ".join(missing) + ".", field="to_state"
        )
    return service.record_move(session, episode=episode, to_state=to_state, reason=reason, by=by)


def resume(session: Session, *, episode: Episode, reason: str, by: Principal) -> EpisodeTransition:
    """Take an episode off hold, back to the state it paused in."""
    if episode.state != EpisodeState.on_hold.value or not episode.state_before_hold:
        raise TransitionRefused("Only an episode on hold can be resumed.")
    target = EpisodeState(episode.state_before_hold)
    missing = blockers(session, episode=episode, to_state=target)
    if missing:
        raise TransitionRefused(f"Cannot resume to {target.value}: " + "; ".join(missing) + ".")
    return service.record_move(session, episode=episode, to_state=target, reason=reason, by=by)


def next_steps(session: Session, *, episode: Episode) -> list[tuple[EpisodeState, list[str]]]:
    """Return each move the episode allows now, with what blocks it (empty when free)."""
    state = EpisodeState(episode.state)
    moves = sorted(allowed_moves(state), key=_pathway_order)
    steps = [(target, blockers(session, episode=episode, to_state=target)) for target in moves]
    if state == EpisodeState.on_hold and episode.state_before_hold:
        target = EpisodeState(episode.state_before_hold)
        steps.insert(0, (target, blockers(session, episode=episode, to_state=target)))
    return steps


def _pathway_order(state: EpisodeState) -> int:
    return list(EpisodeState).index(state)
