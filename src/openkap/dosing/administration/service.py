"""The dose given in a dosing session: checked against the plan, drawn from the ledger, timed.

A session has one administration. Its delivered dose is checked against the signed plan: the
plan's maximum in mg, and the template's max_step from the episode's previous completed
administration, in the template's own unit (plans.treatment.doses). Only a prescriber may give a
dose outside them, with a written reason. The ledger draw is part of the same transaction, so a
refused draw leaves nothing written. Esketamine devices are timed one by one; an IV infusion can
be paused, resumed, re-rated; any administration can be stopped early, which ends
administration."""

import uuid
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.administration.calculator import AdministrationPlan, administration_plan
from openkap.dosing.administration.dose_check import (
    DoseCheck,
    authorised_override,
    check_dose,
    dosing_weight_kg,
)
from openkap.dosing.administration.infusion_limits import require_infusion_in_limits
from openkap.dosing.administration.order_changes import ordered_outside_plan
from openkap.dosing.administration.orders import require_order
from openkap.dosing.administration.schemas import AdministrationInput
from openkap.dosing.errors import (
    AdministrationNotFound,
    AdministrationRefused,
    InvalidSessionInput,
    LotNotUsable,
    require_aware,
)
from openkap.dosing.models import (
    Administration,
    DeviceGiven,
    DosingSession,
    InfusionEvent,
    SessionState,
)
from openkap.dosing.state import audit_session, require_state
from openkap.inventory.models import Lot, Product
from openkap.inventory.schemas import AdministrationCreate
from openkap.inventory.stock import catalog
from openkap.inventory.stock.service import draw_for_administration
from openkap.plans.models import Drug, Route
from openkap.plans.treatment.doses import (
    round_half_up,
    unit_label,
)

# The administration record and the ledger keep mg to 0.01: a drawn volume's mg is rounded to it.
RECORDED_MG_STEP = Decimal("0.01")
ADMINISTERS = "Only nurses and prescribers administer doses."


def get_administration(session: Session, *, dosing: DosingSession) -> Administration | None:
    """Return the session's administration, if one is recorded."""
    query = select(Administration).where(Administration.session_id == dosing.id)
    return session.scalars(query).first()


def list_devices(session: Session, *, dosing: DosingSession) -> list[DeviceGiven]:
    """Return the session's esketamine devices in order (empty for other routes)."""
    query = select(DeviceGiven).where(DeviceGiven.session_id == dosing.id)
    return list(session.scalars(query.order_by(DeviceGiven.number)))


def list_infusion_events(session: Session, *, dosing: DosingSession) -> list[InfusionEvent]:
    """Return the session's pauses, resumptions, rate changes and stop, oldest first."""
    query = select(InfusionEvent).where(InfusionEvent.session_id == dosing.id)
    return list(session.scalars(query.order_by(InfusionEvent.at, InfusionEvent.id)))


def read_administration(
    session: Session, *, dosing: DosingSession, by: Principal
) -> Administration:
    """Return the session's administration to a clinician, auditing the read."""
    require(by, Permission.dosing_read, "Your role does not allow reading the administration.")
    audit_session(session, dosing=dosing, action="read_administration", by=by)
    administration = get_administration(session, dosing=dosing)
    if administration is None:
        raise AdministrationNotFound("No administration is recorded for this session yet.")
    return administration


def read_infusion_events(
    session: Session, *, dosing: DosingSession, by: Principal
) -> list[InfusionEvent]:
    """Return the session's infusion events to a clinician, auditing the read."""
    require(by, Permission.dosing_read, "Your role does not allow reading the administration.")
    audit_session(session, dosing=dosing, action="read_infusion_events", by=by)
    return list_infusion_events(session, dosing=dosing)


def _start_time(dosing: DosingSession, started_at: datetime | None) -> datetime:
    now = utcnow()
    if started_at is None:
        return now
    require_aware("started_at", started_at)
    if started_at > now:
        raise InvalidSessionInput("started_at is in the future.", field="started_at")
    if dosing.checked_in_at is not None and started_at < dosing.checked_in_at:
        raise InvalidSessionInput(
            f"started_at is before the patient checked in ({dosing.checked_in_at.isoformat()}).",
            field="started_at",
        )
    return started_at


def _usable_lot(
    session: Session, dosing: DosingSession, data: AdministrationInput, by: Principal
) -> tuple[Lot, Product]:
    lot = catalog.get_lot(session, lot_id=data.lot_id, by=by, field="lot_id")
    product = catalog.get_product(session, product_id=lot.product_id, by=by, field="lot_id")
    if product.drug != dosing.drug:
        raise LotNotUsable(
            f"Lot {lot.lot_number} is {product.name} ({product.drug}); "
            f"this session gives {dosing.drug}.",
            field="lot_id",
        )
    return lot, product


def _how_to_give(
    dosing: DosingSession, minutes: int | None, data: AdministrationInput, at: datetime
) -> AdministrationPlan:
    return administration_plan(
        route=Route(dosing.route),
        drug=Drug(dosing.drug),
        dose_mg=data.dose_mg,
        concentration_mg_per_ml=data.concentration_mg_per_ml,
        infusion_minutes=minutes,
        first_device_at=at,
    )


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _calculation(given: AdministrationPlan, check: DoseCheck) -> dict[str, object]:
    """Keep every input and output of the dose math, decimals as text so they stay exact."""
    amounts = ("dose_mg", "delivered_mg", "concentration_mg_per_ml", "volume_ml")
    rates = ("rate_ml_per_hour", "rate_mg_per_minute")
    devices = [
        {"number": d.number, "dose_mg": str(d.dose_mg), "planned_at": d.planned_at.isoformat()}
        for d in given.devices
    ]
    return {
        **{name: _text(getattr(given, name)) for name in (*amounts, *rates)},
        "route": given.route.value,
        "drug": given.drug.value,
        "infusion_minutes": given.infusion_minutes,
        "devices": devices,
        "template_version": check.template.version,
        "bounds_unit": unit_label(check.template),
        "max_step": _text(check.template.max_step),
        "weight_kg": _text(check.weight_kg),
        "dose_in_bound_unit": _text(check.dose_in_bound_unit),
        "previous_administration_id": _text(check.previous and check.previous.id),
        "previous_in_bound_unit": _text(check.previous_in_bound_unit),
        "bounds_overridden": [v.bound for v in check.violations],
    }


def _draw(
    session: Session, dosing: DosingSession, data: AdministrationInput, mg: Decimal, by: Principal
) -> tuple[uuid.UUID, uuid.UUID | None]:
    """Draw the dose and any waste from the ledger; returns the dose entry's id and the witness."""
    draw = AdministrationCreate(
        lot_id=data.lot_id,
        location_id=data.location_id,
        patient_id=dosing.patient_id,
        dose_mg=mg,
        waste_mg=data.waste_mg,
        witness_email=data.witness_email,
        witness_password=data.witness_password,
        witness_totp=data.witness_totp,
        encounter_reference=str(dosing.id),
    )
    entries = draw_for_administration(session, data=draw, by=by)
    return entries[0].id, entries[-1].witness_id


def _add_devices(session: Session, dosing: DosingSession, given: AdministrationPlan) -> None:
    for device in given.devices:
        session.add(
            DeviceGiven(
                organization_id=dosing.organization_id,
                session_id=dosing.id,
                number=device.number,
                dose_mg=device.dose_mg,
                planned_at=device.planned_at,
            )
        )


def _stock_fields(lot: Lot, product: Product, data: AdministrationInput) -> dict[str, object]:
    return {
        "product_name": product.name,
        "lot_id": lot.id,
        "lot_number": lot.lot_number,
        "lot_expiry": lot.expiry,
        "location_id": data.location_id,
        "waste_mg": data.waste_mg,
    }


def _dose_fields(
    given: AdministrationPlan, delivered: Decimal, check: DoseCheck
) -> dict[str, object]:
    return {
        "concentration_mg_per_ml": given.concentration_mg_per_ml,
        "delivered_mg": delivered,
        "volume_ml": given.volume_ml,
        "infusion_minutes": given.infusion_minutes,
        "rate_ml_per_hour": given.rate_ml_per_hour,
        "calculation": _calculation(given, check),
    }


def _audit_override(
    session: Session, dosing: DosingSession, check: DoseCheck, reason: str, by: Principal
) -> None:
    audit.record(
        session,
        actor=by.actor,
        action="dosing_session.dose_override",
        resource_type="dosing_session",
        resource_id=dosing.id,
        patient_id=dosing.patient_id,
        detail=", ".join(v.bound for v in check.violations) + f": {reason}",
    )


def record_administration(
    session: Session, *, dosing: DosingSession, data: AdministrationInput, by: Principal
) -> Administration:
    """Record the dose given, checked against the plan, and draw it from the ledger."""
    require(by, Permission.dosing_administer, ADMINISTERS)
    require_state(dosing, SessionState.dosing)
    if get_administration(session, dosing=dosing) is not None:
        raise AdministrationRefused("This session's administration is already recorded.")
    minutes = require_order(dosing, data)
    started_at = _start_time(dosing, data.started_at)
    lot, product = _usable_lot(session, dosing, data, by)
    given = _how_to_give(dosing, minutes, data, started_at)
    delivered = round_half_up(given.delivered_mg, RECORDED_MG_STEP)
    check = check_dose(session, dosing=dosing, delivered_mg=delivered)
    # A bound the prescriber set aside when ordering this dose needs no second override.
    accepted = ordered_outside_plan(session, dosing=dosing)
    check = replace(check, violations=[v for v in check.violations if v.bound not in accepted])
    if minutes is not None:
        weight = check.weight_kg or dosing_weight_kg(session, dosing=dosing)
        require_infusion_in_limits(
            check.template, dose_mg=delivered, weight_kg=weight, minutes=minutes
        )
    override = authorised_override(check, data.dose_override_reason, by)
    entry_id, witness_id = _draw(session, dosing, data, delivered, by)
    administration = Administration(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        drug=dosing.drug,
        route=dosing.route,
        dose_mg=data.dose_mg,
        started_at=started_at,
        administered_by_id=by.user.id,
        ledger_entry_id=entry_id,
        witness_id=witness_id,
        dose_override_reason=override,
        dose_override_by_id=by.user.id if override else None,
        created_by_id=by.user.id,
        updated_by_id=by.user.id,
        **_stock_fields(lot, product, data),
        **_dose_fields(given, delivered, check),
    )
    session.add(administration)
    _add_devices(session, dosing, given)
    if not given.devices:
        # For esketamine the first device's own time starts the clock (mark_device_given).
        dosing.first_device_at = started_at
    session.flush()
    audit_session(session, dosing=dosing, action="record_administration", by=by)
    if override:
        _audit_override(session, dosing, check, override, by)
    return administration
