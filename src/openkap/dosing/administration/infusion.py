"""Esketamine devices given one by one, and an infusion's pauses, rate changes and early stop.

The administration itself is recorded by openkap.dosing.administration.service.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from openkap.core.errors import Forbidden
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal, require
from openkap.core.time import utcnow
from openkap.dosing.administration.calculator import DEVICE_SPACING
from openkap.dosing.administration.dose_check import dosing_weight_kg, plan_and_template
from openkap.dosing.administration.infusion_limits import require_rate
from openkap.dosing.administration.schemas import MIN_REASON
from openkap.dosing.administration.service import ADMINISTERS, get_administration, list_devices
from openkap.dosing.chair.leaving import end_administration
from openkap.dosing.errors import (
    AdministrationRefused,
    DeviceNotFound,
    InvalidSessionInput,
)
from openkap.dosing.models import (
    Administration,
    AdministrationStatus,
    DeviceGiven,
    DosingSession,
    InfusionEvent,
    InfusionEventKind,
    SessionState,
)
from openkap.dosing.state import audit_session, require_state
from openkap.plans.models import Route


def _current(session: Session, dosing: DosingSession) -> Administration:
    administration = get_administration(session, dosing=dosing)
    if administration is None:
        raise AdministrationRefused("No administration is recorded: record the dose given first.")
    return administration


def _refuse_early(device: DeviceGiven, before: DeviceGiven | None, now: datetime) -> None:
    if before is None:
        return
    if before.given_at is None:
        raise AdministrationRefused(
            f"Device {before.number} has not been given yet: devices are given in order."
        )
    earliest = before.given_at + DEVICE_SPACING
    if now < earliest:
        raise AdministrationRefused(
            f"Device {device.number} may be given from {earliest.isoformat(timespec='seconds')}, "
            f"5 minutes after device {before.number}."
        )


def mark_device_given(
    session: Session, *, dosing: DosingSession, number: int, by: Principal
) -> DeviceGiven:
    """Record that an esketamine device was used now, in order and 5 minutes after the last."""
    require(by, Permission.dosing_administer, ADMINISTERS)
    require_state(dosing, SessionState.dosing)
    if (status := _current(session, dosing).status) != AdministrationStatus.running.value:
        raise AdministrationRefused(f"The administration is {status}; no device is given.")
    devices = {d.number: d for d in list_devices(session, dosing=dosing)}
    device = devices.get(number)
    if device is None:
        raise DeviceNotFound(f"This session has no device {number}; it has {len(devices)}.")
    if device.given_at is not None:
        given = device.given_at.isoformat(timespec="seconds")
        raise AdministrationRefused(f"Device {number} was already given at {given}.")
    now = utcnow()
    _refuse_early(device, devices.get(number - 1), now)
    device.given_at, device.given_by_id = now, by.user.id
    if number == 1:
        dosing.first_device_at = now
    session.flush()
    audit_session(session, dosing=dosing, action=f"device_{number}_given", by=by)
    return device


# The administration states each infusion change may start from.
_CHANGES_FROM = {
    InfusionEventKind.pause: (AdministrationStatus.running,),
    InfusionEventKind.resume: (AdministrationStatus.paused,),
    InfusionEventKind.rate_change: (AdministrationStatus.running, AdministrationStatus.paused),
    InfusionEventKind.stop: (AdministrationStatus.running, AdministrationStatus.paused),
}


def _check_change(
    administration: Administration, kind: InfusionEventKind, reason: str, rate: Decimal | None
) -> None:
    if kind != InfusionEventKind.stop and administration.route != Route.iv.value:
        raise AdministrationRefused(
            f"Only an IV infusion is paused, resumed or re-rated; a {administration.route} "
            "administration can only be stopped."
        )
    allowed = _CHANGES_FROM[kind]
    if administration.status not in {s.value for s in allowed}:
        needs = " or ".join(s.value for s in allowed)
        raise AdministrationRefused(
            f"The administration is {administration.status}; {kind.value} needs it {needs}."
        )
    if kind != InfusionEventKind.resume and len(reason.strip()) < MIN_REASON:
        raise InvalidSessionInput(
            f"Write the reason in at least {MIN_REASON} characters.", field="reason"
        )
    if (kind == InfusionEventKind.rate_change) != (rate is not None):
        raise InvalidSessionInput(
            "rate_ml_per_hour is sent with a rate_change, and only then.", field="rate_ml_per_hour"
        )


def _check_rate(
    session: Session, administration: Administration, rate: Decimal, by: Principal
) -> None:
    """A nurse may slow an infusion; faster than ordered needs a prescriber, never the maximum."""
    ordered = Decimal(str(administration.calculation.get("rate_ml_per_hour") or 0))
    if rate <= ordered:
        return
    if not allows(by.roles, Permission.dosing_order):
        raise Forbidden(
            f"Faster infusion: {rate} mL/h is faster than the ordered {ordered} mL/h; "
            "a nurse may slow, pause or stop an infusion, and only a prescriber speeds it up."
        )
    concentration = administration.concentration_mg_per_ml or Decimal(0)
    dosing = session.get(DosingSession, (administration.organization_id, administration.session_id))
    stored = administration.calculation.get("weight_kg")
    weight = Decimal(str(stored)) if stored else None
    if weight is None and dosing is not None:
        weight = dosing_weight_kg(session, dosing=dosing)
    template = plan_and_template(session, dosing)[1] if dosing is not None else None
    if template is not None:
        # mg/min = mL/h * mg/mL / 60: the mg given over one minute at that rate.
        require_rate(
            template, dose_mg=rate * concentration / 60, weight_kg=weight, minutes=Decimal(1)
        )


def _apply_change(administration: Administration, event: InfusionEvent, by: Principal) -> None:
    kind = InfusionEventKind(event.kind)
    if kind == InfusionEventKind.pause:
        administration.status = AdministrationStatus.paused.value
    elif kind == InfusionEventKind.resume:
        administration.status = AdministrationStatus.running.value
    elif kind == InfusionEventKind.rate_change:
        # The pump's current rate; the planned rate stays in the calculation.
        administration.rate_ml_per_hour = event.rate_ml_per_hour
    else:
        administration.status = AdministrationStatus.stopped.value
        administration.stopped_at, administration.stop_reason = event.at, event.reason
    administration.updated_by_id = by.user.id


def change_infusion(
    session: Session,
    *,
    dosing: DosingSession,
    kind: InfusionEventKind,
    reason: str,
    rate_ml_per_hour: Decimal | None,
    by: Principal,
) -> InfusionEvent:
    """Pause, resume, re-rate or stop the administration with a reason; a stop ends it."""
    require(by, Permission.dosing_administer, ADMINISTERS)
    require_state(dosing, SessionState.dosing)
    administration = _current(session, dosing)
    _check_change(administration, kind, reason, rate_ml_per_hour)
    if rate_ml_per_hour is not None:
        _check_rate(session, administration, rate_ml_per_hour, by)
    event = InfusionEvent(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        kind=kind.value,
        rate_ml_per_hour=rate_ml_per_hour,
        reason=reason.strip(),
        at=utcnow(),
        recorded_by_id=by.user.id,
    )
    session.add(event)
    _apply_change(administration, event, by)
    session.flush()
    audit_session(session, dosing=dosing, action=f"infusion_{kind.value}", by=by)
    if kind == InfusionEventKind.stop:
        end_administration(
            session, dosing=dosing, at=event.at, action="administration_stopped", by=by
        )
    return event
