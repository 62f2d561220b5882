"""A dosing session's order: the dose in mg and, for IV, the minutes and concentration.

The order of the episode's dose number n comes from the signed plan (its nth dosing slot); the dose
given must equal it (`require_order`, on every path that records an administration). Only a
prescriber changes an order (dosing.administration.order_changes).
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from openkap.dosing.administration.schemas import AdministrationInput
from openkap.dosing.errors import DoseDiffersFromOrder, InvalidSessionInput
from openkap.dosing.models import DosingSession, SessionState
from openkap.episodes.models import Episode
from openkap.plans.models import PlannedSession, ProtocolTemplate, Route, TreatmentPlan
from openkap.plans.treatment.schedule import SessionKind


@dataclass(frozen=True, kw_only=True)
class Order:
    """What a session gives."""

    dose_mg: Decimal
    infusion_minutes: int | None
    concentration_mg_per_ml: Decimal | None = None


def next_session_number(session: Session, *, episode: Episode) -> int:
    """Return the episode's next dose number: sessions so far, less those aborted before a dose."""
    count = session.scalar(
        select(func.count())
        .select_from(DosingSession)
        .where(
            DosingSession.organization_id == episode.organization_id,
            DosingSession.episode_id == episode.id,
            ~(
                (DosingSession.state == SessionState.aborted.value)
                & DosingSession.dosing_started_at.is_(None)
            ),
        )
    )
    return (count or 0) + 1


def plan_order(
    session: Session, *, plan: TreatmentPlan, template: ProtocolTemplate, number: int
) -> Order:
    """Return the signed plan's order for dose number `number` (its last slot's after the end)."""
    slots = session.scalars(
        select(PlannedSession.dose_mg)
        .where(
            PlannedSession.organization_id == plan.organization_id,
            PlannedSession.plan_id == plan.id,
            PlannedSession.kind == SessionKind.dosing.value,
        )
        .order_by(PlannedSession.sequence)
    ).all()
    doses = [dose for dose in slots if dose is not None]
    dose = doses[min(number, len(doses)) - 1] if doses else plan.start_dose_mg
    if plan.route != Route.iv.value:
        return Order(dose_mg=Decimal(dose), infusion_minutes=None)
    return Order(
        dose_mg=Decimal(dose),
        infusion_minutes=template.infusion_minutes,
        concentration_mg_per_ml=template.iv_concentration_mg_per_ml,
    )


def _differs(dosing: DosingSession, field: str, ordered: str, given: str) -> DoseDiffersFromOrder:
    return DoseDiffersFromOrder(
        f"Dose equals the order: the order for session {dosing.session_number} is {ordered}; "
        f"{given} was entered. Give the order, or ask a prescriber to change it first.",
        field=field,
    )


def require_order(dosing: DosingSession, data: AdministrationInput) -> int | None:
    """Refuse an administration that differs from the order; return the infusion minutes."""
    if data.dose_mg != dosing.planned_dose_mg:
        raise _differs(dosing, "dose_mg", f"{dosing.planned_dose_mg} mg", f"{data.dose_mg} mg")
    if dosing.route != Route.iv.value:
        if data.infusion_minutes is not None:
            raise InvalidSessionInput(
                f"A {dosing.route} dose is given at once; infusion_minutes is for IV only.",
                field="infusion_minutes",
            )
        return None
    ordered = dosing.order_concentration_mg_per_ml
    given = data.concentration_mg_per_ml
    if ordered is not None and given is not None and given != ordered:
        raise _differs(dosing, "concentration_mg_per_ml", f"{ordered} mg/mL", f"{given} mg/mL")
    minutes = data.infusion_minutes or dosing.order_infusion_minutes
    ordered_minutes = dosing.order_infusion_minutes
    if minutes is not None and ordered_minutes is not None and minutes < ordered_minutes:
        # A slower infusion (more minutes) is a nurse's call; a faster one is a new order.
        raise _differs(
            dosing,
            "infusion_minutes",
            f"over {dosing.order_infusion_minutes} minutes",
            f"over {minutes} minutes",
        )
    return minutes
