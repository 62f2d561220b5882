"""The end of administration, readiness for discharge and discharge itself.

Administration ends when the nurse finishes it (the dose is recorded and, for esketamine, every
device given) or when it is stopped early (dosing.administration.infusion.change_infusion).
Discharge criteria are dosing.chair.discharge's; a session also may not leave while an alert is
still waiting for someone to acknowledge it with an action, before dissociation is assessed (a
CADSS, or a clinician's statement that it has resolved), or while the undelivered part of a
stopped administration is neither returned to stock nor wasted with a witness
(dosing.remainder.service).
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.chair.discharge import discharge_blockers
from openkap.dosing.chair.pre_dose import ChecklistKey, checklist_answers
from openkap.dosing.errors import (
    DischargeRefused,
    InvalidSessionInput,
    SessionStateRefused,
)
from openkap.dosing.models import (
    Administration,
    AdministrationStatus,
    ChecklistItem,
    DeviceGiven,
    DosingSession,
    SessionAlert,
    SessionState,
    VitalSigns,
)
from openkap.dosing.monitoring.observations import session_dissociation
from openkap.dosing.remainder.service import remainder_blockers
from openkap.dosing.state import audit_session, move, require_state
from openkap.dosing.thresholds.rules import VitalReading
from openkap.dosing.thresholds.service import clinic_thresholds
from openkap.plans.models import Drug, Route

# A clinician's statement that dissociation has resolved: discharge needs it, or a CADSS.
DISSOCIATION_STATEMENT = "dissociation_resolved"
MIN_STATEMENT = 10


def end_administration(
    session: Session, *, dosing: DosingSession, at: datetime, action: str, by: Principal
) -> DosingSession:
    """Move a dosing session on to monitoring, noting when administration ended."""
    require_state(dosing, SessionState.dosing)
    move(dosing, SessionState.monitoring, by)
    dosing.ended_at = at
    audit_session(session, dosing=dosing, action=action, by=by)
    return dosing


def _running_administration(session: Session, dosing: DosingSession) -> Administration:
    administration = session.scalars(
        select(Administration).where(Administration.session_id == dosing.id)
    ).first()
    if administration is None:
        raise SessionStateRefused("No administration is recorded: record the dose given first.")
    if administration.status == AdministrationStatus.paused.value:
        raise SessionStateRefused(
            "The infusion is paused: resume it, or stop it early with a reason."
        )
    if administration.status != AdministrationStatus.running.value:
        raise SessionStateRefused(f"The administration is already {administration.status}.")
    return administration


def _refuse_devices_not_given(session: Session, dosing: DosingSession) -> None:
    waiting = session.scalars(
        select(DeviceGiven.number)
        .where(DeviceGiven.session_id == dosing.id, DeviceGiven.given_at.is_(None))
        .order_by(DeviceGiven.number)
    ).all()
    if waiting:
        numbers = ", ".join(str(n) for n in waiting)
        raise SessionStateRefused(
            f"Esketamine device(s) {numbers} not given yet: mark each device given, "
            "or stop the administration early with a reason."
        )


def finish_administration(
    session: Session, *, dosing: DosingSession, by: Principal
) -> DosingSession:
    """Record the end of administration; monitoring continues."""
    require(by, Permission.dosing_administer, "Only nurses and prescribers administer doses.")
    require_state(dosing, SessionState.dosing)
    administration = _running_administration(session, dosing)
    _refuse_devices_not_given(session, dosing)
    administration.status = AdministrationStatus.completed.value
    administration.updated_by_id = by.user.id
    return end_administration(
        session, dosing=dosing, at=utcnow(), action="finish_administration", by=by
    )


def _post_dose_readings(session: Session, dosing: DosingSession) -> list[VitalSigns]:
    return list(
        session.scalars(
            select(VitalSigns)
            .where(
                VitalSigns.session_id == dosing.id,
                VitalSigns.status == "final",
                VitalSigns.measured_at >= dosing.dosing_started_at,
            )
            .order_by(VitalSigns.measured_at.desc(), VitalSigns.id)
        )
    )


def _latest_vitals(readings: list[VitalSigns]) -> VitalReading | None:
    for row in readings:
        if any(v is not None for v in (row.sbp, row.dbp, row.hr, row.spo2, row.rr)):
            return VitalReading(sbp=row.sbp, dbp=row.dbp, hr=row.hr, spo2=row.spo2, rr=row.rr)
    return None


def unmet_discharge_criteria(
    session: Session, *, dosing: DosingSession, now: datetime | None = None
) -> list[str]:
    """Return every discharge criterion the session does not meet yet (empty when ready)."""
    if dosing.first_device_at is None:
        return ["dosing has not started"]
    readings = _post_dose_readings(session, dosing)
    moaas = next((row.moaas for row in readings if row.moaas is not None), None)
    answers = checklist_answers(session, dosing=dosing)
    thresholds = clinic_thresholds(session, organization_id=dosing.organization_id)
    scores = session_dissociation(session, dosing=dosing, thresholds=thresholds)
    assessment = discharge_blockers(
        drug=Drug(dosing.drug),
        route=Route(dosing.route),
        first_dose_at=dosing.first_device_at,
        administration_ended_at=dosing.ended_at,
        now=now or utcnow(),
        latest_vitals=_latest_vitals(readings),
        latest_moaas=moaas,
        escort_present=answers.get(ChecklistKey.escort_confirmed.value) == "yes",
        # The newest score decides: dissociation must have resolved, not merely been scored.
        latest_cadss=scores[-1].response.total if scores else None,
        thresholds=thresholds,
    )
    waiting = session.scalars(
        select(SessionAlert.id).where(
            SessionAlert.session_id == dosing.id, SessionAlert.acknowledged_at.is_(None)
        )
    ).all()
    pending = [f"{len(waiting)} alert(s) are not acknowledged"] if waiting else []
    if not scores and DISSOCIATION_STATEMENT not in answers:
        pending.append(
            "dissociation is not assessed: score a CADSS, or record a clinician's statement "
            "that it has resolved"
        )
    return [*assessment.blockers, *pending, *remainder_blockers(session, dosing=dosing)]


def state_dissociation_resolved(
    session: Session, *, dosing: DosingSession, statement: str, by: Principal
) -> ChecklistItem:
    """Record a clinician's statement that dissociation has resolved, in place of a CADSS."""
    require(by, Permission.dosing_observe, "Only clinicians state that dissociation has resolved.")
    require_state(dosing, SessionState.monitoring, SessionState.ready_for_discharge)
    if len(statement.strip()) < MIN_STATEMENT:
        raise InvalidSessionInput(
            f"Write the statement in at least {MIN_STATEMENT} characters.", field="statement"
        )
    item = ChecklistItem(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        item_key=DISSOCIATION_STATEMENT,
        value=statement.strip(),
        recorded_by_id=by.user.id,
    )
    session.add(item)
    session.flush()
    audit_session(session, dosing=dosing, action="dissociation_resolved", by=by)
    return item


def _refuse_unless_met(session: Session, dosing: DosingSession) -> None:
    unmet = unmet_discharge_criteria(session, dosing=dosing)
    if unmet:
        raise DischargeRefused("Discharge criteria not met: " + "; ".join(unmet))


def mark_ready_for_discharge(
    session: Session, *, dosing: DosingSession, by: Principal
) -> DosingSession:
    """Mark the patient ready to leave once every discharge criterion is met."""
    require(by, Permission.dosing_administer, "Only nurses and prescribers assess discharge.")
    require_state(dosing, SessionState.monitoring)
    _refuse_unless_met(session, dosing)
    move(dosing, SessionState.ready_for_discharge, by)
    audit_session(session, dosing=dosing, action="ready_for_discharge", by=by)
    return dosing


def discharge(session: Session, *, dosing: DosingSession, by: Principal) -> DosingSession:
    """Discharge the patient, checking the criteria again at the moment they leave."""
    require(by, Permission.dosing_administer, "Only nurses and prescribers discharge a patient.")
    require_state(dosing, SessionState.ready_for_discharge)
    _refuse_unless_met(session, dosing)
    move(dosing, SessionState.discharged, by)
    dosing.discharged_at = utcnow()
    audit_session(session, dosing=dosing, action="discharge", by=by)
    return dosing
