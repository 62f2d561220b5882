"""The chair-side view of a dosing session: everything the tablet page shows, in one read.

The page polls it every few seconds, so it runs a fixed number of queries (one per kind of
record) whatever the number of readings, and each call is audited once. Times of the protocol
count from the first dose (`first_device_at`); a finished session is shown as it was when it
ended, so nothing turns overdue after the patient has left.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.dosing.administration import adverse_events
from openkap.dosing.administration import service as administration
from openkap.dosing.chair.leaving import unmet_discharge_criteria
from openkap.dosing.errors import DosingSessionNotFound, require_aware
from openkap.dosing.models import (
    Administration,
    AdverseEvent,
    DeviceGiven,
    DosingSession,
    InfusionEvent,
    Observation,
    SessionAlert,
    SessionState,
    VitalSigns,
)
from openkap.dosing.monitoring.observations import (
    DissociationScore,
    minute_offset,
    session_dissociation,
    session_observations,
)
from openkap.dosing.monitoring.schedule import (
    VITALS_MINUTES,
    DueItem,
    Measure,
    ProtocolStatus,
    SlotState,
    pre_dose_due,
    protocol_due,
    protocol_for,
)
from openkap.dosing.monitoring.service import unacknowledged_first
from openkap.dosing.state import audit_session
from openkap.dosing.thresholds.service import clinic_thresholds
from openkap.patients.models import Patient
from openkap.plans.models import ProtocolTemplate, TreatmentPlan

FINAL = "final"


@dataclass(frozen=True, kw_only=True)
class ChairView:
    """What the chair-side page shows for one session at one moment."""

    dosing: DosingSession
    patient_name: str
    state: str
    as_of: datetime
    elapsed_minutes: int | None
    due: tuple[DueItem, ...]
    next_due: tuple[DueItem, ...]
    vitals: tuple[VitalSigns, ...]
    alerts: tuple[SessionAlert, ...]
    observations: tuple[Observation, ...]
    dissociation: tuple[DissociationScore, ...]
    administration: Administration | None
    devices: tuple[DeviceGiven, ...]
    infusion_events: tuple[InfusionEvent, ...]
    adverse_events: tuple[AdverseEvent, ...]
    unmet_discharge_criteria: tuple[str, ...]

    @property
    def overdue(self) -> tuple[DueItem, ...]:
        return tuple(i for i in self.due if i.state == SlotState.overdue)

    @property
    def open_alerts(self) -> tuple[SessionAlert, ...]:
        return tuple(a for a in self.alerts if a.acknowledged_at is None)

    @property
    def dissociated(self) -> bool:
        return any(score.dissociation for score in self.dissociation)


def _has_vitals(row: VitalSigns) -> bool:
    return any(v is not None for v in (row.sbp, row.dbp, row.hr, row.spo2, row.rr))


def _ended_at(dosing: DosingSession) -> datetime | None:
    if dosing.state == SessionState.discharged.value:
        return dosing.discharged_at
    if dosing.state == SessionState.aborted.value:
        # The abort is the session's last change; ended_at may be the end of administration.
        return dosing.updated_at
    return None


def _as_of(dosing: DosingSession, now: datetime) -> datetime:
    ended = _ended_at(dosing)
    return now if ended is None else min(now, ended)


def _vitals_minutes(session: Session, dosing: DosingSession) -> list[int]:
    minutes = session.scalars(
        select(ProtocolTemplate.monitoring_minutes)
        .join(
            TreatmentPlan,
            and_(
                TreatmentPlan.organization_id == ProtocolTemplate.organization_id,
                TreatmentPlan.template_id == ProtocolTemplate.id,
            ),
        )
        .where(TreatmentPlan.id == dosing.plan_id)
    ).first()
    return list(minutes) if minutes else list(VITALS_MINUTES)


def _due(
    session: Session,
    dosing: DosingSession,
    as_of: datetime,
    vitals: tuple[VitalSigns, ...],
    dissociation: tuple[DissociationScore, ...],
) -> ProtocolStatus:
    if dosing.first_device_at is None:
        return pre_dose_due(vitals_taken=any(_has_vitals(v) for v in vitals))
    done = {
        Measure.vitals: [v.measured_at for v in vitals if _has_vitals(v)],
        Measure.moaas: [v.measured_at for v in vitals if v.moaas is not None],
        Measure.cadss: [score.response.completed_at for score in dissociation],
    }
    status = protocol_due(
        started_at=dosing.first_device_at,
        now=as_of,
        done=done,
        protocol=protocol_for(_vitals_minutes(session, dosing)),
    )
    if _ended_at(dosing) is None:
        return status
    # Once the session has ended, what was still ahead will never be due.
    kept = tuple(i for i in status.items if i.state != SlotState.upcoming)
    return ProtocolStatus(items=kept, next_due=())


def _final_vitals(session: Session, dosing: DosingSession) -> tuple[VitalSigns, ...]:
    return tuple(
        session.scalars(
            select(VitalSigns)
            .where(VitalSigns.session_id == dosing.id, VitalSigns.status == FINAL)
            .order_by(VitalSigns.measured_at, VitalSigns.id)
        )
    )


def _adverse_events(session: Session, dosing: DosingSession) -> tuple[AdverseEvent, ...]:
    events = adverse_events.list_adverse_events(session, dosing=dosing)
    return tuple(e for e in events if e.status == FINAL)


def _patient_name(session: Session, dosing: DosingSession) -> str:
    patient = session.get(Patient, (dosing.organization_id, dosing.patient_id))
    return "" if patient is None else patient.display_name


def chair_view(session: Session, *, dosing: DosingSession, now: datetime) -> ChairView:
    """Return everything the chair-side page shows for the session at `now` (not audited)."""
    require_aware("now", now)
    as_of = _as_of(dosing, now)
    thresholds = clinic_thresholds(session, organization_id=dosing.organization_id)
    vitals = _final_vitals(session, dosing)
    scores = tuple(session_dissociation(session, dosing=dosing, thresholds=thresholds))
    due = _due(session, dosing, as_of, vitals, scores)
    notes = session_observations(session, dosing=dosing)
    return ChairView(
        dosing=dosing,
        patient_name=_patient_name(session, dosing),
        state=dosing.state,
        as_of=as_of,
        elapsed_minutes=minute_offset(dosing, as_of),
        due=due.items,
        next_due=due.next_due,
        vitals=vitals,
        alerts=tuple(unacknowledged_first(session, dosing)),
        observations=tuple(n for n in notes if n.status == FINAL),
        dissociation=scores,
        administration=administration.get_administration(session, dosing=dosing),
        devices=tuple(administration.list_devices(session, dosing=dosing)),
        infusion_events=tuple(administration.list_infusion_events(session, dosing=dosing)),
        adverse_events=_adverse_events(session, dosing),
        unmet_discharge_criteria=tuple(unmet_discharge_criteria(session, dosing=dosing, now=now)),
    )


def read_chair_view(
    session: Session, *, dosing: DosingSession, by: Principal, now: datetime
) -> ChairView:
    """Return the session's chair view to a clinician and audit the read once."""
    require(by, Permission.dosing_read, "Your role does not allow reading the chair-side view.")
    audit_session(session, dosing=dosing, action="read_chair_view", by=by)
    return chair_view(session, dosing=dosing, now=now)


def read_chair_view_of(
    session: Session, *, session_id: uuid.UUID, by: Principal, now: datetime
) -> ChairView:
    """Find a session of the caller's clinic and return its chair view, audited once per call."""
    require(by, Permission.dosing_read, "Your role does not allow reading the chair-side view.")
    dosing = session.get(DosingSession, (by.organization_id, session_id))
    if dosing is None:
        raise DosingSessionNotFound("No such dosing session.")
    return read_chair_view(session, dosing=dosing, by=by, now=now)
