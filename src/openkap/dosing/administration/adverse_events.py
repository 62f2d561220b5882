"""Adverse events of a dosing session: what happened, how it was treated and how it ended.

An event may be recorded from the start of dosing until after discharge (a late report is still
recorded). Later changes to its outcome carry the version they were based on; a wrong event is
marked entered-in-error with a reason and kept.
"""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.errors import Conflict, InvalidState, NotFound
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.administration.schemas import (
    MIN_REASON,
    AdverseEventInput,
    AdverseEventOutcome,
    AdverseEventType,
    AdverseEventUpdate,
)
from openkap.dosing.errors import InvalidSessionInput, SessionStateRefused, require_aware
from openkap.dosing.models import AdverseEvent, DosingSession, SessionState
from openkap.dosing.state import audit_session

ENTERED_IN_ERROR = "entered-in-error"
RECORDS = "Only nurses and prescribers record adverse events."
# Once dosing has started an event may follow at any time, even after the patient has left.
_AFTER_DOSING = frozenset(
    {
        SessionState.dosing.value,
        SessionState.monitoring.value,
        SessionState.ready_for_discharge.value,
        SessionState.discharged.value,
    }
)
_RESCUE = ("rescue_drug", "rescue_dose", "rescue_given_at")


class AdverseEventNotFound(NotFound):
    """No such adverse event in this dosing session."""


class AdverseEventVersionMismatch(Conflict):
    """The change was based on an older version of the adverse event."""


class AdverseEventInError(InvalidState):
    """The adverse event was marked entered-in-error and takes no more changes."""


def list_adverse_events(session: Session, *, dosing: DosingSession) -> list[AdverseEvent]:
    """Return the session's adverse events by onset, entered-in-error ones included."""
    query = select(AdverseEvent).where(AdverseEvent.session_id == dosing.id)
    return list(session.scalars(query.order_by(AdverseEvent.onset_at, AdverseEvent.id)))


def read_adverse_events(
    session: Session, *, dosing: DosingSession, by: Principal
) -> list[AdverseEvent]:
    """Return the session's adverse events to a clinician, auditing the read."""
    require(by, Permission.dosing_read, "Your role does not allow reading adverse events.")
    audit_session(session, dosing=dosing, action="read_adverse_events", by=by)
    return list_adverse_events(session, dosing=dosing)


def _require_after_dosing(dosing: DosingSession) -> None:
    aborted_after_dose = (
        dosing.state == SessionState.aborted.value and dosing.dosing_started_at is not None
    )
    if dosing.state not in _AFTER_DOSING and not aborted_after_dose:
        raise SessionStateRefused(
            f"The session is {dosing.state}; adverse events are recorded once dosing has started."
        )


def _check_time(field: str, value: datetime, *, dosing: DosingSession) -> None:
    """Refuse a time in the future or before the patient checked in."""
    require_aware(field, value)
    if value > utcnow():
        raise InvalidSessionInput(f"{field} is in the future.", field=field)
    if dosing.checked_in_at is not None and value < dosing.checked_in_at:
        raise InvalidSessionInput(
            f"{field} is before the patient checked in ({dosing.checked_in_at.isoformat()}).",
            field=field,
        )


def _check_rescue(data: AdverseEventInput, dosing: DosingSession) -> None:
    given = {name: getattr(data, name) not in (None, "") for name in _RESCUE}
    if any(given.values()) and not all(given.values()):
        missing = [name for name, present in given.items() if not present]
        raise InvalidSessionInput(
            "Rescue medication is recorded with its drug, dose and time together; missing: "
            + ", ".join(missing)
            + ".",
            field=missing[0],
        )
    if data.rescue_given_at is not None:
        _check_time("rescue_given_at", data.rescue_given_at, dosing=dosing)


def _check_resolution(
    outcome: AdverseEventOutcome, resolved_at: datetime | None, *, onset_at: datetime
) -> None:
    if outcome == AdverseEventOutcome.resolved and resolved_at is None:
        raise InvalidSessionInput("A resolved event needs resolved_at.", field="resolved_at")
    if outcome != AdverseEventOutcome.resolved and resolved_at is not None:
        raise InvalidSessionInput(
            f"resolved_at is given only when the outcome is resolved, not {outcome.value}.",
            field="resolved_at",
        )
    if resolved_at is not None:
        require_aware("resolved_at", resolved_at)
        if resolved_at > utcnow():
            raise InvalidSessionInput("resolved_at is in the future.", field="resolved_at")
        if resolved_at < onset_at:
            raise InvalidSessionInput("resolved_at is before the onset.", field="resolved_at")


def _checked(data: AdverseEventInput, dosing: DosingSession) -> None:
    if data.event_type == AdverseEventType.other and not data.description.strip():
        raise InvalidSessionInput("Describe an event of type other.", field="description")
    _check_time("onset_at", data.onset_at, dosing=dosing)
    _check_rescue(data, dosing)
    _check_resolution(data.outcome, data.resolved_at, onset_at=data.onset_at)


def record_adverse_event(
    session: Session, *, dosing: DosingSession, data: AdverseEventInput, by: Principal
) -> AdverseEvent:
    """Record an adverse event of the session with its treatment and outcome."""
    require(by, Permission.dosing_administer, RECORDS)
    _require_after_dosing(dosing)
    _checked(data, dosing)
    event = AdverseEvent(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        event_type=data.event_type.value,
        description=data.description.strip(),
        onset_at=data.onset_at,
        severity=data.severity.value,
        serious=data.serious,
        action_taken=data.action_taken,
        rescue_drug=data.rescue_drug or None,
        rescue_dose=data.rescue_dose or None,
        rescue_given_at=data.rescue_given_at,
        outcome=data.outcome.value,
        resolved_at=data.resolved_at,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
    )
    session.add(event)
    session.flush()
    audit_session(session, dosing=dosing, action="record_adverse_event", by=by)
    return event


def get_adverse_event(
    session: Session, *, dosing: DosingSession, event_id: uuid.UUID
) -> AdverseEvent:
    """Return one adverse event of the session."""
    event = session.get(AdverseEvent, (dosing.organization_id, event_id))
    if event is None or event.session_id != dosing.id:
        raise AdverseEventNotFound("No such adverse event in this session.")
    return event


def _editable(event: AdverseEvent, expected_version: int) -> None:
    if event.status == ENTERED_IN_ERROR:
        raise AdverseEventInError("The event was marked entered-in-error and cannot change.")
    if event.version != expected_version:
        raise AdverseEventVersionMismatch(
            f"The event is at version {event.version}, not {expected_version}: someone changed "
            "it since you opened it. Reload and apply your change again."
        )


def update_adverse_event(
    session: Session,
    *,
    dosing: DosingSession,
    event_id: uuid.UUID,
    data: AdverseEventUpdate,
    expected_version: int,
    by: Principal,
) -> AdverseEvent:
    """Change how an adverse event was treated or ended, from the version the caller read."""
    require(by, Permission.dosing_administer, RECORDS)
    event = get_adverse_event(session, dosing=dosing, event_id=event_id)
    _editable(event, expected_version)
    changes = data.model_dump(exclude_unset=True)
    if not changes:
        raise InvalidSessionInput("Send at least one field to change.", field="outcome")
    outcome = AdverseEventOutcome(changes.get("outcome") or event.outcome)
    resolved_at = changes.get("resolved_at", event.resolved_at)
    if outcome != AdverseEventOutcome.resolved and "resolved_at" not in changes:
        resolved_at = None  # an event that flared up again is no longer resolved
    _check_resolution(outcome, resolved_at, onset_at=event.onset_at)
    event.outcome, event.resolved_at = outcome.value, resolved_at
    if changes.get("action_taken"):
        event.action_taken = changes["action_taken"]
    event.updated_by_id = by.user.id
    session.flush()
    audit_session(session, dosing=dosing, action="update_adverse_event", by=by)
    return event


def mark_adverse_event_in_error(
    session: Session, *, dosing: DosingSession, event_id: uuid.UUID, reason: str, by: Principal
) -> AdverseEvent:
    """Mark a wrong adverse event entered-in-error with the reason; it is kept, never deleted."""
    require(by, Permission.dosing_administer, RECORDS)
    event = get_adverse_event(session, dosing=dosing, event_id=event_id)
    if event.status == ENTERED_IN_ERROR:
        raise AdverseEventInError("The event is already marked entered-in-error.")
    if len(reason.strip()) < MIN_REASON:
        raise InvalidSessionInput(
            f"Write the reason in at least {MIN_REASON} characters.", field="reason"
        )
    event.status, event.error_reason = ENTERED_IN_ERROR, reason.strip()
    event.updated_by_id = by.user.id
    session.flush()
    audit_session(session, dosing=dosing, action="adverse_event_entered_in_error", by=by)
    return event
