"""The weight a plan doses by: the actual weight, or the adjusted body weight of the protocol.

Ideal body weight (Devine BJ, Drug Intell Clin Pharm 1974;8:650-655): 50 kg (men) or 45.5 kg
(women) + 2.3 kg per inch of height over 5 feet (the base alone below 5 feet). Adjusted body
weight = IBW + 0.4 x (actual - IBW), the usual 40 % correction for weight above ideal; below ideal
the actual weight is used (the adjustment only ever lowers the weight a dose is computed from).
Pure functions, no database.
"""

import enum
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from openkap.plans.errors import HeightRequired

CM_PER_INCH = Decimal("2.54")
DEVINE_BASE_KG = {"male": Decimal(50), "female": Decimal("45.5")}
DEVINE_KG_PER_INCH = Decimal("2.3")
DEVINE_FROM_INCHES = Decimal(60)
ADJUSTMENT_FACTOR = Decimal("0.4")
KG_PLACES = Decimal("0.1")


class DosingWeight(enum.StrEnum):
    actual = "actual"
    adjusted = "adjusted"


@dataclass(frozen=True, kw_only=True)
class WeightBasis:
    """The weight a dose is computed from, and how it came from the measured one."""

    basis: DosingWeight
    actual_kg: Decimal
    dosing_kg: Decimal
    ideal_kg: Decimal | None = None
    height_cm: Decimal | None = None
    measured_on: date | None = None

    def explanation(self) -> str:
        """Describe the dosing weight in one line (empty for the actual weight)."""
        if self.basis is DosingWeight.actual or self.ideal_kg is None:
            return ""
        if self.dosing_kg == self.actual_kg:
            return (
                f"adjusted body weight: actual {self.actual_kg} kg is not above the ideal "
                f"{self.ideal_kg} kg (Devine, {self.height_cm} cm), so the actual weight is used"
            )
        return (
            f"adjusted body weight {self.dosing_kg} kg = ideal {self.ideal_kg} kg (Devine, "
            f"{self.height_cm} cm) + {ADJUSTMENT_FACTOR} x ({self.actual_kg} - {self.ideal_kg}) kg"
        )


def ideal_body_weight(height_cm: Decimal, sex_at_birth: str) -> Decimal:
    """Return the Devine ideal body weight; other than male, the lower (female) base is used."""
    base = DEVINE_BASE_KG["male" if sex_at_birth == "male" else "female"]
    # Below 5 feet the formula is not extended downwards (it would reach zero near 100 cm).
    inches = max(Decimal(height_cm) / CM_PER_INCH, DEVINE_FROM_INCHES)
    ideal = base + DEVINE_KG_PER_INCH * (inches - DEVINE_FROM_INCHES)
    return ideal.quantize(KG_PLACES, ROUND_HALF_UP)


def weight_basis(
    basis: DosingWeight,
    *,
    actual_kg: Decimal,
    height_cm: Decimal | None,
    sex_at_birth: str,
    measured_on: date | None = None,
) -> WeightBasis:
    """Return the weight to dose by; adjusted body weight without a height is refused."""
    actual = Decimal(actual_kg)
    if basis is DosingWeight.actual:
        return WeightBasis(basis=basis, actual_kg=actual, dosing_kg=actual, measured_on=measured_on)
    if height_cm is None:
        raise HeightRequired(
            "Dosing by adjusted body weight needs the patient's height: record it on the "
            "patient's page, or dose by the actual weight.",
            field="dosing_weight",
        )
    ideal = ideal_body_weight(Decimal(height_cm), sex_at_birth)
    adjusted = (ideal + ADJUSTMENT_FACTOR * (actual - ideal)).quantize(KG_PLACES, ROUND_HALF_UP)
    return WeightBasis(
        basis=basis,
        actual_kg=actual,
        dosing_kg=min(actual, adjusted),
        ideal_kg=ideal,
        height_cm=Decimal(height_cm),
        measured_on=measured_on,
    )
