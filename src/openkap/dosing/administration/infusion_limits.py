"""How long and how fast an IV infusion may run: the template's range inside fixed guard-rails.

The template states its minutes (minimum, default, maximum) and its maximum rate in mg/kg/min,
within the guard-rails of plans.treatment.doses (40-100 minutes, at most 0.025 mg/kg/min) that
no template and no role passes."""

from decimal import Decimal

from openkap.dosing.errors import InfusionRateTooHigh, InvalidSessionInput
from openkap.plans.models import ProtocolTemplate
from openkap.plans.treatment.doses import IV_MINUTES_RANGE, MAX_RATE_MG_PER_KG_MIN

RATE_PLACES = Decimal("0.0001")


def minutes_range(template: ProtocolTemplate) -> tuple[int, int]:
    """Return the template's allowed infusion minutes (the guard-rails where it states none)."""
    low, high = IV_MINUTES_RANGE
    return (template.infusion_minutes_min or low, template.infusion_minutes_max or high)


def max_rate(template: ProtocolTemplate) -> Decimal:
    """Return the template's maximum rate in mg/kg/min, never above the guard-rail."""
    stated = template.max_rate_mg_per_kg_min
    return MAX_RATE_MG_PER_KG_MIN if stated is None else min(stated, MAX_RATE_MG_PER_KG_MIN)


def rate_mg_per_kg_min(dose_mg: Decimal, weight_kg: Decimal, minutes: Decimal) -> Decimal:
    """Return an infusion's rate in mg/kg/min, rounded up so a limit is never passed unseen."""
    return (dose_mg / weight_kg / minutes).quantize(RATE_PLACES, rounding="ROUND_CEILING")


def require_infusion_in_limits(
    template: ProtocolTemplate, *, dose_mg: Decimal, weight_kg: Decimal | None, minutes: int
) -> None:
    """Refuse infusion minutes outside the template's range or a rate above its maximum."""
    low, high = minutes_range(template)
    if not low <= minutes <= high:
        raise InvalidSessionInput(
            f"infusion_minutes {minutes} is outside the protocol's range of {low}-{high} minutes.",
            field="infusion_minutes",
        )
    require_rate(template, dose_mg=dose_mg, weight_kg=weight_kg, minutes=Decimal(minutes))


def require_rate(
    template: ProtocolTemplate, *, dose_mg: Decimal, weight_kg: Decimal | None, minutes: Decimal
) -> None:
    """Refuse a rate above the template's maximum mg/kg/min; no role may override it."""
    if weight_kg is None:
        raise InfusionRateTooHigh(
            "No weight is recorded, so the infusion rate in mg/kg/min cannot be checked; "
            "record the weight of the day.",
            field="weight_kg",
        )
    rate = rate_mg_per_kg_min(dose_mg, weight_kg, minutes)
    ceiling = max_rate(template)
    if rate > ceiling:
        raise InfusionRateTooHigh(
            f"Maximum infusion rate: {dose_mg} mg over {minutes} minutes at {weight_kg} kg is "
            f"{rate} mg/kg/min, above the maximum of {ceiling} mg/kg/min; "
            "no role may exceed it.",
            field="infusion_minutes",
        )
