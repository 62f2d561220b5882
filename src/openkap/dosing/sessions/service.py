"""Dosing-session use cases: schedule, read, check in, abort (the state helpers every
sub-package shares are in dosing.state).

The checklist, hard stops and start of dosing are in dosing.chair.pre_dose; vital signs and
alerts in dosing.monitoring.service; the end of administration and discharge in
dosing.chair.leaving.
"""

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.administration.orders import next_session_number, plan_order
from openkap.dosing.errors import (
    DosingSessionNotFound,
    InvalidSessionInput,
    SessionStateRefused,
    require_aware,
)
from openkap.dosing.models import (
    Administration,
    AdministrationStatus,
    DosingSession,
    SessionState,
)
from openkap.dosing.state import FINISHED, audit_session, move, require_state
from openkap.episodes.models import Episode, EpisodeState
from openkap.plans.models import PlanStatus, ProtocolTemplate
from openkap.plans.readiness import current_plan

# A later step of the pathway adds its own conditions on booking a dose (follow-up's approved
# maintenance course) through this list, so dosing never imports it.
SchedulingCheck = Callable[[Session, Episode, datetime], None]
_SCHEDULING_CHECKS: list[SchedulingCheck] = []

DOSING_EPISODE_STATES = frozenset(
    {EpisodeState.ready.value, EpisodeState.induction.value, EpisodeState.maintenance.value}
)


def add_scheduling_check(check: SchedulingCheck) -> None:
    """Register a condition every new dosing session must meet; the check raises to refuse."""
    if check not in _SCHEDULING_CHECKS:
        _SCHEDULING_CHECKS.append(check)


def schedule_session(
    session: Session,
    *,
    episode: Episode,
    scheduled_for: datetime,
    by: Principal,
) -> DosingSession:
    """Schedule a dosing session at the signed plan's order for the episode's next dose."""
    require(
        by, Permission.dosing_schedule, "Only front desk, nurses and prescribers schedule dosing."
    )
    require_aware("scheduled_for", scheduled_for)
    if episode.state not in DOSING_EPISODE_STATES:
        raise SessionStateRefused(
            f"The episode is {episode.state}; dosing needs ready, induction or maintenance."
        )
    for check in _SCHEDULING_CHECKS:
        check(session, episode, scheduled_for)
    plan = current_plan(session, episode=episode)
    if plan is None or plan.status != PlanStatus.signed.value:
        raise SessionStateRefused("Dosing is scheduled only against a signed treatment plan.")
    template = session.get(ProtocolTemplate, (plan.organization_id, plan.template_id))
    if template is None:
        raise SessionStateRefused("The plan's protocol template is missing.")
    number = next_session_number(session, episode=episode)
    order = plan_order(session, plan=plan, template=template, number=number)
    dosing = DosingSession(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        patient_id=episode.patient_id,
        plan_id=plan.id,
        plan_version=plan.plan_version,
        route=plan.route,
        drug=plan.drug,
        session_number=number,
        planned_dose_mg=order.dose_mg,
        order_infusion_minutes=order.infusion_minutes,
        order_concentration_mg_per_ml=order.concentration_mg_per_ml,
        scheduled_for=scheduled_for,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(dosing)
    session.flush()
    audit_session(session, dosing=dosing, action="create", by=by)
    return dosing


def session_to_write(session: Session, *, session_id: uuid.UUID, by: Principal) -> DosingSession:
    """Return a dosing session of the caller's clinic for a write that audits itself."""
    require(by, Permission.dosing_session_read, "Your role does not allow reading dosing sessions.")
    dosing = session.get(DosingSession, (by.organization_id, session_id))
    if dosing is None:
        raise DosingSessionNotFound("No such dosing session.")
    return dosing


def get_session(session: Session, *, session_id: uuid.UUID, by: Principal) -> DosingSession:
    """Return a dosing session of the caller's clinic and audit the read."""
    dosing = session_to_write(session, session_id=session_id, by=by)
    audit_session(session, dosing=dosing, action="read", by=by)
    return dosing


def list_sessions(session: Session, *, episode: Episode, by: Principal) -> list[DosingSession]:
    """Return an episode's dosing sessions in scheduled order."""
    require(by, Permission.dosing_session_read, "Your role does not allow reading dosing sessions.")
    return list(
        session.scalars(
            select(DosingSession)
            .where(DosingSession.episode_id == episode.id)
            .order_by(DosingSession.scheduled_for)
        )
    )


def require_no_other_open_session(session: Session, *, dosing: DosingSession) -> None:
    """Refuse a second open session of the patient: one chair, one dose at a time."""
    other = session.scalars(
        select(DosingSession).where(
            DosingSession.organization_id == dosing.organization_id,
            DosingSession.patient_id == dosing.patient_id,
            DosingSession.id != dosing.id,
            DosingSession.state.not_in([*FINISHED, SessionState.scheduled.value]),
        )
    ).first()
    if other is not None:
        raise SessionStateRefused(
            f"One open session per patient: the patient's session {other.id} is {other.state}; "
            "discharge or abort it before another is checked in or started."
        )


def check_in(session: Session, *, dosing: DosingSession, by: Principal) -> DosingSession:
    """Record that the patient has arrived for a scheduled session."""
    require(
        by, Permission.dosing_schedule, "Only front desk, nurses and prescribers check patients in."
    )
    require_state(dosing, SessionState.scheduled)
    require_no_other_open_session(session, dosing=dosing)
    move(dosing, SessionState.checked_in, by)
    dosing.checked_in_at = utcnow()
    audit_session(session, dosing=dosing, action="check_in", by=by)
    return dosing


def _stop_running_administration(session: Session, dosing: DosingSession) -> None:
    """An abort mid-infusion also stops the infusion, with the abort's reason and time."""
    running = session.scalars(
        select(Administration).where(
            Administration.session_id == dosing.id,
            Administration.status.in_(
                (AdministrationStatus.running.value, AdministrationStatus.paused.value)
            ),
        )
    ).first()
    if running is not None:
        running.status = AdministrationStatus.stopped.value
        running.stopped_at, running.stop_reason = dosing.ended_at, dosing.aborted_reason


def abort(session: Session, *, dosing: DosingSession, reason: str, by: Principal) -> DosingSession:
    """Stop a session that is not finished, keeping the written reason."""
    require(by, Permission.dosing_administer, "Only nurses and prescribers abort a dosing session.")
    if dosing.state in FINISHED:
        raise SessionStateRefused(f"The session is already {dosing.state}.")
    if len(reason.strip()) < 10:
        raise InvalidSessionInput("Write the reason in at least 10 characters.", field="reason")
    move(dosing, SessionState.aborted, by)
    dosing.aborted_reason = reason.strip()
    dosing.ended_at = dosing.ended_at or utcnow()
    _stop_running_administration(session, dosing)
    audit_session(session, dosing=dosing, action="abort", by=by)
    return dosing
