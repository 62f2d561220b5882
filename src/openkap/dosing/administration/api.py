"""JSON API of a session's administration, esketamine devices, infusion events, adverse events.

Routes check the dosing permissions; the services check them again, so every path is covered.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Response

from openkap.core.deps import DbSession, api_permission
from openkap.core.errors import PreconditionRequired
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.dosing.administration import adverse_events, infusion, order_changes
from openkap.dosing.administration import service as administration
from openkap.dosing.administration.schemas import (
    AdministrationInput,
    AdministrationRead,
    AdverseEventInput,
    AdverseEventRead,
    AdverseEventUpdate,
    DeviceRead,
    EnteredInErrorRequest,
    InfusionEventCreate,
    InfusionEventRead,
    OrderChangeInput,
    OrderChangeRead,
)
from openkap.dosing.models import Administration, AdverseEvent, DosingSession
from openkap.dosing.sessions import service

router = APIRouter(prefix="/api/v1", tags=["dosing"])

Clinician = Annotated[Principal, Depends(api_permission(Permission.dosing_read))]
Administering = Annotated[Principal, Depends(api_permission(Permission.dosing_administer))]
Ordering = Annotated[Principal, Depends(api_permission(Permission.dosing_order))]

READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)
ADMINISTRATION = "/dosing-sessions/{session_id}/administration"
EVENTS = "/dosing-sessions/{session_id}/adverse-events"
ORDER_CHANGES = "/dosing-sessions/{session_id}/order-changes"


class VersionRequired(PreconditionRequired):
    """A change to an adverse event must say which version it changes."""


def _load(db: DbSession, session_id: uuid.UUID, by: Principal) -> DosingSession:
    return service.get_session(db, session_id=session_id, by=by)


def _administration_read(
    db: DbSession, dosing: DosingSession, row: Administration
) -> AdministrationRead:
    devices = [DeviceRead.model_validate(d) for d in administration.list_devices(db, dosing=dosing)]
    return AdministrationRead.model_validate(row).model_copy(update={"devices": devices})


def _event_read(event: AdverseEvent, response: Response) -> AdverseEventRead:
    response.headers["ETag"] = f'"{event.version}"'
    return AdverseEventRead.model_validate(event)


def _parse_if_match(if_match: str | None) -> int:
    value = (if_match or "").strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise VersionRequired(
            'Send the event\'s version in the If-Match header (the ETag you read, e.g. "3").'
        )
    return int(value)


@router.post(ORDER_CHANGES, response_model=OrderChangeRead, status_code=201, responses=WRITE_ERRORS)
def change_order(
    db: DbSession, principal: Ordering, session_id: uuid.UUID, body: OrderChangeInput
) -> OrderChangeRead:
    """Change the session's order before its dose is given (prescribers, with a reason)."""
    dosing = _load(db, session_id, principal)
    change = order_changes.change_order(db, dosing=dosing, data=body, by=principal)
    return OrderChangeRead.model_validate(change)


@router.get(ORDER_CHANGES, response_model=list[OrderChangeRead], responses=READ_ERRORS)
def list_order_changes(
    db: DbSession, principal: Clinician, session_id: uuid.UUID
) -> list[OrderChangeRead]:
    """List the session's order changes, oldest first."""
    dosing = service.session_to_write(db, session_id=session_id, by=principal)
    rows = order_changes.order_changes(db, dosing=dosing, by=principal)
    return [OrderChangeRead.model_validate(row) for row in rows]


@router.post(
    ADMINISTRATION, response_model=AdministrationRead, status_code=201, responses=WRITE_ERRORS
)
def record_administration(
    db: DbSession, principal: Administering, session_id: uuid.UUID, body: AdministrationInput
) -> AdministrationRead:
    """Record the dose given, checked against the plan, and draw it from the ledger."""
    dosing = _load(db, session_id, principal)
    row = administration.record_administration(db, dosing=dosing, data=body, by=principal)
    return _administration_read(db, dosing, row)


@router.get(ADMINISTRATION, response_model=AdministrationRead, responses=READ_ERRORS)
def read_administration(
    db: DbSession, principal: Clinician, session_id: uuid.UUID
) -> AdministrationRead:
    """Return the session's administration with its esketamine devices."""
    dosing = _load(db, session_id, principal)
    row = administration.read_administration(db, dosing=dosing, by=principal)
    return _administration_read(db, dosing, row)


@router.post(
    f"{ADMINISTRATION}/devices/{{number}}/given", response_model=DeviceRead, responses=WRITE_ERRORS
)
def mark_device_given(
    db: DbSession,
    principal: Administering,
    session_id: uuid.UUID,
    number: Annotated[int, Path(ge=1, le=99)],
) -> DeviceRead:
    """Record that an esketamine device was used now."""
    dosing = _load(db, session_id, principal)
    device = infusion.mark_device_given(db, dosing=dosing, number=number, by=principal)
    return DeviceRead.model_validate(device)


@router.post(
    f"{ADMINISTRATION}/events",
    response_model=InfusionEventRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def change_infusion(
    db: DbSession, principal: Administering, session_id: uuid.UUID, body: InfusionEventCreate
) -> InfusionEventRead:
    """Pause, resume, re-rate or stop the administration with a reason; a stop ends it."""
    dosing = _load(db, session_id, principal)
    event = infusion.change_infusion(
        db,
        dosing=dosing,
        kind=body.kind,
        reason=body.reason,
        rate_ml_per_hour=body.rate_ml_per_hour,
        by=principal,
    )
    return InfusionEventRead.model_validate(event)


@router.get(
    f"{ADMINISTRATION}/events", response_model=list[InfusionEventRead], responses=READ_ERRORS
)
def list_infusion_events(
    db: DbSession, principal: Clinician, session_id: uuid.UUID
) -> list[InfusionEventRead]:
    """Return the administration's pauses, resumptions, rate changes and stop."""
    dosing = _load(db, session_id, principal)
    events = administration.read_infusion_events(db, dosing=dosing, by=principal)
    return [InfusionEventRead.model_validate(e) for e in events]


@router.post(EVENTS, response_model=AdverseEventRead, status_code=201, responses=WRITE_ERRORS)
def record_adverse_event(
    db: DbSession,
    principal: Administering,
    session_id: uuid.UUID,
    body: AdverseEventInput,
    response: Response,
) -> AdverseEventRead:
    """Record an adverse event with its treatment and outcome."""
    dosing = _load(db, session_id, principal)
    event = adverse_events.record_adverse_event(db, dosing=dosing, data=body, by=principal)
    return _event_read(event, response)


@router.get(EVENTS, response_model=list[AdverseEventRead], responses=READ_ERRORS)
def list_adverse_events(
    db: DbSession, principal: Clinician, session_id: uuid.UUID
) -> list[AdverseEventRead]:
    """Return the session's adverse events by onset, entered-in-error ones included."""
    dosing = _load(db, session_id, principal)
    events = adverse_events.read_adverse_events(db, dosing=dosing, by=principal)
    return [AdverseEventRead.model_validate(e) for e in events]


@router.patch(
    f"{EVENTS}/{{event_id}}",
    response_model=AdverseEventRead,
    responses=error_responses(401, 403, 404, 409, 422, 428),
)
def update_adverse_event(
    db: DbSession,
    principal: Administering,
    session_id: uuid.UUID,
    event_id: uuid.UUID,
    body: AdverseEventUpdate,
    response: Response,
    if_match: Annotated[str | None, Header(description='The version read, e.g. "3"')] = None,
) -> AdverseEventRead:
    """Change an adverse event's outcome, resolution or action; a stale If-Match gets 409."""
    expected = _parse_if_match(if_match)
    dosing = _load(db, session_id, principal)
    event = adverse_events.update_adverse_event(
        db,
        dosing=dosing,
        event_id=event_id,
        data=body,
        expected_version=expected,
        by=principal,
    )
    return _event_read(event, response)


@router.post(
    f"{EVENTS}/{{event_id}}/entered-in-error",
    response_model=AdverseEventRead,
    responses=WRITE_ERRORS,
)
def mark_adverse_event_in_error(
    db: DbSession,
    principal: Administering,
    session_id: uuid.UUID,
    event_id: uuid.UUID,
    body: EnteredInErrorRequest,
    response: Response,
) -> AdverseEventRead:
    """Mark a wrong adverse event entered-in-error with the reason; it is kept."""
    dosing = _load(db, session_id, principal)
    event = adverse_events.mark_adverse_event_in_error(
        db, dosing=dosing, event_id=event_id, reason=body.reason, by=principal
    )
    return _event_read(event, response)
