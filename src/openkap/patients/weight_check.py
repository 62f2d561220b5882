"""Weight plausibility: a new weight far from the last one is refused until confirmed with a reason.

Rules (clinical reference, "Chair guard-rails", Weight): a change of more than 10 % within 30 days,
or a value about 2.2 times the last one (pounds typed as kilograms; 1 kg = 2.2046 lb), needs a
confirmation with a reason. A mistyped weight becomes a wrong dose in every mg/kg calculation.
"""

import enum
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.patients.errors import WeightChangeUnconfirmed
from openkap.patients.models import Patient, RecordStatus, WeightMeasurement

CHANGE_WINDOW_DAYS = 30
MAX_CHANGE_PERCENT = Decimal(10)
# 2.2046 lb per kg; 2.0-2.4 catches pounds typed as kilograms with a scale's usual spread.
POUNDS_RATIO_LOW, POUNDS_RATIO_HIGH = Decimal("2.0"), Decimal("2.4")


class WeightRule(enum.StrEnum):
    change_over_10_percent_in_30_days = "change_over_10_percent_in_30_days"
    pounds_typed_as_kilograms = "pounds_typed_as_kilograms"


@dataclass(frozen=True, kw_only=True)
class WeightChange:
    """A questioned change: the weight it was compared with, by how much, and the rules broken."""

    previous: WeightMeasurement
    weight_kg: Decimal
    measured_on: date
    percent: Decimal
    days: int
    rules: list[WeightRule]

    def message(self) -> str:
        """Describe the change, the rules it breaks and what is allowed, in one sentence."""
        direction = "more" if self.percent > 0 else "less"
        when = f"{self.days} day{'s' if self.days != 1 else ''} apart"
        return (
            f"Weight {self.weight_kg} kg on {self.measured_on.isoformat()} is "
            f"{abs(self.percent)} % {direction} than the previous weight of "
            f"{self.previous.weight_kg} kg on {self.previous.measured_on.isoformat()} ({when}): "
            + "; ".join(_RULE_TEXT[rule] for rule in self.rules)
            + ". Check the scale and the unit; to keep this weight, confirm the change with a "
            "reason (confirm_change and change_reason)."
        )


_RULE_TEXT = {
    WeightRule.change_over_10_percent_in_30_days: (
        f"{WeightRule.change_over_10_percent_in_30_days.value}: a change of more than "
        f"{MAX_CHANGE_PERCENT} % within {CHANGE_WINDOW_DAYS} days"
    ),
    WeightRule.pounds_typed_as_kilograms: (
        f"{WeightRule.pounds_typed_as_kilograms.value}: about 2.2 times (or 1/2.2 of) the "
        f"previous weight (ratio {POUNDS_RATIO_LOW}-{POUNDS_RATIO_HIGH})"
    ),
}


def reference_weight(
    session: Session, *, patient: Patient, measured_on: date
) -> WeightMeasurement | None:
    """Return the active weight a new one is compared with: the last on or before its date."""
    active = select(WeightMeasurement).where(
        WeightMeasurement.patient_id == patient.id,
        WeightMeasurement.status == RecordStatus.active.value,
    )
    before = active.where(WeightMeasurement.measured_on <= measured_on).order_by(
        WeightMeasurement.measured_on.desc(), WeightMeasurement.created_at.desc()
    )
    found = session.scalars(before.limit(1)).first()
    if found is not None:
        return found
    # A weight dated before every other one is compared with the earliest that follows it.
    after = active.order_by(WeightMeasurement.measured_on, WeightMeasurement.created_at)
    return session.scalars(after.limit(1)).first()


def _pounds_like(new: Decimal, old: Decimal) -> bool:
    ratio = max(new, old) / min(new, old)
    return POUNDS_RATIO_LOW <= ratio <= POUNDS_RATIO_HIGH


def weight_change(
    previous: WeightMeasurement, *, weight_kg: Decimal, measured_on: date
) -> WeightChange | None:
    """Return the change from the previous weight when a rule questions it, else None."""
    old = Decimal(previous.weight_kg)
    percent = ((weight_kg - old) * 100 / old).quantize(Decimal("0.1"), ROUND_HALF_UP)
    days = abs((measured_on - previous.measured_on).days)
    rules = []
    if abs(percent) > MAX_CHANGE_PERCENT and days <= CHANGE_WINDOW_DAYS:
        rules.append(WeightRule.change_over_10_percent_in_30_days)
    if _pounds_like(weight_kg, old):
        rules.append(WeightRule.pounds_typed_as_kilograms)
    if not rules:
        return None
    return WeightChange(
        previous=previous,
        weight_kg=weight_kg,
        measured_on=measured_on,
        percent=percent,
        days=days,
        rules=rules,
    )


def check_weight_change(
    session: Session, *, patient: Patient, weight_kg: Decimal, measured_on: date, confirmed: bool
) -> WeightChange | None:
    """Return a questioned change that is confirmed; refuse one that is not."""
    previous = reference_weight(session, patient=patient, measured_on=measured_on)
    change = (
        None
        if previous is None
        else weight_change(previous, weight_kg=weight_kg, measured_on=measured_on)
    )
    if change is not None and not confirmed:
        raise WeightChangeUnconfirmed(change.message(), field="weight_kg")
    return change
