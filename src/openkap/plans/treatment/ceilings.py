"""The absolute mg ceiling of each route: no template, plan, order or override goes above it.

A template's bounds are relative (mg/kg) and clinic-editable; these are the last line against a
wrong weight or a runaway template. They are defined here once and checked when a plan is made
or signed, when a dose is calculated, and (through `check_route_ceiling`) when a session's order
is set. Sources: the clinical reference, "Administration protocols".
"""

from dataclasses import dataclass
from decimal import Decimal

from openkap.plans.errors import DoseAboveRouteCeiling
from openkap.plans.models import Route


@dataclass(frozen=True, kw_only=True)
class RouteCeiling:
    """The largest dose in mg one session may give by a route, and why."""

    route: Route
    max_mg: Decimal
    source: str


ROUTE_CEILINGS: dict[Route, RouteCeiling] = {
    Route.iv: RouteCeiling(
        route=Route.iv,
        max_mg=Decimal(150),
        source=(
            "IV racemic ketamine 0.1-0.75 mg/kg, some programmes up to 1.0 mg/kg (Andrade 2017; "
            "ELEKT-D; ORKA-1): the top of the range for a 150 kg patient"
        ),
    ),
    Route.im: RouteCeiling(
        route=Route.im,
        max_mg=Decimal(200),
        source=(
            "IM racemic ketamine 0.5-0.75 mg/kg, up to about 1-2 mg/kg in some KAP programmes "
            "(KAP practice reports): 2 mg/kg for a 100 kg patient"
        ),
    ),
    Route.intranasal: RouteCeiling(
        route=Route.intranasal,
        max_mg=Decimal(84),
        source="Esketamine 28, 56 or 84 mg per session (SPRAVATO prescribing information)",
    ),
    Route.sublingual: RouteCeiling(
        route=Route.sublingual,
        max_mg=Decimal(450),
        source="Sublingual racemic ketamine 100-450 mg (Dore 2019; Hull 2022)",
    ),
}


def route_ceiling(route: str) -> RouteCeiling:
    """Return the ceiling of a route (every route the plans know has one)."""
    return ROUTE_CEILINGS[Route(route)]


def check_route_ceiling(*, route: str, dose_mg: Decimal, what: str = "dose") -> None:
    """Refuse a dose in mg above the route's absolute ceiling (not overridable)."""
    ceiling = route_ceiling(route)
    if Decimal(dose_mg) <= ceiling.max_mg:
        return
    raise DoseAboveRouteCeiling(
        f"The {what} of {Decimal(dose_mg).normalize():f} mg is above the absolute ceiling for "
        f"the {ceiling.route.value} route of {ceiling.max_mg} mg (route_ceiling; source: "
        f"{ceiling.source}). No override goes above it: choose a lower dose, or for a heavy "
        "patient dose by adjusted body weight.",
        field="dose_mg",
    )
