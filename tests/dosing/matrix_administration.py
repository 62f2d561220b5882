"""Matrix entries of dosing administration and adverse events (see tests/matrix.py).

Nurses and prescribers give the dose, time esketamine devices, pause or stop an infusion and
record adverse events; therapists read them; front desk, admins, researchers and patients get
none of it. Only prescribers change a session's order (and so set aside the plan's dose limits).
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.administration import adverse_events
from openkap.dosing.administration.schemas import AdverseEventInput
from openkap.inventory.models import Lot, StockLocation
from openkap.inventory.schemas import ReceiptCreate
from openkap.inventory.stock import service
from tests.dosing.builders_administration import (
    administered_session,
    dosable_episode,
    session_in_dosing,
    shift_back,
    stocked_lot,
)
from tests.matrix import Call, N, P, T

ADMINISTERING = frozenset({P, N})
CLINICAL_READERS = frozenset({P, N, T})
# The body of a static call cannot name a seeded record, so the matrix lot has a fixed id.
LOT_ID = uuid.UUID("00000000-0000-4000-8000-00000000a001")
LOCATION_ID = uuid.UUID("00000000-0000-4000-8000-00000000a002")
# The seeded sessions are checked in 12 hours before the seed, so this onset is after check-in.
_ONSET = (utcnow() - timedelta(minutes=1)).isoformat()


def _use(session_key: str) -> dict[str, str]:
    return {
        "session_id": session_key,
        "number": "administration_device_number",
        "event_id": "adverse_event_id",
    }


A = "/api/v1/dosing-sessions/{session_id}/administration"
E = "/api/v1/dosing-sessions/{session_id}/adverse-events"
ORDERS = "/api/v1/dosing-sessions/{session_id}/order-changes"
API_CALLS = [
    Call(
        "POST",
        ORDERS,
        frozenset({P}),
        {"dose_mg": "35", "reason": "Confirmed at the plan's dose after review."},
        use=_use("administration_ready_id"),
    ),
    Call("GET", ORDERS, CLINICAL_READERS, use=_use("administration_ready_id")),
    Call(
        "POST",
        A,
        ADMINISTERING,
        {
            "lot_id": str(LOT_ID),
            "location_id": str(LOCATION_ID),
            "dose_mg": "35",
            "concentration_mg_per_ml": "10",
            "infusion_minutes": 40,
        },
        use=_use("administration_ready_id"),
    ),
    Call("GET", A, CLINICAL_READERS, use=_use("administered_iv_id")),
    Call(
        "POST",
        f"{A}/devices/{{number}}/given",
        ADMINISTERING,
        use=_use("administered_esketamine_id"),
    ),
    Call(
        "POST",
        f"{A}/events",
        ADMINISTERING,
        {"kind": "pause", "reason": "Patient asked for a short break."},
        use=_use("administered_iv_id"),
    ),
    Call("GET", f"{A}/events", CLINICAL_READERS, use=_use("administered_iv_id")),
    Call(
        "POST",
        E,
        ADMINISTERING,
        {
            "event_type": "headache",
            "onset_at": _ONSET,
            "severity": "mild",
            "action_taken": "Rest and water.",
            "outcome": "resolving",
        },
        use=_use("administered_iv_id"),
    ),
    Call("GET", E, CLINICAL_READERS, use=_use("administered_iv_id")),
    Call(
        "PATCH",
        f"{E}/{{event_id}}",
        ADMINISTERING,
        {"outcome": "ongoing"},
        use=_use("administered_iv_id"),
    ),
    Call(
        "POST",
        f"{E}/{{event_id}}/entered-in-error",
        ADMINISTERING,
        {"reason": "Recorded against the wrong session."},
        use=_use("administered_iv_id"),
    ),
]
PAGE_CALLS: list[Call] = []


def _matrix_lot(db, org, nurse: Principal) -> None:
    """A stocked ketamine lot and location with the fixed ids the POST body names."""
    stock = stocked_lot(db, org, mg="0")
    lot = Lot(
        id=LOT_ID,
        organization_id=org.id,
        product_id=stock.product.id,
        lot_number="MATRIX-1",
        expiry=stock.lot.expiry,
        supplier="Acme Pharma",
    )
    location = StockLocation(id=LOCATION_ID, organization_id=org.id, name="Matrix", site="Main")
    db.add_all([lot, location])
    db.flush()
    receipt = ReceiptCreate(
        lot_id=LOT_ID,
        location_id=LOCATION_ID,
        quantity_mg=Decimal(1000),
        supplier="Acme Pharma",
        supplier_address="1 Supply Road, Springfield, IL 62701",
        supplier_dea_registration="AB1234563",
        invoice_number="INV-MATRIX",
    )
    service.record_receipt(db, data=receipt, by=nurse)


def _headache(db, dosing, nurse):
    data = AdverseEventInput(
        event_type="headache",
        onset_at=utcnow() - timedelta(hours=1),
        severity="mild",
        action_taken="Rest and water.",
        outcome="ongoing",
    )
    return adverse_events.record_adverse_event(db, dosing=dosing, data=data, by=nurse)


def seed(db, org, users):
    nurse = Principal(user=users[Role.nurse], client_address="test")
    _matrix_lot(db, org, nurse)
    ready = session_in_dosing(db, dosable_episode(db, org), nurse)
    iv = administered_session(db, dosable_episode(db, org), nurse)
    esketamine = administered_session(db, dosable_episode(db, org, route="intranasal"), nurse)
    for dosing in (ready, iv, esketamine):
        shift_back(db, dosing, timedelta(hours=12))
    event = _headache(db, iv, nurse)
    return {
        "administration_ready_id": ready.id,
        "administered_iv_id": iv.id,
        "administered_esketamine_id": esketamine.id,
        "administration_device_number": 1,
        "adverse_event_id": event.id,
    }
