"""Matrix entries of the controlled-substance ledger (see tests/matrix.py).

Nurses and prescribers record; they and administrators read balances, entries, counts and the
biennial report; therapists, front desk, researchers and patients see nothing of the ledger.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from openkap.accounts import service as accounts
from openkap.core.models import Role, User
from openkap.core.principal import Principal
from openkap.core.security import hash_password
from openkap.core.time import utcnow
from openkap.inventory.counts import service as counts
from openkap.inventory.models import Lot, LotBalance, Product, StockLocation
from openkap.inventory.schemas import CountComplete, CountedLot, ReceiptCreate
from openkap.inventory.stock import service
from tests.fixtures.factories import PASSWORD, make_patient
from tests.matrix import A, Call, N, P

# Request bodies cannot name seeded records, so the records bodies name have fixed ids.
PRODUCT_ID = uuid.UUID("00000000-0000-4000-8000-00000000c001")
LOT_ID = uuid.UUID("00000000-0000-4000-8000-00000000c002")
CABINET_ID = uuid.UUID("00000000-0000-4000-8000-00000000c003")
SAFE_ID = uuid.UUID("00000000-0000-4000-8000-00000000c004")
PATIENT_ID = uuid.UUID("00000000-0000-4000-8000-00000000c005")
WITNESS_ID = uuid.UUID("00000000-0000-4000-8000-00000000c006")
RECORDERS = frozenset({P, N})
READERS = frozenset({A, P, N})
BASE = "/api/v1/inventory"
AT_CABINET = {"lot_id": str(LOT_ID), "location_id": str(CABINET_ID), "quantity_mg": "10"}
TODAY = utcnow().date()
WITNESS_EMAIL = "ledger-witness@matrix.example.org"
WITNESS = {"witness_email": WITNESS_EMAIL, "witness_password": PASSWORD}
SUPPLIER = {
    "supplier": "Acme",
    "supplier_address": "1 Supply Road, Springfield, IL 62701",
    "supplier_dea_registration": "AB1234563",
}

API_CALLS = [
    Call("GET", f"{BASE}/products", READERS, record_route=False),
    Call(
        "POST",
        f"{BASE}/products",
        RECORDERS,
        {
            "name": "Esketamine 28 mg nasal device",
            "drug": "esketamine",
            "form": "nasal spray",
            "strength": "28 mg/device",
            "unit": "device",
            "mg_per_unit": "28",
        },
        record_route=False,
    ),
    Call("GET", f"{BASE}/locations", READERS, record_route=False),
    Call(
        "POST",
        f"{BASE}/locations",
        RECORDERS,
        {"name": "Room 2", "site": "Main"},
        record_route=False,
    ),
    Call("GET", f"{BASE}/lots", READERS, record_route=False),
    Call(
        "POST",
        f"{BASE}/lots",
        RECORDERS,
        {
            "product_id": str(PRODUCT_ID),
            "lot_number": "NEW-1",
            "expiry": (TODAY + timedelta(days=300)).isoformat(),
            "supplier": "Acme",
        },
    ),
    Call(
        "POST",
        f"{BASE}/receipts",
        RECORDERS,
        {**AT_CABINET, **SUPPLIER, "invoice_number": "INV-9"},
    ),
    Call(
        "POST",
        f"{BASE}/administrations",
        RECORDERS,
        {
            "lot_id": str(LOT_ID),
            "location_id": str(CABINET_ID),
            "patient_id": str(PATIENT_ID),
            "dose_mg": "35",
            "waste_mg": "15",
            **WITNESS,
        },
    ),
    Call(
        "POST",
        f"{BASE}/waste",
        RECORDERS,
        {**AT_CABINET, **WITNESS, "reason": "Drawn up, not given"},
    ),
    Call(
        "POST",
        f"{BASE}/transfers",
        RECORDERS,
        {
            "lot_id": str(LOT_ID),
            "from_location_id": str(CABINET_ID),
            "to_location_id": str(SAFE_ID),
            "quantity_mg": "10",
        },
    ),
    Call(
        "POST", f"{BASE}/returns", RECORDERS, {**AT_CABINET, "supplier": "Acme", "reason": "Recall"}
    ),
    Call(
        "POST",
        f"{BASE}/destructions",
        RECORDERS,
        {
            **AT_CABINET,
            **WITNESS,
            "reason": "Expired",
            "dea_form_41": "Form 41",
        },
    ),
    Call(
        "POST",
        f"{BASE}/losses",
        RECORDERS,
        {**AT_CABINET, "reason": "Broken vial", "dea_form_106": "Form 106"},
    ),
    Call(
        "POST",
        f"{BASE}/entries/{{entry_id}}/corrections",
        RECORDERS,
        {"quantity_mg": "-1", "reason": "Invoice said 999 mg", **WITNESS},
        use={"entry_id": "ledger_entry_id"},
    ),
    Call("GET", f"{BASE}/entries", READERS, record_route=False),
    Call("GET", f"{BASE}/balances", READERS, record_route=False),
    Call("POST", f"{BASE}/counts", RECORDERS, {"location_id": str(CABINET_ID)}),
    Call("GET", f"{BASE}/counts/{{count_id}}", READERS, use={"count_id": "open_count_id"}),
    Call(
        "POST",
        f"{BASE}/counts/{{count_id}}/complete",
        RECORDERS,
        {"lines": [{"lot_id": str(LOT_ID), "counted_mg": "1000"}]},
        use={"count_id": "open_count_id"},
    ),
    Call(
        "POST",
        f"{BASE}/counts/{{count_id}}/sign",
        RECORDERS,
        use={"count_id": "signing_count_id"},
    ),
    Call(
        "GET",
        f"{BASE}/reports/biennial.csv",
        READERS,
        record_route=False,
    ),
    Call("GET", f"{BASE}/reports/biennial.pdf", READERS, record_route=False),
]
PAGE_CALLS = [
    Call("GET", "/inventory", READERS, record_route=False),
    Call("GET", "/inventory/catalogue", READERS, record_route=False),
    Call("GET", "/inventory/receipts/new", RECORDERS, record_route=False),
    Call("GET", "/inventory/lots/{lot_id}", READERS, use={"lot_id": "ledger_lot_id"}),
    Call("GET", "/inventory/counts", READERS, record_route=False),
    Call("GET", "/inventory/counts/{count_id}", READERS, use={"count_id": "open_count_id"}),
    Call("GET", "/inventory/counts/{count_id}", READERS, use={"count_id": "signing_count_id"}),
    Call("GET", "/inventory/reports/biennial", READERS, record_route=False),
    Call("GET", "/inventory/reports/biennial.csv", READERS, record_route=False),
    Call("GET", "/inventory/reports/biennial.pdf", READERS, record_route=False),
]


def _witness(db, org) -> Principal:
    user = User(
        id=WITNESS_ID,
        organization_id=org.id,
        email=WITNESS_EMAIL,
        full_name="Ledger Witness",
        password_hash=hash_password(PASSWORD),
        role_rows=accounts.role_rows((Role.nurse,)),
    )
    db.add(user)
    db.flush()
    return Principal(user=user, client_address="test")


def _catalogue(db, org, nurse: Principal) -> None:
    db.add_all(
        [
            Product(
                id=PRODUCT_ID,
                organization_id=org.id,
                name="Ketamine 50 mg/mL",
                drug="racemic_ketamine",
                form="injection",
                strength="50 mg/mL",
                unit="mL",
                mg_per_unit=Decimal(50),
            ),
            StockLocation(id=CABINET_ID, organization_id=org.id, name="Cabinet", site="Main"),
            StockLocation(id=SAFE_ID, organization_id=org.id, name="Safe", site="Main"),
        ]
    )
    db.flush()
    db.add(
        Lot(
            id=LOT_ID,
            organization_id=org.id,
            product_id=PRODUCT_ID,
            lot_number="MATRIX-1",
            expiry=TODAY + timedelta(days=365),
            supplier="Acme",
        )
    )
    db.flush()
    make_patient(db, org, id=PATIENT_ID)


def _receive(db, nurse: Principal, location_id: uuid.UUID, mg: int):
    data = ReceiptCreate(
        lot_id=LOT_ID,
        location_id=location_id,
        quantity_mg=Decimal(mg),
        **SUPPLIER,
        invoice_number="INV-1",
    )
    return service.record_receipt(db, data=data, by=nurse)


def _count_every_location(db, nurse: Principal) -> None:
    """Matching counts of every location holding stock (the earlier matrices' too), so the
    day's biennial inventory has its physical counts."""
    held = db.scalars(select(LotBalance.location_id).where(LotBalance.balance_mg != 0)).all()
    for location_id in sorted(set(held)):
        count = counts.start_count(db, location_id=location_id, by=nurse)
        lines = [
            CountedLot(lot_id=line.lot_id, counted_mg=line.expected_mg)
            for line in counts.count_lines(db, count=count)
        ]
        counts.complete_count(db, count_id=count.id, data=CountComplete(lines=lines), by=nurse)


def seed(db, org, users):
    nurse = Principal(user=users[Role.nurse], client_address="test")
    witness = _witness(db, org)
    _catalogue(db, org, nurse)
    receipt = _receive(db, nurse, CABINET_ID, 1000)
    _receive(db, nurse, SAFE_ID, 500)
    _count_every_location(db, nurse)
    open_count = counts.start_count(db, location_id=CABINET_ID, by=nurse)
    signing = counts.start_count(db, location_id=SAFE_ID, by=witness)
    short = CountComplete(
        lines=[CountedLot(lot_id=LOT_ID, counted_mg=Decimal(490))], explanation="Spill"
    )
    counts.complete_count(db, count_id=signing.id, data=short, by=witness)
    return {
        "ledger_lot_id": LOT_ID,
        "ledger_entry_id": receipt.id,
        "open_count_id": open_count.id,
        "signing_count_id": signing.id,
    }
