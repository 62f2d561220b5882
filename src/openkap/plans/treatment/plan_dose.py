"""The dose of a plan version: computed, checked against the template, refused or overridden."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from openkap.core.errors import Forbidden
from openkap.plans.errors import DoseNotMeasurable, DoseOutsideTemplate, NoRecentWeight
from openkap.plans.models import DoseUnit, ProtocolTemplate, TreatmentPlan
from openkap.plans.treatment.body_weight import WeightBasis
from openkap.plans.treatment.doses import (
    PER_KG_PLACES,
    DoseCalculation,
    bound_violations,
    calculate_dose,
    is_measurable,
    round_down,
)


@dataclass(frozen=True)
class DoseChoice:
    """The prescriber's dose (none = the template's start dose) and override reason."""

    dose_per_kg: Decimal | None
    dose_mg: Decimal | None
    override_reason: str | None
    # A revision that does not touch the dose carries the previous version's dose over.
    carried: bool = False

    @property
    def field(self) -> str:
        """Name the input a refusal points at."""
        if self.carried:
            return "override_reason"
        if self.dose_per_kg is not None:
            return "dose_per_kg"
        return "dose_mg" if self.dose_mg is not None else "override_reason"


def checked_dose(
    *,
    template: ProtocolTemplate,
    age: int,
    choice: DoseChoice,
    previous: TreatmentPlan | None,
    first_dose: bool,
    may_override: bool,
    weigh: Callable[[], WeightBasis | None],
) -> tuple[DoseCalculation, list[str]]:
    """Compute the dose and return it with the bounds it overrides (refusing when it may not)."""
    if choice.dose_per_kg is not None and not template.weight_based:
        raise DoseNotMeasurable("This template is dosed in mg: give dose_mg.", field="dose_per_kg")
    weight = weigh() if template.weight_based else None
    if template.weight_based and weight is None:
        raise NoRecentWeight(
            f"No weight recorded for this patient in the last {template.weight_max_age_days} "
            "days: record the weight before planning a weight-based dose."
        )
    calc = calculate_dose(
        template,
        age=age,
        weight_kg=weight.dosing_kg if weight else None,
        weight_measured_on=weight.measured_on if weight else None,
        dose_per_kg=choice.dose_per_kg,
        dose_mg=choice.dose_mg,
    )
    _check_measurable(template, choice)
    violations = bound_violations(
        template, calc=calc, previous=_previous_value(template, previous), first_dose=first_dose
    )
    if violations and not choice.override_reason:
        raise DoseOutsideTemplate(
            f"The dose is outside the template '{template.name}' (version {template.version}): "
            + "; ".join(v.message for v in violations)
            + ". A prescriber may still choose it by giving an override_reason.",
            field=choice.field,
        )
    if violations and not may_override:
        raise Forbidden("Only a prescriber may override a template's dose bounds.")
    return calc, [v.bound for v in violations]


def _check_measurable(template: ProtocolTemplate, choice: DoseChoice) -> None:
    if choice.dose_mg is None:
        return
    step = Decimal(template.dose_rounding_mg)
    if not is_measurable(choice.dose_mg, step):
        unit = (
            f"{step.normalize():f} mg devices"
            if not template.weight_based
            else (f"{step.normalize():f} mg, the precision this route is measured to")
        )
        raise DoseNotMeasurable(f"The dose must be a whole number of {unit}.", field=choice.field)


def _previous_value(template: ProtocolTemplate, previous: TreatmentPlan | None) -> Decimal | None:
    if previous is None:
        return None
    if template.bounds_unit == DoseUnit.mg.value:
        return Decimal(previous.start_dose_mg)
    if previous.dose_per_kg is not None:
        return Decimal(previous.dose_per_kg)
    weight = previous.dosing_weight_kg or previous.weight_kg
    if weight:
        return (Decimal(previous.start_dose_mg) / Decimal(weight)).quantize(PER_KG_PLACES)
    return None


def plan_ceiling_mg(template: ProtocolTemplate, calc: DoseCalculation) -> Decimal:
    """Return the largest dose in mg the template allows this patient."""
    if template.bounds_unit == DoseUnit.mg_per_kg.value and calc.weight_kg is not None:
        return round_down(
            Decimal(template.max_dose) * calc.weight_kg, Decimal(template.dose_rounding_mg)
        )
    return Decimal(template.max_dose)
