"""A prescriber's change of a session's order, before its dose is given, with a written reason.

The new order is checked as the dose given would be: the plan's maximum and step (a dose outside
them needs its own reason), esketamine's whole devices, and for IV the template's minutes and
maximum rate (dosing.administration.infusion_limits, which no role passes).
"""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.core.audit import chain as audit
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.dosing.administration.dose_check import check_dose, dosing_weight_kg, plan_and_template
from openkap.dosing.administration.infusion_limits import require_infusion_in_limits
from openkap.dosing.administration.schemas import OrderChangeInput
from openkap.dosing.errors import DoseExceedsPlan, InvalidSessionInput, OrderRefused
from openkap.dosing.models import Administration, DosingSession, OrderChange, SessionState
from openkap.dosing.state import audit_session, require_state
from openkap.plans.models import Drug, Route
from openkap.plans.treatment.ceilings import check_route_ceiling
from openkap.plans.treatment.doses import ESKETAMINE_DEVICE_MG

CHANGEABLE = (
    SessionState.scheduled,
    SessionState.checked_in,
    SessionState.pre_dose_checks,
    SessionState.dosing,
)
ESKETAMINE_DOSES = (Decimal(28), Decimal(56), Decimal(84))


def _require_esketamine_dose(dosing: DosingSession, dose_mg: Decimal) -> None:
    if dosing.drug == Drug.esketamine.value and dose_mg not in ESKETAMINE_DOSES:
        raise InvalidSessionInput(
            f"An esketamine order is 28, 56 or 84 mg (whole {ESKETAMINE_DEVICE_MG} mg devices); "
            f"{dose_mg} mg is not.",
            field="dose_mg",
        )


def _require_route_fields(dosing: DosingSession, data: OrderChangeInput) -> None:
    if data.infusion_minutes is not None and dosing.route != Route.iv.value:
        raise InvalidSessionInput(
            f"infusion_minutes is not part of a {dosing.route} order.", field="infusion_minutes"
        )
    liquid = (Route.iv.value, Route.im.value)
    if data.concentration_mg_per_ml is not None and dosing.route not in liquid:
        raise InvalidSessionInput(
            f"concentration_mg_per_ml is not part of a {dosing.route} order.",
            field="concentration_mg_per_ml",
        )


def _dose_given(session: Session, dosing: DosingSession) -> bool:
    query = select(Administration.id).where(Administration.session_id == dosing.id)
    return session.scalars(query).first() is not None


def _outside_plan(
    session: Session, dosing: DosingSession, data: OrderChangeInput
) -> tuple[list[str], Decimal | None]:
    """Return the plan bounds the new dose breaks (refused without a reason) and the weight."""
    check = check_dose(session, dosing=dosing, delivered_mg=data.dose_mg)
    if check.violations and not data.outside_plan_reason:
        raise DoseExceedsPlan(
            "The new order is outside the plan: "
            + "; ".join(v.message for v in check.violations)
            + ". Give outside_plan_reason to order it anyway, or amend and sign the plan.",
            field="dose_mg",
        )
    if data.outside_plan_reason and not check.violations:
        raise InvalidSessionInput(
            "The new order is within the plan; there is nothing to give a reason for.",
            field="outside_plan_reason",
        )
    weight = check.weight_kg or dosing_weight_kg(session, dosing=dosing)
    return [v.bound for v in check.violations], weight


def change_order(
    session: Session, *, dosing: DosingSession, data: OrderChangeInput, by: Principal
) -> OrderChange:
    """Change a session's order before its dose is given; prescribers only, with a reason."""
    require(by, Permission.dosing_order, "Only a prescriber may set or change an order.")
    require_state(dosing, *CHANGEABLE)
    if _dose_given(session, dosing):
        raise OrderRefused("The dose is already given; the order can no longer change.")
    _require_esketamine_dose(dosing, data.dose_mg)
    check_route_ceiling(route=dosing.route, dose_mg=data.dose_mg, what="order")
    _require_route_fields(dosing, data)
    template = plan_and_template(session, dosing)[1]
    minutes = data.infusion_minutes or dosing.order_infusion_minutes
    concentration = data.concentration_mg_per_ml or dosing.order_concentration_mg_per_ml
    bounds, weight = _outside_plan(session, dosing, data)
    if dosing.route == Route.iv.value and minutes is not None:
        require_infusion_in_limits(
            template, dose_mg=data.dose_mg, weight_kg=weight, minutes=minutes
        )
    change = OrderChange(
        organization_id=dosing.organization_id,
        session_id=dosing.id,
        previous_dose_mg=dosing.planned_dose_mg,
        dose_mg=data.dose_mg,
        infusion_minutes=minutes,
        concentration_mg_per_ml=concentration,
        reason=data.reason,
        outside_plan=bounds,
        outside_plan_reason=data.outside_plan_reason,
        prescriber_id=by.user.id,
    )
    session.add(change)
    dosing.planned_dose_mg, dosing.order_infusion_minutes = data.dose_mg, minutes
    dosing.order_concentration_mg_per_ml = concentration
    dosing.updated_by_id = by.user.id
    session.flush()
    audit.record(
        session,
        actor=by.actor,
        action="dosing_session.change_order",
        resource_type="dosing_session",
        resource_id=dosing.id,
        patient_id=dosing.patient_id,
        detail=f"{change.previous_dose_mg} mg -> {change.dose_mg} mg",
    )
    return change


def ordered_outside_plan(session: Session, *, dosing: DosingSession) -> frozenset[str]:
    """Return the plan bounds a prescriber accepted when ordering the session's current dose."""
    query = select(OrderChange).where(OrderChange.session_id == dosing.id)
    latest = session.scalars(query.order_by(OrderChange.at.desc(), OrderChange.id).limit(1)).first()
    if latest is None or latest.dose_mg != dosing.planned_dose_mg:
        return frozenset()
    return frozenset(latest.outside_plan)


def order_changes(session: Session, *, dosing: DosingSession, by: Principal) -> list[OrderChange]:
    """Return the session's order changes, oldest first, auditing the read."""
    require(by, Permission.dosing_read, "Your role does not allow reading the order.")
    audit_session(session, dosing=dosing, action="read_order_changes", by=by)
    query = select(OrderChange).where(OrderChange.session_id == dosing.id)
    return list(session.scalars(query.order_by(OrderChange.at, OrderChange.id)))
