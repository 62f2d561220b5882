"""JSON API of dosing sessions: observations, dissociation scores and the chair-side view.

Routes check the dosing permissions; the services check them again, so every path is covered.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.core.time import utcnow
from openkap.dosing.chair import leaving
from openkap.dosing.chair import service as chair
from openkap.dosing.models import DosingSession
from openkap.dosing.monitoring import observations
from openkap.dosing.monitoring.schemas import (
    ChairViewRead,
    DissociationCreate,
    DissociationRead,
    DissociationStatement,
    DissociationStatementRead,
    ObservationCreate,
    ObservationRead,
)
from openkap.dosing.sessions import service
from openkap.dosing.sessions.schemas import AbortRequest

router = APIRouter(prefix="/api/v1", tags=["dosing"])

Clinician = Annotated[Principal, Depends(api_permission(Permission.dosing_read))]
Observer = Annotated[Principal, Depends(api_permission(Permission.dosing_observe))]

READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)
SESSION = "/dosing-sessions/{session_id}"


def _load(db: DbSession, session_id: uuid.UUID, by: Principal) -> DosingSession:
    return service.get_session(db, session_id=session_id, by=by)


@router.post(f"{SESSION}/observations", response_model=ObservationRead, responses=WRITE_ERRORS)
def record_observation(
    db: DbSession, principal: Observer, session_id: uuid.UUID, body: ObservationCreate
) -> ObservationRead:
    """Store an observation once; a resend returns the stored one, a different text is a 409."""
    dosing = _load(db, session_id, principal)
    row = observations.record_observation(
        db,
        dosing=dosing,
        client_entry_id=body.client_entry_id,
        observed_at=body.observed_at,
        text=body.text,
        by=principal,
    )
    return ObservationRead.model_validate(row)


@router.get(f"{SESSION}/observations", response_model=list[ObservationRead], responses=READ_ERRORS)
def list_observations(
    db: DbSession, principal: Clinician, session_id: uuid.UUID
) -> list[ObservationRead]:
    """Return the session's observations in observed order, entered-in-error ones included."""
    dosing = _load(db, session_id, principal)
    rows = observations.list_observations(db, dosing=dosing, by=principal)
    return [ObservationRead.model_validate(row) for row in rows]


@router.post(
    f"{SESSION}/observations/{{observation_id}}/entered-in-error",
    response_model=ObservationRead,
    responses=WRITE_ERRORS,
)
def mark_observation_in_error(
    db: DbSession,
    principal: Observer,
    session_id: uuid.UUID,
    observation_id: uuid.UUID,
    body: AbortRequest,
) -> ObservationRead:
    """Mark an observation entered-in-error with the reason (its author or a prescriber)."""
    dosing = _load(db, session_id, principal)
    row = observations.mark_observation_in_error(
        db, dosing=dosing, observation_id=observation_id, reason=body.reason, by=principal
    )
    return ObservationRead.model_validate(row)


@router.post(
    f"{SESSION}/dissociation",
    response_model=DissociationRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def record_dissociation(
    db: DbSession, principal: Observer, session_id: uuid.UUID, body: DissociationCreate
) -> DissociationRead:
    """Score and store a CADSS or CADSS-6 of the session, with its dissociation flag."""
    dosing = _load(db, session_id, principal)
    response = observations.record_dissociation(
        db,
        dosing=dosing,
        instrument_id=body.instrument_id.value,
        answers=body.answers,
        measured_at=body.measured_at,
        by=principal,
    )
    return DissociationRead.of(
        observations.describe_dissociation(db, dosing=dosing, response=response)
    )


@router.get(f"{SESSION}/dissociation", response_model=list[DissociationRead], responses=READ_ERRORS)
def list_dissociation(
    db: DbSession, principal: Clinician, session_id: uuid.UUID
) -> list[DissociationRead]:
    """Return the session's CADSS and CADSS-6 scores in measured order, with their flags."""
    dosing = _load(db, session_id, principal)
    scores = observations.list_dissociation(db, dosing=dosing, by=principal)
    return [DissociationRead.of(score) for score in scores]


@router.get(f"{SESSION}/chair", response_model=ChairViewRead, responses=READ_ERRORS)
def read_chair(db: DbSession, principal: Clinician, session_id: uuid.UUID) -> ChairViewRead:
    """Return everything the chair-side page shows: due items, vitals, alerts, notes, scores."""
    view = chair.read_chair_view_of(db, session_id=session_id, by=principal, now=utcnow())
    return ChairViewRead.of(view)


@router.post(
    f"{SESSION}/dissociation-statement",
    response_model=DissociationStatementRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def state_dissociation_resolved(
    db: DbSession, principal: Observer, session_id: uuid.UUID, body: DissociationStatement
) -> DissociationStatementRead:
    """Record a clinician's statement that dissociation has resolved, in place of a CADSS."""
    dosing = _load(db, session_id, principal)
    item = leaving.state_dissociation_resolved(
        db, dosing=dosing, statement=body.statement, by=principal
    )
    return DissociationStatementRead.model_validate(item)
