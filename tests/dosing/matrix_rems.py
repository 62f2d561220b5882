"""Matrix entries of esketamine REMS forms (see tests/matrix.py), and the REMS tests' builders.

Prescribers and nurses build, read, download and submit REMS forms and see the due list; no
other role touches them.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from openkap.core.models import Organization, Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.chair import pre_dose
from openkap.dosing.models import (
    Administration,
    AdverseEvent,
    DeviceGiven,
    DosingSession,
    SessionState,
    VitalSigns,
)
from openkap.dosing.monitoring import service as monitoring
from openkap.dosing.monitoring.service import VitalsInput
from openkap.dosing.rems import service as rems_form
from openkap.dosing.state import move
from openkap.plans.models import (
    Consent,
    ConsentDocument,
    PlanStatus,
    ProtocolTemplate,
    TreatmentPlan,
)
from openkap.plans.readiness import rems_enrolment
from tests.dosing.builders import NORMAL, cleared
from tests.episodes.builders import consented, planned, rems_enrolled, screened
from tests.fixtures.factories import make_episode, make_user
from tests.inventory.builders import make_stock
from tests.matrix import Call, N, P

REMS_STAFF = frozenset({P, N})
CALM = {**NORMAL, "moaas": 5}


# --- builders shared by the REMS tests ---------------------------------------------------------


def _existing(db, model, org, key):
    return db.scalars(
        select(model).where(model.organization_id == org.id, model.key == key)
    ).first()


def esketamine_episode(db, org, patient=None, *, state="ready"):
    """A course with a signed intranasal esketamine plan, consent and REMS enrolment.

    The test template and consent document are made once per clinic and reused, so any number
    of these courses (for new or the same patients) can live in one clinic.
    """
    episode = make_episode(db, org, patient, state=state)
    screened(db, episode)
    witness = make_user(db, org, Role.nurse)
    template = _existing(db, ProtocolTemplate, org, "t-intranasal")
    document = _existing(db, ConsentDocument, org, "c-esketamine")
    if template is None:
        planned(db, episode, drug="esketamine", route="intranasal")
    else:
        _signed_plan(db, episode, template)
    if document is None:
        consented(db, episode, witness, drug="esketamine", route="intranasal")
    else:
        _consent(db, episode, document, witness)
    if rems_enrolment(db, patient_id=episode.patient_id) is None:
        rems_enrolled(db, episode)
    return episode


def _signed_plan(db, episode, template):
    db.add(
        TreatmentPlan(
            organization_id=episode.organization_id,
            episode_id=episode.id,
            plan_version=1,
            template_id=template.id,
            template_version=template.version,
            route="intranasal",
            drug="esketamine",
            start_dose_mg=Decimal("56"),
            max_dose_mg=Decimal("84"),
            start_on=date(2026, 2, 1),
            status=PlanStatus.signed.value,
            signed_at=datetime(2026, 1, 30, tzinfo=UTC),
        )
    )
    db.flush()


def _consent(db, episode, document, witness):
    db.add(
        Consent(
            organization_id=episode.organization_id,
            episode_id=episode.id,
            document_id=document.id,
            document_version=document.version,
            method="typed",
            signed_name="Pat Example",
            signed_at=datetime(2026, 1, 30, tzinfo=UTC),
            witness_id=witness.id,
        )
    )
    db.flush()


def finished_session(
    db,
    episode,
    by: Principal,
    *,
    readings=((15, CALM), (40, CALM), (120, CALM)),
    pre=NORMAL,
    minutes=150,
    state=SessionState.discharged,
) -> DosingSession:
    """An esketamine session whose first device was `minutes` ago, ended `minutes` after it.

    The pre-dose reading is taken 5 minutes before the first device; `readings` are
    (minute after the first device, values) pairs recorded through the monitoring service.
    """
    dosing = cleared(db, episode, by, vitals=pre)
    pre_dose.start_dosing(db, dosing=dosing, by=by)
    start = utcnow().replace(second=0, microsecond=0) - timedelta(minutes=minutes)
    dosing.dosing_started_at = dosing.first_device_at = start
    [pre_row] = db.scalars(select(VitalSigns).where(VitalSigns.session_id == dosing.id)).all()
    pre_row.measured_at = start - timedelta(minutes=5)
    for minute, values in readings:
        data = VitalsInput(
            client_reading_id=f"m{minute}",
            measured_at=start + timedelta(minutes=minute),
            **values,
        )
        monitoring.record_vitals(db, dosing=dosing, data=data, by=by)
    move(dosing, state, by)
    dosing.ended_at = start + timedelta(minutes=minutes)
    if state == SessionState.discharged:
        dosing.discharged_at = dosing.ended_at
    else:
        dosing.aborted_reason = "Patient asked to stop after the first device."
    db.flush()
    return dosing


def at(dosing: DosingSession, minute: int) -> datetime:
    assert dosing.first_device_at is not None
    return dosing.first_device_at + timedelta(minutes=minute)


def administered(db, dosing, by, *, dose="56", devices_given=None, lot_number="ESK-2291"):
    """Record the administration row and its devices directly (28 mg each, 5 minutes apart)."""
    org = db.get(Organization, dosing.organization_id)
    stock = make_stock(db, org)
    db.add(
        Administration(
            organization_id=dosing.organization_id,
            session_id=dosing.id,
            drug="esketamine",
            route="intranasal",
            product_name="Esketamine 28 mg nasal device",
            lot_id=stock.lot.id,
            lot_number=lot_number,
            lot_expiry=stock.lot.expiry,
            location_id=stock.cabinet.id,
            dose_mg=Decimal(dose),
            delivered_mg=Decimal(dose),
            started_at=dosing.first_device_at,
            administered_by_id=by.user.id,
            created_by_id=by.user.id,
        )
    )
    planned = int(Decimal(dose) // 28)
    given = planned if devices_given is None else devices_given
    for number in range(1, planned + 1):
        db.add(
            DeviceGiven(
                organization_id=dosing.organization_id,
                session_id=dosing.id,
                number=number,
                dose_mg=Decimal(28),
                planned_at=at(dosing, 5 * (number - 1)),
                given_at=at(dosing, 5 * (number - 1)) if number <= given else None,
                given_by_id=by.user.id if number <= given else None,
            )
        )
    db.flush()


def adverse_event(db, dosing, *, event_type="headache", serious=False, status="final"):
    event = AdverseEvent(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        event_type=event_type,
        description="Observed at the chair.",
        onset_at=at(dosing, 30),
        severity="severe" if serious else "mild",
        serious=serious,
        action_taken="Observed; vitals repeated.",
        outcome="resolved",
        status=status,
    )
    db.add(event)
    db.flush()
    return event


# --- the matrix --------------------------------------------------------------------------------


def _use(key: str) -> dict[str, str]:
    return {"session_id": key}


FORM = "/api/v1/dosing-sessions/{session_id}/rems-form"
PAGE = "/dosing-sessions/{session_id}/rems-form"
API_CALLS = [
    Call("POST", FORM, REMS_STAFF, use=_use("rems_unbuilt_id")),
    Call("GET", FORM, REMS_STAFF, use=_use("rems_built_id")),
    Call("GET", f"{FORM}.pdf", REMS_STAFF, use=_use("rems_built_id")),
    Call("GET", "/api/v1/rems-forms/due", REMS_STAFF, record_route=False),
    Call(
        "POST",
        f"{FORM}/submission",
        REMS_STAFF,
        {"submitted_on": utcnow().date().isoformat()},
        use=_use("rems_built_id"),
    ),
]
PAGE_CALLS = [
    Call("GET", "/rems-forms", REMS_STAFF, record_route=False),
    Call("GET", PAGE, REMS_STAFF, use=_use("rems_built_id")),
    Call("GET", f"{PAGE}.pdf", REMS_STAFF, use=_use("rems_built_id")),
]


def seed(db, org, users):
    nurse = Principal(user=users[Role.nurse], client_address="test")
    episode = esketamine_episode(db, org)
    built = finished_session(db, episode, nurse)
    rems_form.build_form(db, dosing=built, by=nurse)
    unbuilt = finished_session(db, episode, nurse)
    return {"rems_built_id": built.id, "rems_unbuilt_id": unbuilt.id}
