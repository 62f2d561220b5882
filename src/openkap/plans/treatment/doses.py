"""Dose math of a treatment plan: pure functions, no database.

Doses are Decimals throughout, so 0.5 mg/kg times 71.3 kg is exactly 35.65 mg before rounding, and
rounding is half-up to the template's precision (the vial concentration, or the esketamine
device). Bounds are checked in the template's own unit (mg/kg or mg) and every violation names
the bound it broke, so a refusal or an override always says which rule was set aside.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from openkap.plans.models import DoseUnit, ProtocolTemplate
from openkap.plans.treatment.ceilings import check_route_ceiling

OLDER_ADULT_AGE = 65
ESKETAMINE_DEVICE_MG = Decimal(28)
PER_KG_PLACES = Decimal("0.001")
# IV guard-rails no template loosens (clinical reference, "Chair guard-rails"; Andrade 2017): a
# template's infusion minutes lie within 40-100 and its rate never exceeds 1.0 mg/kg over 40 min.
IV_MINUTES_RANGE = (40, 100)
MAX_RATE_MG_PER_KG_MIN = Decimal("0.025")


@dataclass(frozen=True, kw_only=True)
class DoseCalculation:
    """A computed dose with every input a reader needs to check it."""

    dose_mg: Decimal
    dose_per_kg: Decimal | None
    weight_kg: Decimal | None
    weight_measured_on: date | None
    rounding_mg: Decimal
    unrounded_mg: Decimal | None
    devices: int | None
    older_adult: bool
    capped_at_mg: Decimal | None = None

    def explanation(self) -> str:
        """Describe how the dose was reached, in one line."""
        dose = _plain(self.dose_mg)
        if self.devices is not None:
            text = f"{dose} mg = {self.devices} device{'s' if self.devices != 1 else ''}"
            text += f" of {_plain(self.rounding_mg)} mg"
        else:
            text = self._basis()
        if self.capped_at_mg is not None:
            text += "; capped at the template maximum"
        if self.unrounded_mg is not None:
            text += f": {dose} mg"
        if self.older_adult:
            text += f" (patient aged {OLDER_ADULT_AGE} or over)"
        return text

    def _basis(self) -> str:
        weighed = (
            f" (weighed {self.weight_measured_on.isoformat()})" if self.weight_measured_on else ""
        )
        if self.dose_per_kg is None or self.weight_kg is None:
            return f"{_plain(self.dose_mg)} mg"
        if self.unrounded_mg is None:
            return (
                f"prescribed {_plain(self.dose_mg)} mg = {_plain(self.dose_per_kg)} mg/kg "
                f"at {_plain(self.weight_kg)} kg{weighed}"
            )
        return (
            f"{_plain(self.dose_per_kg)} mg/kg x {_plain(self.weight_kg)} kg{weighed}"
            f" = {_plain(self.unrounded_mg)} mg, rounded half-up to {_plain(self.rounding_mg)} mg"
        )


@dataclass(frozen=True, kw_only=True)
class BoundViolation:
    """One template bound a dose breaks: the bound's name and a sentence naming its value."""

    bound: str
    message: str


def _plain(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def round_half_up(value: Decimal, step: Decimal) -> Decimal:
    """Round a value to the nearest multiple of step, halves away from zero."""
    if step <= 0:
        raise ValueError("the rounding step must be positive")
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def round_down(value: Decimal, step: Decimal) -> Decimal:
    """Round a value down to a multiple of step (used for ceilings, never to raise a dose)."""
    return (value / step).quantize(Decimal(1), rounding=ROUND_FLOOR) * step


def age_on(birth_date: date, on: date) -> int:
    """Return a person's age in whole years on a date."""
    before_birthday = (on.month, on.day) < (birth_date.month, birth_date.day)
    return on.year - birth_date.year - int(before_birthday)


def is_older_adult(template: ProtocolTemplate, age: int) -> bool:
    """Tell whether the template's older-adult start dose applies at this age."""
    return template.older_adult_start_dose is not None and age >= OLDER_ADULT_AGE


def starting_dose(template: ProtocolTemplate, *, age: int) -> Decimal:
    """Return the template's start dose for this age, in the template's start unit."""
    if is_older_adult(template, age) and template.older_adult_start_dose is not None:
        return Decimal(template.older_adult_start_dose)
    return Decimal(template.start_dose)


def devices_for(dose_mg: Decimal, device_mg: Decimal) -> int | None:
    """Return how many devices make a dose, or None when it is not a whole number of them."""
    count = dose_mg / device_mg
    if count != count.to_integral_value() or count < 1:
        return None
    return int(count)


def is_measurable(dose_mg: Decimal, rounding_mg: Decimal) -> bool:
    """Tell whether a dose is a whole multiple of the precision it can be measured to."""
    return devices_for(dose_mg, rounding_mg) is not None


def is_device_dosed(template: ProtocolTemplate) -> bool:
    """Tell whether doses come in whole devices (fixed-dose templates: esketamine sprays)."""
    return not template.weight_based


def calculate_dose(
    template: ProtocolTemplate,
    *,
    age: int,
    weight_kg: Decimal | None = None,
    weight_measured_on: date | None = None,
    dose_per_kg: Decimal | None = None,
    dose_mg: Decimal | None = None,
) -> DoseCalculation:
    """Compute a dose from the template or the prescriber's choice, within the route ceiling."""
    calc = _calculated(template, age, weight_kg, weight_measured_on, dose_per_kg, dose_mg)
    check_route_ceiling(route=template.route, dose_mg=calc.dose_mg)
    return calc


def _calculated(
    template: ProtocolTemplate,
    age: int,
    weight_kg: Decimal | None,
    weight_measured_on: date | None,
    dose_per_kg: Decimal | None,
    dose_mg: Decimal | None,
) -> DoseCalculation:
    older = is_older_adult(template, age)
    rounding = Decimal(template.dose_rounding_mg)
    if dose_mg is not None:
        return _given_mg(template, dose_mg, weight_kg, weight_measured_on, older)
    per_unit = dose_per_kg if dose_per_kg is not None else starting_dose(template, age=age)
    if not template.weight_based:
        return _given_mg(template, per_unit, None, None, older)
    if weight_kg is None:
        raise ValueError("a weight-based dose needs a weight")
    unrounded = per_unit * weight_kg
    rounded = round_half_up(unrounded, rounding)
    cap = _mg_cap(template) if dose_per_kg is None else None
    capped = cap is not None and rounded > cap
    return DoseCalculation(
        dose_mg=cap if capped and cap is not None else rounded,
        dose_per_kg=per_unit,
        weight_kg=weight_kg,
        weight_measured_on=weight_measured_on,
        rounding_mg=rounding,
        unrounded_mg=unrounded,
        devices=None,
        older_adult=older,
        capped_at_mg=cap if capped else None,
    )


def _mg_cap(template: ProtocolTemplate) -> Decimal | None:
    # A weight-based start with bounds in mg (sublingual) is capped at the template maximum, so
    # a heavy patient's default is the largest dose the protocol allows, not a refusal.
    if template.bounds_unit == DoseUnit.mg.value:
        return Decimal(template.max_dose)
    return None


def _given_mg(
    template: ProtocolTemplate,
    dose_mg: Decimal,
    weight_kg: Decimal | None,
    weight_measured_on: date | None,
    older: bool,
) -> DoseCalculation:
    rounding = Decimal(template.dose_rounding_mg)
    devices = devices_for(dose_mg, rounding) if is_device_dosed(template) else None
    per_kg = (dose_mg / weight_kg).quantize(PER_KG_PLACES) if weight_kg else None
    return DoseCalculation(
        dose_mg=dose_mg,
        dose_per_kg=per_kg if template.weight_based else None,
        weight_kg=weight_kg if template.weight_based else None,
        weight_measured_on=weight_measured_on if template.weight_based else None,
        rounding_mg=rounding,
        unrounded_mg=None,
        devices=devices,
        older_adult=older,
    )


def dose_in_bound_unit(template: ProtocolTemplate, calc: DoseCalculation) -> Decimal:
    """Return the dose in the unit the template's bounds are written in."""
    if template.bounds_unit == DoseUnit.mg_per_kg.value and calc.dose_per_kg is not None:
        return calc.dose_per_kg
    return calc.dose_mg


def unit_label(template: ProtocolTemplate) -> str:
    """Return the display unit of the template's bounds."""
    return "mg/kg" if template.bounds_unit == DoseUnit.mg_per_kg.value else "mg"


def bound_violations(
    template: ProtocolTemplate,
    *,
    calc: DoseCalculation,
    previous: Decimal | None = None,
    first_dose: bool = False,
) -> list[BoundViolation]:
    """Return every template bound the dose breaks (empty when it is within them all).

    `previous` is the dose it changes from, in the template's bound unit; `first_dose` asks
    for the older-adult start dose to be enforced.
    """
    value, unit = dose_in_bound_unit(template, calc), unit_label(template)
    found: list[BoundViolation] = []
    if value < template.min_dose:
        found.append(_violation("min_dose", value, unit, "below the minimum", template.min_dose))
    if value > template.max_dose:
        found.append(_violation("max_dose", value, unit, "above the maximum", template.max_dose))
    if previous is not None and abs(value - previous) > template.max_step:
        message = (
            f"changing from {_plain(previous)} to {_plain(value)} {unit} is a step above the "
            f"template's max_step of {_plain(Decimal(template.max_step))} {unit}"
        )
        found.append(BoundViolation(bound="max_step", message=message))
    found.extend(_older_adult_violations(template, calc, first_dose=first_dose))
    return found


def _violation(bound: str, value: Decimal, unit: str, words: str, limit: Decimal) -> BoundViolation:
    return BoundViolation(
        bound=bound,
        message=(
            f"{_plain(value)} {unit} is {words} of the template "
            f"({bound} {_plain(Decimal(limit))} {unit})"
        ),
    )


def _older_adult_violations(
    template: ProtocolTemplate, calc: DoseCalculation, *, first_dose: bool
) -> list[BoundViolation]:
    found: list[BoundViolation] = []
    older_start = template.older_adult_start_dose
    if first_dose and calc.older_adult and older_start is not None:
        start = Decimal(older_start)
        if dose_in_bound_unit(template, calc) > start:
            found.append(
                BoundViolation(
                    bound="older_adult_start_dose",
                    message=(
                        f"the first dose for a patient aged {OLDER_ADULT_AGE} or over is "
                        f"{_plain(start)} {unit_label(template)} (older_adult_start_dose)"
                    ),
                )
            )
    return found
