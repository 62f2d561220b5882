"""What a session's esketamine REMS Patient Monitoring Form says, computed from its records.

Each field's rule is in docs/rems-monitoring-form.md; openkap.dosing.rems.service stores, submits
and lists the forms.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from openkap.assessments.models import AssessmentResponse
from openkap.core.models import User
from openkap.core.time import utcnow
from openkap.dosing.chair import day_checks
from openkap.dosing.chair.discharge import DEFAULT_DISCHARGE_RULES
from openkap.dosing.chair.stop_findings import checklist_answers
from openkap.dosing.errors import RemsFormNotFound, RemsFormNotNeeded
from openkap.dosing.models import (
    Administration,
    AdverseEvent,
    DeviceGiven,
    DosingSession,
    SessionAlert,
    SessionState,
    VitalSigns,
)
from openkap.dosing.monitoring.schedule import DEFAULT_TOLERANCE_MINUTES
from openkap.dosing.rems.schemas import (
    BloodPressure,
    ConcomitantMedications,
    DoseCategory,
    RemsFormContents,
    SeriousEvent,
)
from openkap.dosing.rems.setting import (
    provider_contact,
    providers,
    setting_name,
    treatment_site,
)
from openkap.dosing.thresholds.rules import (
    AlertKind,
    VitalReading,
    VitalThresholds,
    in_session_alerts,
    pre_dose_hold_reasons,
)
from openkap.dosing.thresholds.service import clinic_thresholds
from openkap.intake.catalog import drug_class_of
from openkap.intake.models import DrugClass, Intake, ItemStatus, Medication
from openkap.patients.models import Patient
from openkap.plans.models import Drug
from openkap.plans.readiness import rems_enrolment

FINISHED = (SessionState.discharged.value, SessionState.aborted.value)
IN_ERROR = "entered-in-error"
DISSOCIATION_INSTRUMENTS = ("cadss", "cadss6")
RESPIRATORY_ALERTS = (AlertKind.low_respiratory_rate.value, AlertKind.low_spo2.value)
BP_MINUTE = 40
CONCOMITANT = {
    DrugClass.benzodiazepine: "benzodiazepines",
    DrugClass.sedative_hypnotic: "sedative_hypnotics",
    DrugClass.stimulant: "psychostimulants",
    DrugClass.maoi: "maois",
    DrugClass.opioid: "opioids",
}


# --- the people, the place and the dose -------------------------------------------------------


def _name(session: Session, user_id: uuid.UUID | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return None if user is None else user.full_name


def _first_treatment(session: Session, dosing: DosingSession) -> bool:
    # An earlier session of the patient in which esketamine was given, in any episode.
    earlier = session.scalars(
        select(DosingSession.id).where(
            DosingSession.organization_id == dosing.organization_id,
            DosingSession.patient_id == dosing.patient_id,
            DosingSession.drug == Drug.esketamine.value,
            DosingSession.id != dosing.id,
            DosingSession.state.in_(FINISHED),
            DosingSession.first_device_at < dosing.first_device_at,
        )
    ).first()
    return earlier is None


def _concomitant(session: Session, dosing: DosingSession) -> ConcomitantMedications:
    intake = session.scalars(
        select(Intake).where(
            Intake.organization_id == dosing.organization_id,
            Intake.episode_id == dosing.episode_id,
        )
    ).first()
    found: dict[str, list[str]] = {name: [] for name in CONCOMITANT.values()}
    names = (
        session.scalars(
            select(Medication)
            .where(Medication.intake_id == intake.id, Medication.status == ItemStatus.active.value)
            .order_by(Medication.name)
        ).all()
        if intake is not None
        else []
    )
    classed = [(row.name, row.drug_class or drug_class_of(row.name)) for row in names]
    # The medications reported at the chair on the day count too (the checklist's answer).
    reported = checklist_answers(session, dosing=dosing).get(day_checks.MEDICATIONS, "none")
    if reported != "none":
        classed += [(name.strip(), drug_class_of(name)) for name in reported.split(",")]
    for name, drug_class in classed:
        field = CONCOMITANT.get(DrugClass(drug_class)) if drug_class else None
        if field is not None and name not in found[field]:
            found[field].append(name)
    return ConcomitantMedications(recorded=intake is not None or reported != "none", **found)


def _dose(session: Session, dosing: DosingSession) -> tuple[Decimal | None, str | None]:
    """Return the dose given and its lot; the devices actually used win over the planned dose."""
    given = session.scalars(
        select(DeviceGiven.dose_mg).where(
            DeviceGiven.session_id == dosing.id, DeviceGiven.given_at.is_not(None)
        )
    ).all()
    administration = session.scalars(
        select(Administration).where(Administration.session_id == dosing.id)
    ).first()
    lot = administration.lot_number if administration is not None else None
    if given:
        return sum(given, Decimal(0)), lot
    return (administration.dose_mg if administration is not None else None), lot


def _category(dose: Decimal | None) -> DoseCategory | None:
    if dose is None:
        return None
    return {Decimal(56): DoseCategory.mg56, Decimal(84): DoseCategory.mg84}.get(
        dose, DoseCategory.other
    )


# --- readings ---------------------------------------------------------------------------------


def _vitals(row: VitalSigns) -> VitalReading:
    return VitalReading(sbp=row.sbp, dbp=row.dbp, hr=row.hr, spo2=row.spo2, rr=row.rr)


def _has_vitals(row: VitalSigns) -> bool:
    return _vitals(row) != VitalReading()


def _complete_and_clear(row: VitalSigns, thresholds: VitalThresholds) -> bool:
    reading = _vitals(row)
    complete = all(v is not None for v in (row.sbp, row.dbp, row.hr, row.spo2, row.rr))
    return complete and not in_session_alerts(reading, thresholds)


def _minute(at: datetime, first: datetime) -> int:
    return int((at - first).total_seconds() // 60)


def _bp(row: VitalSigns | None, first: datetime) -> BloodPressure | None:
    if row is None or row.sbp is None or row.dbp is None:
        return None
    return BloodPressure(
        sbp=row.sbp,
        dbp=row.dbp,
        measured_at=row.measured_at,
        minute=_minute(row.measured_at, first),
    )


def _near_40(rows: Sequence[VitalSigns], first: datetime) -> VitalSigns | None:
    """Return the BP reading nearest 40 minutes after the first device, within the tolerance."""
    target, tolerance = first + timedelta(minutes=BP_MINUTE), DEFAULT_TOLERANCE_MINUTES * 60
    near = [r for r in rows if abs((r.measured_at - target).total_seconds()) <= tolerance]
    return min(near, key=lambda r: abs((r.measured_at - target).total_seconds()), default=None)


def ready_to_leave_at(
    after_dose: Sequence[VitalSigns],
    acknowledged: Sequence[datetime | None],
    thresholds: VitalThresholds,
) -> datetime | None:
    """Return when the patient met every discharge reading criterion for good, else None.

    That is the first reading from which on the latest vital signs were complete and raised no
    alert and the latest MOAA/S was 5, or the last alert acknowledgement if that came later.
    """
    vitals_ok = moaas_ok = False
    met: list[bool] = []
    for row in after_dose:
        if _has_vitals(row):
            vitals_ok = _complete_and_clear(row, thresholds)
        if row.moaas is not None:
            moaas_ok = row.moaas >= DEFAULT_DISCHARGE_RULES.required_moaas
        met.append(vitals_ok and moaas_ok)
    if not met or not met[-1] or any(at is None for at in acknowledged):
        return None
    start = len(met) - 1
    while start > 0 and met[start - 1]:
        start -= 1
    return max([after_dose[start].measured_at, *(at for at in acknowledged if at is not None)])


def _readings(session: Session, dosing: DosingSession) -> list[VitalSigns]:
    return list(
        session.scalars(
            select(VitalSigns)
            .where(VitalSigns.session_id == dosing.id, VitalSigns.status == "final")
            .order_by(VitalSigns.measured_at, VitalSigns.id)
        )
    )


def _completion_times(
    dosing: DosingSession,
    first: datetime,
    after: list[VitalSigns],
    acks: list[datetime | None],
    thresholds: VitalThresholds,
) -> dict[str, Any]:
    completed = dosing.discharged_at or dosing.ended_at
    ready = ready_to_leave_at(after, acks, thresholds)
    return {
        "monitoring_completed_at": completed,
        "total_minutes": _minute(completed, first) if completed else None,
        "ready_to_leave_at": ready,
        "ready_to_leave_minutes": _minute(ready, first) if ready else None,
    }


def _vitals_fields(
    before: list[VitalSigns], after: list[VitalSigns], first: datetime, t: VitalThresholds
) -> dict[str, Any]:
    last_vitals = next((r for r in reversed(after) if _has_vitals(r)), None)
    with_bp = [r for r in after if r.sbp is not None and r.dbp is not None]
    return {
        "vitals_acceptable_before_dosing": None
        if not before
        else not pre_dose_hold_reasons(_vitals(before[-1]), t),
        "vitals_acceptable_before_completion": None
        if last_vitals is None
        else _complete_and_clear(last_vitals, t),
        "bp_before_dosing": _bp(
            next((r for r in reversed(before) if r.sbp and r.dbp), None), first
        ),
        "bp_at_40_minutes": _bp(_near_40(with_bp, first), first),
        "bp_before_completion": _bp(with_bp[-1] if with_bp else None, first),
        "sedation": any(
            r.moaas is not None and r.moaas <= t.sedation_moaas_at_or_below for r in after
        ),
    }


def _monitoring_fields(
    session: Session, dosing: DosingSession, first: datetime, thresholds: VitalThresholds
) -> dict[str, Any]:
    """Return the fields read from the vital signs: times, acceptability, BP and sedation."""
    completed = dosing.discharged_at or dosing.ended_at
    rows = _readings(session, dosing)
    before = [r for r in rows if r.measured_at < first]
    # Readings after the end of monitoring are not part of this session's monitoring.
    after = [
        r for r in rows if first <= r.measured_at and not (completed and r.measured_at > completed)
    ]
    acks = list(
        session.scalars(
            select(SessionAlert.acknowledged_at).where(SessionAlert.session_id == dosing.id)
        )
    )
    return {
        **_completion_times(dosing, first, after, acks, thresholds),
        **_vitals_fields(before, after, first, thresholds),
    }


# --- events -----------------------------------------------------------------------------------


def _dissociation(session: Session, dosing: DosingSession, thresholds: VitalThresholds) -> bool:
    totals = session.scalars(
        select(AssessmentResponse.total).where(
            AssessmentResponse.organization_id == dosing.organization_id,
            AssessmentResponse.encounter_id == dosing.id,
            AssessmentResponse.instrument_id.in_(DISSOCIATION_INSTRUMENTS),
            AssessmentResponse.status == "active",
        )
    ).all()
    return any(t is not None and t > thresholds.dissociation_cadss_above for t in totals)


def _adverse_events(session: Session, dosing: DosingSession) -> list[AdverseEvent]:
    return list(
        session.scalars(
            select(AdverseEvent)
            .where(AdverseEvent.session_id == dosing.id, AdverseEvent.status != IN_ERROR)
            .order_by(AdverseEvent.onset_at, AdverseEvent.id)
        )
    )


def _respiratory_depression(
    session: Session, dosing: DosingSession, events: list[AdverseEvent]
) -> bool:
    alert = session.scalars(
        select(SessionAlert.id)
        .join(
            VitalSigns,
            and_(
                VitalSigns.organization_id == SessionAlert.organization_id,
                VitalSigns.id == SessionAlert.vital_signs_id,
            ),
        )
        .where(
            SessionAlert.session_id == dosing.id,
            SessionAlert.kind.in_(RESPIRATORY_ALERTS),
            VitalSigns.status == "final",
        )
    ).first()
    return alert is not None or any(e.event_type == "respiratory_depression" for e in events)


def _serious(events: list[AdverseEvent]) -> list[SeriousEvent]:
    return [
        SeriousEvent(
            event_type=e.event_type,
            severity=e.severity,
            outcome=e.outcome,
            onset_at=e.onset_at,
            description=e.description,
        )
        for e in events
        if e.serious
    ]


def form_contents(session: Session, *, dosing: DosingSession) -> RemsFormContents:
    """Compute every field of the session's form from its records (no permission check)."""
    first = dosing.first_device_at
    if first is None:
        raise RemsFormNotNeeded("No esketamine device was given in this session.")
    patient = session.get(Patient, (dosing.organization_id, dosing.patient_id))
    if patient is None:
        raise RemsFormNotFound("The session's patient is not in this clinic.")
    thresholds = clinic_thresholds(session, organization_id=dosing.organization_id)
    enrolment = rems_enrolment(session, patient_id=dosing.patient_id)
    provider, prescriber = providers(session, dosing=dosing)
    site = treatment_site(session, dosing=dosing)
    dose, lot = _dose(session, dosing)
    events = _adverse_events(session, dosing)
    return RemsFormContents(
        patient_name=f"{patient.family_name}, {patient.given_name}",
        birth_date=patient.birth_date,
        sex=patient.sex_at_birth,
        first_treatment=_first_treatment(session, dosing),
        rems_enrolled=enrolment is not None,
        rems_patient_id=enrolment.rems_patient_id if enrolment is not None else None,
        concomitant=_concomitant(session, dosing),
        monitoring_provider=provider,
        **provider_contact(session, dosing=dosing, site=site),
        prescriber=prescriber,
        setting=setting_name(session, organization_id=dosing.organization_id, site=site),
        setting_address=site.address if site is not None else "",
        session_outcome=dosing.state,
        aborted_reason=dosing.aborted_reason,
        treatment_date=first.date(),
        dose_mg=dose,
        dose_category=_category(dose),
        lot_number=lot,
        first_device_at=first,
        **_monitoring_fields(session, dosing, first, thresholds),
        dissociation=_dissociation(session, dosing, thresholds),
        respiratory_depression=_respiratory_depression(session, dosing, events),
        serious_adverse_events=_serious(events),
        built_at=utcnow(),
    )
