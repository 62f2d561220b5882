"""Vital signs of a dosing session and the alerts they raise.

A reading carries the client's own id: a tablet that resends after a dropped connection gets the
first reading back instead of a duplicate. Alerts are stored with the reading, at once.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.errors import (
    AlertNotFound,
    InvalidSessionInput,
    ReadingNotFound,
    SessionStateRefused,
    require_aware,
    require_within,
)
from openkap.dosing.models import DosingSession, SessionAlert, SessionState, VitalSigns
from openkap.dosing.state import FINISHED, audit_session
from openkap.dosing.thresholds.rules import (
    MOAAS_RANGE,
    Alert,
    VitalReading,
    in_session_alerts,
    sedation_alert,
)
from openkap.dosing.thresholds.service import clinic_thresholds

MAX_READING_AGE = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=2)
ENTERED_IN_ERROR = "entered-in-error"


@dataclass(frozen=True, kw_only=True)
class VitalsInput:
    """One reading as the chair-side client sends it."""

    client_reading_id: str
    measured_at: datetime
    sbp: int | None = None
    dbp: int | None = None
    hr: int | None = None
    spo2: int | None = None
    rr: int | None = None
    moaas: int | None = None


@dataclass(frozen=True, kw_only=True)
class RecordedVitals:
    """A stored reading and the alerts it raised."""

    reading: VitalSigns
    alerts: list[SessionAlert]


def _find(session: Session, dosing: DosingSession, client_reading_id: str) -> VitalSigns | None:
    return session.scalars(
        select(VitalSigns).where(
            VitalSigns.session_id == dosing.id,
            VitalSigns.client_reading_id == client_reading_id,
        )
    ).first()


def _alerts_of(session: Session, reading: VitalSigns) -> list[SessionAlert]:
    return list(
        session.scalars(
            select(SessionAlert)
            .where(SessionAlert.vital_signs_id == reading.id)
            .order_by(SessionAlert.raised_at, SessionAlert.id)
        )
    )


def _checked(data: VitalsInput) -> VitalReading:
    require_aware("measured_at", data.measured_at)
    now = utcnow()
    # A tablet's clock may run a little ahead of the server's; more than that is a wrong clock.
    if data.measured_at > now + CLOCK_SKEW:
        raise InvalidSessionInput(
            "measured_at is more than 2 minutes in the future.", field="measured_at"
        )
    # A chair-side reading is entered as it is taken; a day-old one is a wrong clock or session.
    if data.measured_at < now - MAX_READING_AGE:
        raise InvalidSessionInput("measured_at is more than 24 hours ago.", field="measured_at")
    if data.moaas is not None:
        require_within("moaas", data.moaas, *MOAAS_RANGE)
    reading = VitalReading(sbp=data.sbp, dbp=data.dbp, hr=data.hr, spo2=data.spo2, rr=data.rr)
    if reading == VitalReading() and data.moaas is None:
        raise InvalidSessionInput("The reading records no value.", field="sbp")
    return reading


def _offset(dosing: DosingSession, measured_at: datetime) -> int | None:
    if dosing.first_device_at is None:
        return None
    return int((measured_at - dosing.first_device_at).total_seconds() // 60)


def _alert_rows(
    dosing: DosingSession, row: VitalSigns, breaches: list[Alert]
) -> list[SessionAlert]:
    return [
        SessionAlert(
            organization_id=dosing.organization_id,
            session_id=dosing.id,
            vital_signs_id=row.id,
            kind=b.kind.value,
            value=b.value,
            threshold=b.threshold,
            message=b.message,
        )
        for b in breaches
    ]


def _store(
    session: Session, dosing: DosingSession, data: VitalsInput, by: Principal
) -> RecordedVitals:
    reading = _checked(data)
    thresholds = clinic_thresholds(session, organization_id=dosing.organization_id)
    breaches = in_session_alerts(reading, thresholds)
    sedated = None if data.moaas is None else sedation_alert(data.moaas, thresholds)
    if sedated is not None:
        breaches.append(sedated)
    row = VitalSigns(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        client_reading_id=data.client_reading_id,
        measured_at=data.measured_at,
        minute_offset=_offset(dosing, data.measured_at),
        sbp=data.sbp,
        dbp=data.dbp,
        hr=data.hr,
        spo2=data.spo2,
        rr=data.rr,
        moaas=data.moaas,
        recorded_by_id=by.user.id,
    )
    session.add(row)
    session.flush()
    alerts = _alert_rows(dosing, row, breaches)
    session.add_all(alerts)
    session.flush()
    return RecordedVitals(reading=row, alerts=alerts)


def record_vitals(
    session: Session, *, dosing: DosingSession, data: VitalsInput, by: Principal
) -> RecordedVitals:
    """Store a reading once, raise its alerts; a resent reading returns the first one."""
    require(by, Permission.dosing_administer, "Only nurses and prescribers record vital signs.")
    # Looked up first: a reading stored just before discharge may be resent after it.
    existing = _find(session, dosing, data.client_reading_id)
    if existing is None and (
        dosing.state in FINISHED or dosing.state == SessionState.scheduled.value
    ):
        raise SessionStateRefused(f"The session is {dosing.state}; vitals cannot be recorded.")
    if existing is None:
        try:
            with session.begin_nested():
                recorded = _store(session, dosing, data, by)
        except IntegrityError:
            # Another request stored the same reading between the look-up and the insert.
            existing = _find(session, dosing, data.client_reading_id)
            if existing is None:
                raise
        else:
            audit_session(session, dosing=dosing, action="record_vitals", by=by)
            return recorded
    audit_session(session, dosing=dosing, action="read_vitals", by=by)
    return RecordedVitals(reading=existing, alerts=_alerts_of(session, existing))


def list_vitals(session: Session, *, dosing: DosingSession, by: Principal) -> list[VitalSigns]:
    """Return the session's readings in the order they were measured."""
    require(by, Permission.dosing_read, "Your role does not allow reading vital signs.")
    audit_session(session, dosing=dosing, action="read_vitals", by=by)
    return list(
        session.scalars(
            select(VitalSigns)
            .where(VitalSigns.session_id == dosing.id)
            .order_by(VitalSigns.measured_at, VitalSigns.id)
        )
    )


def list_alerts(session: Session, *, dosing: DosingSession, by: Principal) -> list[SessionAlert]:
    """Return every alert of the session, acknowledged or not, oldest first."""
    require(by, Permission.dosing_read, "Your role does not allow reading alerts.")
    audit_session(session, dosing=dosing, action="read_alerts", by=by)
    return unacknowledged_first(session, dosing)


def unacknowledged_first(session: Session, dosing: DosingSession) -> list[SessionAlert]:
    """Return the session's alerts, the ones still waiting for an action first."""
    alerts = session.scalars(
        select(SessionAlert)
        .where(SessionAlert.session_id == dosing.id)
        .order_by(SessionAlert.raised_at, SessionAlert.id)
    )
    return sorted(alerts, key=lambda a: a.acknowledged_at is not None)


def acknowledge_alert(
    session: Session,
    *,
    dosing: DosingSession,
    alert_id: uuid.UUID,
    action_taken: str,
    by: Principal,
) -> SessionAlert:
    """Record who acknowledged an alert and the action they took; the alert is kept."""
    require(by, Permission.dosing_administer, "Only nurses and prescribers acknowledge alerts.")
    alert = session.get(SessionAlert, (dosing.organization_id, alert_id))
    if alert is None or alert.session_id != dosing.id:
        raise AlertNotFound("No such alert in this session.")
    if alert.acknowledged_at is not None:
        raise SessionStateRefused("The alert is already acknowledged.")
    if len(action_taken.strip()) < 3:
        raise InvalidSessionInput("Describe the action taken.", field="action_taken")
    alert.acknowledged_by_id, alert.acknowledged_at = by.user.id, utcnow()
    alert.action_taken = action_taken.strip()
    session.flush()
    audit_session(session, dosing=dosing, action="acknowledge_alert", by=by)
    return alert


def mark_reading_in_error(
    session: Session, *, dosing: DosingSession, reading_id: uuid.UUID, reason: str, by: Principal
) -> VitalSigns:
    """Mark a wrong reading entered-in-error with the reason; it is kept, never deleted."""
    require(by, Permission.dosing_administer, "Only nurses and prescribers correct vital signs.")
    row = session.get(VitalSigns, (dosing.organization_id, reading_id))
    if row is None or row.session_id != dosing.id:
        raise ReadingNotFound("No such reading in this session.")
    if row.status == ENTERED_IN_ERROR:
        raise SessionStateRefused("The reading is already marked entered-in-error.")
    if len(reason.strip()) < 10:
        raise InvalidSessionInput("Write the reason in at least 10 characters.", field="reason")
    row.status, row.error_reason = ENTERED_IN_ERROR, reason.strip()
    session.flush()
    audit_session(session, dosing=dosing, action="reading_entered_in_error", by=by)
    return row
