"""JSON API of dosing sessions: lifecycle, pre-dose checks and overrides, vitals and alerts.

Routes check the dosing permissions; the services check them again, so every path is covered.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.dosing.chair import leaving, pre_dose
from openkap.dosing.models import DosingSession
from openkap.dosing.monitoring import service as monitoring
from openkap.dosing.sessions import service, views
from openkap.dosing.sessions.schemas import (
    AbortRequest,
    AlertAcknowledge,
    AlertRead,
    ChecklistAnswer,
    ChecklistItemRead,
    HardStopRead,
    OverrideCreate,
    OverrideRead,
    RecordedVitalsRead,
    SessionCreate,
    SessionView,
    VitalsCreate,
    VitalsRead,
)
from openkap.episodes.service import get_episode

router = APIRouter(prefix="/api/v1", tags=["dosing"])

Scheduler = Annotated[Principal, Depends(api_permission(Permission.dosing_schedule))]
Staff = Annotated[Principal, Depends(api_permission(Permission.dosing_session_read))]
Clinician = Annotated[Principal, Depends(api_permission(Permission.dosing_read))]
Prescriber = Annotated[Principal, Depends(api_permission(Permission.dosing_override))]

READ_ERRORS = error_responses(401, 403, 404, 422)
WRITE_ERRORS = error_responses(401, 403, 404, 409, 422)
SESSION = "/dosing-sessions/{session_id}"


def _load(db: DbSession, session_id: uuid.UUID, by: Principal) -> DosingSession:
    return service.get_session(db, session_id=session_id, by=by)


def _read(dosing: DosingSession, by: Principal) -> SessionView:
    return views.session_view(dosing, by=by)


@router.post(
    "/episodes/{episode_id}/dosing-sessions",
    response_model=SessionView,
    status_code=201,
    responses=WRITE_ERRORS,
)
def schedule(
    db: DbSession, principal: Scheduler, episode_id: uuid.UUID, body: SessionCreate
) -> SessionView:
    """Schedule a dosing session against the episode's signed plan."""
    episode = get_episode(db, episode_id=episode_id, by=principal)
    dosing = service.schedule_session(
        db, episode=episode, scheduled_for=body.scheduled_for, by=principal
    )
    return _read(dosing, principal)


@router.get(
    "/episodes/{episode_id}/dosing-sessions",
    response_model=list[SessionView],
    responses=READ_ERRORS,
)
def list_for_episode(db: DbSession, principal: Staff, episode_id: uuid.UUID) -> list[SessionView]:
    """Return the episode's dosing sessions in scheduled order."""
    episode = get_episode(db, episode_id=episode_id, by=principal)
    return [_read(s, principal) for s in service.list_sessions(db, episode=episode, by=principal)]


@router.get(SESSION, response_model=SessionView, responses=READ_ERRORS)
def read(db: DbSession, principal: Staff, session_id: uuid.UUID) -> SessionView:
    """Return one dosing session."""
    return _read(_load(db, session_id, principal), principal)


@router.post(f"{SESSION}/check-in", response_model=SessionView, responses=WRITE_ERRORS)
def check_in(db: DbSession, principal: Scheduler, session_id: uuid.UUID) -> SessionView:
    """Record that the patient has arrived."""
    dosing = _load(db, session_id, principal)
    return _read(service.check_in(db, dosing=dosing, by=principal), principal)


@router.post(
    f"{SESSION}/checklist",
    response_model=ChecklistItemRead,
    status_code=201,
    responses=WRITE_ERRORS,
)
def answer_checklist(
    db: DbSession, principal: Clinician, session_id: uuid.UUID, body: ChecklistAnswer
) -> ChecklistItemRead:
    """Record one pre-dose checklist answer."""
    dosing = _load(db, session_id, principal)
    item = pre_dose.record_checklist(
        db,
        dosing=dosing,
        key=body.key,
        value=body.value,
        by=principal,
        weight_change_reason=body.weight_change_reason,
    )
    return ChecklistItemRead.model_validate(item)


@router.get(f"{SESSION}/hard-stops", response_model=list[HardStopRead], responses=READ_ERRORS)
def hard_stops(db: DbSession, principal: Clinician, session_id: uuid.UUID) -> list[HardStopRead]:
    """Return the named hard stops holding dosing, with their overrides."""
    dosing = _load(db, session_id, principal)
    return [
        HardStopRead(
            key=stop.key.value,
            message=stop.message,
            overridable=stop.overridable,
            blocking=stop.blocking,
            override=OverrideRead.model_validate(stop.override) if stop.override else None,
        )
        for stop in pre_dose.read_hard_stops(db, dosing=dosing, by=principal)
    ]


@router.post(
    f"{SESSION}/overrides", response_model=OverrideRead, status_code=201, responses=WRITE_ERRORS
)
def override(
    db: DbSession, principal: Prescriber, session_id: uuid.UUID, body: OverrideCreate
) -> OverrideRead:
    """Override one hard stop with the prescriber's written reason."""
    dosing = _load(db, session_id, principal)
    return OverrideRead.model_validate(
        pre_dose.override_hard_stop(
            db, dosing=dosing, key=body.stop_key, reason=body.reason, by=principal
        )
    )


@router.post(f"{SESSION}/start", response_model=SessionView, responses=WRITE_ERRORS)
def start(db: DbSession, principal: Clinician, session_id: uuid.UUID) -> SessionView:
    """Start administration; refused while a hard stop is neither resolved nor overridden."""
    dosing = _load(db, session_id, principal)
    return _read(pre_dose.start_dosing(db, dosing=dosing, by=principal), principal)


@router.post(f"{SESSION}/vitals", response_model=RecordedVitalsRead, responses=WRITE_ERRORS)
def record_vitals(
    db: DbSession, principal: Clinician, session_id: uuid.UUID, body: VitalsCreate
) -> RecordedVitalsRead:
    """Store a reading once and return it with its alerts; a resent reading returns the first."""
    # The chairs' busiest call: the recording audits itself, so no separate read event.
    dosing = service.session_to_write(db, session_id=session_id, by=principal)
    data = monitoring.VitalsInput(**body.model_dump())
    recorded = monitoring.record_vitals(db, dosing=dosing, data=data, by=principal)
    return RecordedVitalsRead(
        reading=VitalsRead.model_validate(recorded.reading),
        alerts=[AlertRead.model_validate(a) for a in recorded.alerts],
    )


@router.get(f"{SESSION}/vitals", response_model=list[VitalsRead], responses=READ_ERRORS)
def list_vitals(db: DbSession, principal: Clinician, session_id: uuid.UUID) -> list[VitalsRead]:
    """Return the session's readings in measured order."""
    dosing = _load(db, session_id, principal)
    return [
        VitalsRead.model_validate(v)
        for v in monitoring.list_vitals(db, dosing=dosing, by=principal)
    ]


@router.post(
    f"{SESSION}/vitals/{{reading_id}}/entered-in-error",
    response_model=VitalsRead,
    responses=WRITE_ERRORS,
)
def mark_reading_in_error(
    db: DbSession,
    principal: Clinician,
    session_id: uuid.UUID,
    reading_id: uuid.UUID,
    body: AbortRequest,
) -> VitalsRead:
    """Mark a wrong reading entered-in-error with the reason; it is kept."""
    dosing = _load(db, session_id, principal)
    row = monitoring.mark_reading_in_error(
        db, dosing=dosing, reading_id=reading_id, reason=body.reason, by=principal
    )
    return VitalsRead.model_validate(row)


@router.get(f"{SESSION}/alerts", response_model=list[AlertRead], responses=READ_ERRORS)
def list_alerts(db: DbSession, principal: Clinician, session_id: uuid.UUID) -> list[AlertRead]:
    """Return the session's alerts, those waiting for an action first."""
    dosing = _load(db, session_id, principal)
    return [
        AlertRead.model_validate(a) for a in monitoring.list_alerts(db, dosing=dosing, by=principal)
    ]


@router.post(
    f"{SESSION}/alerts/{{alert_id}}/acknowledge", response_model=AlertRead, responses=WRITE_ERRORS
)
def acknowledge(
    db: DbSession,
    principal: Clinician,
    session_id: uuid.UUID,
    alert_id: uuid.UUID,
    body: AlertAcknowledge,
) -> AlertRead:
    """Acknowledge an alert with the action taken."""
    dosing = _load(db, session_id, principal)
    alert = monitoring.acknowledge_alert(
        db, dosing=dosing, alert_id=alert_id, action_taken=body.action_taken, by=principal
    )
    return AlertRead.model_validate(alert)


@router.post(f"{SESSION}/finish-administration", response_model=SessionView, responses=WRITE_ERRORS)
def finish(db: DbSession, principal: Clinician, session_id: uuid.UUID) -> SessionView:
    """Record the end of administration."""
    dosing = _load(db, session_id, principal)
    return _read(leaving.finish_administration(db, dosing=dosing, by=principal), principal)


@router.post(f"{SESSION}/ready-for-discharge", response_model=SessionView, responses=WRITE_ERRORS)
def ready(db: DbSession, principal: Clinician, session_id: uuid.UUID) -> SessionView:
    """Mark the patient ready to leave; refused with the unmet criteria."""
    dosing = _load(db, session_id, principal)
    return _read(leaving.mark_ready_for_discharge(db, dosing=dosing, by=principal), principal)


@router.post(f"{SESSION}/discharge", response_model=SessionView, responses=WRITE_ERRORS)
def discharge(db: DbSession, principal: Clinician, session_id: uuid.UUID) -> SessionView:
    """Discharge the patient; refused with the unmet criteria."""
    dosing = _load(db, session_id, principal)
    return _read(leaving.discharge(db, dosing=dosing, by=principal), principal)


@router.post(f"{SESSION}/abort", response_model=SessionView, responses=WRITE_ERRORS)
def abort(
    db: DbSession, principal: Clinician, session_id: uuid.UUID, body: AbortRequest
) -> SessionView:
    """Stop the session with a written reason."""
    dosing = _load(db, session_id, principal)
    return _read(service.abort(db, dosing=dosing, reason=body.reason, by=principal), principal)
