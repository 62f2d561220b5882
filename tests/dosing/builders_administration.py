"""Builders for administration tests and for anyone who needs a dose given: demo data, the chair
page, the REMS form, discharge tests.

Typical use:

    stock = stocked_lot(db, org, drug="esketamine")
    episode = dosable_episode(db, org, route="intranasal")
    dosing = administered_session(db, episode, nurse, stock=stock)   # state dosing, devices due
    give_devices(db, dosing, nurse)                                 # 5 minutes apart
    leaving.finish_administration(db, dosing=dosing, by=nurse)     # state monitoring

Every builder goes through the services, so the ledger, the audit log and the session state are
what the application would have produced. Names are unique per call (templates, consent
documents, lots, locations), so several builders may share one clinic, as the role matrix does.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from openkap.core.models import Organization, Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.administration import infusion, order_changes
from openkap.dosing.administration import service as administration
from openkap.dosing.administration.schemas import AdministrationInput, OrderChangeInput
from openkap.dosing.chair import leaving, pre_dose
from openkap.dosing.chair.pre_dose import ChecklistKey
from openkap.dosing.models import Administration, DosingSession, OrderChange, VitalSigns
from openkap.episodes.models import Episode
from openkap.inventory.models import Lot, Product, StockLocation
from openkap.inventory.schemas import LocationCreate, LotCreate, ProductCreate, ReceiptCreate
from openkap.inventory.stock import catalog, service
from openkap.plans.models import (
    Consent,
    ConsentDocument,
    PlanStatus,
    ProtocolTemplate,
    TreatmentPlan,
)
from tests.dosing.builders import cleared
from tests.episodes.builders import rems_enrolled, screened
from tests.fixtures.factories import make_episode, make_user

DEVICE_SPACING = timedelta(minutes=5)
_PRODUCTS = {
    "racemic_ketamine": ("Ketamine HCl 50 mg/mL vial", "injection", "50 mg/mL", "mL", "50"),
    "esketamine": ("Spravato 28 mg nasal device", "nasal spray", "28 mg/device", "device", "28"),
}


def _tag() -> str:
    return uuid.uuid4().hex[:8]


@dataclass(frozen=True)
class StockedLot:
    """A product, one of its lots and a location holding stock of it, and who received it."""

    product: Product
    lot: Lot
    location: StockLocation
    recorder: Principal


def stocked_lot(
    db,
    org: Organization,
    *,
    drug: str = "racemic_ketamine",
    mg: str = "1000",
    expiry: date | None = None,
) -> StockedLot:
    """A new lot of a ketamine or esketamine product holding `mg` at a new location.

    `expiry` defaults to a year from today; pass a past date for an expired lot (receipt is
    still allowed, giving from it is not). `mg="0"` registers the lot without stock.
    """
    recorder = Principal(user=make_user(db, org, Role.nurse), client_address="test")
    name, form, strength, unit, per_unit = _PRODUCTS[drug]
    product = catalog.create_product(
        db,
        data=ProductCreate(
            name=name,
            drug=drug,
            form=form,
            strength=strength,
            unit=unit,
            mg_per_unit=Decimal(per_unit),
        ),
        by=recorder,
    )
    lot = catalog.create_lot(
        db,
        data=LotCreate(
            product_id=product.id,
            lot_number=f"LOT-{_tag()}",
            expiry=expiry or utcnow().date() + timedelta(days=365),
            supplier="Acme Pharma",
        ),
        by=recorder,
    )
    location = catalog.create_location(
        db, data=LocationCreate(name=f"Cabinet {_tag()}", site="Main"), by=recorder
    )
    if Decimal(mg) > 0:
        receipt = ReceiptCreate(
            lot_id=lot.id,
            location_id=location.id,
            quantity_mg=Decimal(mg),
            supplier="Acme Pharma",
            supplier_address="1 Supply Road, Springfield, IL 62701",
            supplier_dea_registration="AB1234563",
            invoice_number=f"INV-{_tag()}",
        )
        service.record_receipt(db, data=receipt, by=recorder)
    return StockedLot(product=product, lot=lot, location=location, recorder=recorder)


def _template(org: Organization, route: str) -> ProtocolTemplate:
    common = {"organization_id": org.id, "key": f"{route}-{_tag()}", "version": 1, "route": route}
    if route == "intranasal":
        return ProtocolTemplate(
            **common,
            name="Esketamine",
            drug="esketamine",
            weight_based=False,
            bounds_unit="mg",
            start_dose=Decimal(56),
            min_dose=Decimal(28),
            max_dose=Decimal(84),
            max_step=Decimal(28),
            dose_rounding_mg=Decimal(28),
            dosing_sessions=8,
            schedule={"kind": "twice_weekly"},
            monitoring_minutes=[0, 40, 120],
        )
    return ProtocolTemplate(
        **common,
        name=f"Ketamine {route.upper()}",
        drug="racemic_ketamine",
        weight_based=True,
        bounds_unit="mg_per_kg",
        start_dose=Decimal("0.5"),
        min_dose=Decimal("0.1"),
        max_dose=Decimal("1.0"),
        max_step=Decimal("0.25"),
        dose_rounding_mg=Decimal("0.5"),
        infusion_minutes=40 if route == "iv" else None,
        dosing_sessions=6,
        schedule={"kind": "twice_weekly"},
        monitoring_minutes=[0, 15, 30, 40, 60, 90, 120],
    )


def _plan(episode: Episode, template: ProtocolTemplate) -> TreatmentPlan:
    esketamine = template.drug == "esketamine"
    return TreatmentPlan(
        organization_id=episode.organization_id,
        episode_id=episode.id,
        plan_version=1,
        template_id=template.id,
        template_version=1,
        route=template.route,
        drug=template.drug,
        dose_per_kg=None if esketamine else Decimal("0.5"),
        weight_kg=None if esketamine else Decimal("70.0"),
        start_dose_mg=Decimal(56) if esketamine else Decimal(35),
        max_dose_mg=Decimal(84) if esketamine else Decimal(70),
        start_on=date(2026, 2, 1),
        status=PlanStatus.signed.value,
        signed_at=datetime(2026, 1, 30, tzinfo=UTC),
    )


def dosable_episode(db, org: Organization, *, route: str = "iv") -> Episode:
    """A `ready` episode with a signed plan on a realistic template, consent (and REMS).

    IV/IM: racemic ketamine, 0.5 mg/kg at 70 kg = 35 mg, plan maximum 70 mg, template bounds in
    mg/kg (max 1.0, max_step 0.25), IV over 40 minutes. Intranasal: esketamine 56 mg, plan
    maximum 84 mg, template bounds in mg (max_step 28 mg). SL is racemic like IM.
    """
    episode = make_episode(db, org, state="ready")
    screened(db, episode)
    template = _template(org, route)
    db.add(template)
    db.flush()
    db.add(_plan(episode, template))
    document = ConsentDocument(
        organization_id=org.id,
        key=f"consent-{_tag()}",
        version=1,
        title="Consent",
        routes=[route],
        drugs=[template.drug],
        body="Plain-language consent text.",
    )
    db.add(document)
    db.flush()
    db.add(
        Consent(
            organization_id=org.id,
            episode_id=episode.id,
            document_id=document.id,
            document_version=1,
            method="typed",
            signed_name="Pat Example",
            signed_at=datetime(2026, 1, 30, tzinfo=UTC),
            witness_id=make_user(db, org).id,
        )
    )
    db.flush()
    if template.drug == "esketamine":
        rems_enrolled(db, episode)
    return episode


def session_in_dosing(db, episode: Episode, by: Principal, *, weight_kg: str | None = "70"):
    """A new session of the episode, checklist answered (with the weight of the day unless
    `weight_kg` is None), normal pre-dose vitals, dosing started: ready for its administration."""
    dosing = cleared(db, episode, by)
    if weight_kg is not None:
        pre_dose.record_checklist(
            db, dosing=dosing, key=ChecklistKey.weight_kg, value=weight_kg, by=by
        )
    pre_dose.start_dosing(db, dosing=dosing, by=by)
    db.flush()
    return dosing


def dose_input(dosing: DosingSession, stock: StockedLot, **changes) -> AdministrationInput:
    """The usual input for the session's route: the planned dose (56 mg for esketamine when the
    planned dose is not whole devices), 10 mg/mL and 40 minutes for IV, 50 mg/mL for IM."""
    dose = Decimal(dosing.planned_dose_mg)
    if dosing.drug == "esketamine" and (dose % 28 or dose > 84):
        dose = Decimal(56)
    values: dict[str, object] = {
        "lot_id": stock.lot.id,
        "location_id": stock.location.id,
        "dose_mg": dose,
    }
    if dosing.route == "iv":
        values |= {"concentration_mg_per_ml": Decimal(10), "infusion_minutes": 40}
    if dosing.route == "im":
        values["concentration_mg_per_ml"] = Decimal(50)
    return AdministrationInput.model_validate(values | changes)


def administer(
    db, dosing: DosingSession, by: Principal, *, stock: StockedLot | None = None, **changes
) -> Administration:
    """Record the session's administration from `stock` (a new, stocked lot of the session's
    drug when None) with `dose_input`'s values, overridden by `changes`."""
    if stock is None:
        stock = stocked_lot(db, by.user.organization, drug=dosing.drug)
    data = dose_input(dosing, stock, **changes)
    return administration.record_administration(db, dosing=dosing, data=data, by=by)


def reorder(db, dosing: DosingSession, dose_mg, **changes) -> OrderChange:
    """A prescriber of the session's clinic changes its order to `dose_mg`, with a reason."""
    clinic = db.get(Organization, dosing.organization_id)
    prescriber = Principal(user=make_user(db, clinic, Role.prescriber), client_address="test")
    data = OrderChangeInput(
        dose_mg=Decimal(dose_mg), reason="Titrated after the last session's review.", **changes
    )
    return order_changes.change_order(db, dosing=dosing, data=data, by=prescriber)


def administered_session(
    db, episode: Episode, by: Principal, *, stock: StockedLot | None = None, **changes
) -> DosingSession:
    """A session of the episode in state `dosing` with its administration recorded (esketamine
    devices planned, none given yet). A `dose_mg` other than the order is ordered first."""
    dosing = session_in_dosing(db, episode, by)
    dose = changes.get("dose_mg")
    if dose is not None and Decimal(dose) != dosing.planned_dose_mg:
        reorder(db, dosing, dose)
    administer(db, dosing, by, stock=stock, **changes)
    return dosing


def shift_back(db, dosing: DosingSession, delta: timedelta) -> None:
    """Move every recorded time of the session `delta` into the past: check-in, vitals, start,
    administration, devices. Lets a test reach a later moment without waiting."""
    for name in ("checked_in_at", "dosing_started_at", "first_device_at", "ended_at"):
        if getattr(dosing, name) is not None:
            setattr(dosing, name, getattr(dosing, name) - delta)
    record = administration.get_administration(db, dosing=dosing)
    if record is not None:
        record.started_at -= delta
    for device in administration.list_devices(db, dosing=dosing):
        device.planned_at -= delta
        device.given_at = device.given_at and device.given_at - delta
    for reading in db.scalars(select(VitalSigns).where(VitalSigns.session_id == dosing.id)):
        reading.measured_at -= delta
    db.flush()


def give_devices(db, dosing: DosingSession, by: Principal) -> None:
    """Mark every esketamine device given 5 minutes apart, as the service requires: after each
    device the whole session moves 5 minutes into the past (shift_back), so the last device
    was given 5 minutes ago and the first-device time is device 1's."""
    for device in administration.list_devices(db, dosing=dosing):
        if device.given_at is None:
            infusion.mark_device_given(db, dosing=dosing, number=device.number, by=by)
            shift_back(db, dosing, DEVICE_SPACING)


def completed_session(
    db, episode: Episode, by: Principal, *, stock: StockedLot | None = None, **changes
) -> DosingSession:
    """A session whose administration is completed (every device given): state monitoring."""
    dosing = administered_session(db, episode, by, stock=stock, **changes)
    give_devices(db, dosing, by)
    leaving.finish_administration(db, dosing=dosing, by=by)
    db.flush()
    return dosing


def discharged_days_ago(db, dosing: DosingSession, days: int = 2) -> DosingSession:
    """Move a session `days` into the past and mark it discharged, as an earlier visit would be
    (one open session per patient, and the interval between doses, hold for the next one)."""
    shift_back(db, dosing, timedelta(days=days))
    dosing.state = "discharged"
    dosing.discharged_at = dosing.ended_at = utcnow() - timedelta(days=days) + timedelta(hours=3)
    db.flush()
    return dosing
