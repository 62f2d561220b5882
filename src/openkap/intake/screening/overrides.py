"""Prescribers' overrides of a screening; an absolute contraindication takes two of them.

Overriding a needs_review screening (a relative contraindication) takes one prescriber.
Overriding an ineligible one (an absolute contraindication, CLINICAL.md "Chair guard-rails")
is recorded as pending by the first prescriber and clears the screening only once a second,
different prescriber confirms it with their own written reasons.
"""

from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.episodes.models import Episode, EpisodeState
from openkap.episodes.service import record_move
from openkap.intake.errors import JustificationTooShort, OverrideRefused
from openkap.intake.models import OverrideStatus, ScreeningOutcome, ScreeningOverride, ScreeningRun
from openkap.intake.screening.decisions import latest_decision

S = EpisodeState
# From ready on, a re-run never moves the episode: an uncleared screening holds dosing instead.
TREATING_STATES = frozenset({S.ready, S.induction, S.integration, S.maintenance})
OVERRIDABLE = frozenset({ScreeningOutcome.needs_review, ScreeningOutcome.ineligible})
MIN_JUSTIFICATION = 20


class SecondPrescriberRequired(Forbidden):
    """An absolute contraindication's override is confirmed by a different prescriber."""


def episode_of(session: Session, run: ScreeningRun) -> Episode:
    """Return the episode a run belongs to."""
    episode = session.get(Episode, (run.organization_id, run.episode_id))
    if episode is None:
        raise LookupError("a screening run always has its episode")
    return episode


def _check_reason(justification: str) -> str:
    reason = justification.strip()
    if len(reason) < MIN_JUSTIFICATION:
        raise JustificationTooShort(
            f"Write a justification of at least {MIN_JUSTIFICATION} characters.",
            field="justification",
        )
    return reason


def override_screening(
    session: Session, *, run: ScreeningRun, justification: str, by: Principal
) -> ScreeningOverride:
    """Clear a needs_review screening, or record or confirm an ineligible one's override."""
    if Role.prescriber not in by.roles:
        raise Forbidden("Only a prescriber may override a screening.")
    reason = _check_reason(justification)
    refusal = override_refusal(session, run=run)
    if refusal is not None:
        raise OverrideRefused(refusal)
    decision = latest_decision(session, episode=episode_of(session, run))
    if decision is not None and decision.override is not None:
        return _confirm(session, run=run, override=decision.override, reason=reason, by=by)
    return _record(session, run=run, reason=reason, by=by)


def _record(
    session: Session, *, run: ScreeningRun, reason: str, by: Principal
) -> ScreeningOverride:
    episode = episode_of(session, run)
    absolute = run.outcome == ScreeningOutcome.ineligible.value
    override = ScreeningOverride(
        organization_id=run.organization_id,
        run_id=run.id,
        episode_id=episode.id,
        from_outcome=run.outcome,
        to_outcome=ScreeningOutcome.eligible.value,
        justification=reason,
        status=(OverrideStatus.pending if absolute else OverrideStatus.confirmed).value,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(override)
    session.flush()
    pending = " pending a second prescriber" if absolute else ""
    _audit(session, run, episode, by, f"{run.outcome}->{override.to_outcome}{pending}")
    if not absolute:
        _clear_episode(session, episode=episode, reason=reason, by=by)
    return override


def _confirm(
    session: Session,
    *,
    run: ScreeningRun,
    override: ScreeningOverride,
    reason: str,
    by: Principal,
) -> ScreeningOverride:
    if override.created_by_id == by.user.id:
        raise SecondPrescriberRequired(
            "second_prescriber: an absolute contraindication's override is confirmed by a "
            "different prescriber than the one who recorded it; you recorded this one."
        )
    episode = episode_of(session, run)
    override.status = OverrideStatus.confirmed.value
    override.confirmed_by_id, override.confirmed_at = by.user.id, utcnow()
    override.confirmation, override.updated_by_id = reason, by.user.id
    session.flush()
    _audit(session, run, episode, by, f"{run.outcome}->{override.to_outcome} confirmed")
    _clear_episode(session, episode=episode, reason=reason, by=by)
    return override


def _audit(
    session: Session, run: ScreeningRun, episode: Episode, by: Principal, detail: str
) -> None:
    audit.record(
        session,
        actor=by.actor,
        action="screening.override",
        resource_type="screening_run",
        resource_id=run.id,
        patient_id=episode.patient_id,
        detail=detail,
    )


def _clear_episode(session: Session, *, episode: Episode, reason: str, by: Principal) -> None:
    # A course under way stays where it is: the cleared screening releases the chair's hold.
    if S(episode.state) not in TREATING_STATES:
        record_move(session, episode=episode, to_state=S.eligible, reason=reason, by=by)


def override_refusal(session: Session, *, run: ScreeningRun) -> str | None:
    """Say why the run cannot be overridden now, or None when a prescriber may override it."""
    if run.outcome not in OVERRIDABLE:
        return (
            f"Only a needs_review or ineligible screening can be overridden; this one is "
            f"{run.outcome}."
        )
    if run.missing:
        return (
            "The screening could not check everything; record "
            + ", ".join(run.missing)
            + " and run it again before overriding."
        )
    episode = episode_of(session, run)
    decision = latest_decision(session, episode=episode)
    if decision is None or decision.run.id != run.id:
        return "A newer screening exists: override that one, if needed."
    if decision.override is not None and not decision.pending_override:
        return "This screening was already overridden."
    if episode.state != run.outcome and S(episode.state) not in TREATING_STATES:
        return (
            f"The episode is in {episode.state.replace('_', ' ')}; an override applies only "
            f"while it waits in {run.outcome.replace('_', ' ')}."
        )
    return None
