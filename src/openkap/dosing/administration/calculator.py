"""How a dose in mg is given: volume and infusion rate, or esketamine devices and their times.

The dose itself comes from the signed plan (plans.treatment.doses does the mg/kg x weight math
and the bound checks); this module turns it into what the nurse draws up, sets on the pump or
hands over. Volumes are rounded half-up to 0.1 mL, the smallest step a standard syringe is read
to, and the mg that volume actually holds is reported beside the ordered dose so any difference
is visible."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from openkap.dosing.errors import (
    ImplausibleValue,
    InvalidDosingInput,
    InvalidEsketamineDose,
    UnsupportedAdministration,
    require_aware,
    require_within,
)
from openkap.plans.models import Drug, Route
from openkap.plans.treatment.doses import ESKETAMINE_DEVICE_MG, devices_for, round_half_up

VOLUME_STEP_ML = Decimal("0.1")
RATE_STEP_ML_PER_HOUR = Decimal("0.1")
RATE_STEP_MG_PER_MINUTE = Decimal("0.01")
DEVICE_SPACING = timedelta(minutes=5)
MAX_ESKETAMINE_DEVICES = 3
# Plausibility bounds: anything outside is a typing error, not a clinical choice.
DOSE_MG_RANGE = (Decimal("0.1"), Decimal(1000))
DOSE_PER_KG_RANGE = (Decimal("0.01"), Decimal(10))
WEIGHT_KG_RANGE = (Decimal("2.0"), Decimal("400.0"))
CONCENTRATION_RANGE = (Decimal("0.1"), Decimal(100))
INFUSION_MINUTES_RANGE = (1, 480)
# A single intramuscular injection above 5 mL is split or given at a stronger concentration.
MAX_IM_VOLUME_ML = Decimal(5)


@dataclass(frozen=True, kw_only=True)
class DeviceDose:
    """One esketamine nasal device: its number in the sequence and its planned time."""

    number: int
    dose_mg: Decimal
    planned_at: datetime


@dataclass(frozen=True, kw_only=True)
class AdministrationPlan:
    """What to give for one dose, with every input needed to check it."""

    route: Route
    drug: Drug
    dose_mg: Decimal
    delivered_mg: Decimal
    concentration_mg_per_ml: Decimal | None = None
    volume_ml: Decimal | None = None
    infusion_minutes: int | None = None
    rate_ml_per_hour: Decimal | None = None
    rate_mg_per_minute: Decimal | None = None
    devices: tuple[DeviceDose, ...] = ()


def weight_based_dose(*, dose_per_kg: Decimal, weight_kg: Decimal, rounding_mg: Decimal) -> Decimal:
    """Return mg/kg x weight rounded half-up to the measuring precision, as plans do."""
    require_within("dose_per_kg", dose_per_kg, *DOSE_PER_KG_RANGE)
    require_within("weight_kg", weight_kg, *WEIGHT_KG_RANGE)
    if rounding_mg <= 0:
        raise InvalidDosingInput("rounding_mg must be positive", field="rounding_mg")
    return round_half_up(dose_per_kg * weight_kg, rounding_mg)


def administration_plan(
    *,
    route: Route,
    drug: Drug,
    dose_mg: Decimal,
    concentration_mg_per_ml: Decimal | None = None,
    infusion_minutes: int | None = None,
    first_device_at: datetime | None = None,
) -> AdministrationPlan:
    """Return how to give a dose of dose_mg by this route and drug."""
    require_within("dose_mg", dose_mg, *DOSE_MG_RANGE)
    if drug == Drug.esketamine:
        if route != Route.intranasal:
            raise UnsupportedAdministration("esketamine is given intranasally only", field="route")
        return _esketamine(dose_mg, first_device_at)
    if route == Route.iv:
        return _intravenous(dose_mg, concentration_mg_per_ml, infusion_minutes)
    if route == Route.im:
        return _intramuscular(dose_mg, concentration_mg_per_ml)
    if route == Route.sublingual:
        # Tablet and lozenge strengths vary by compounding pharmacy, so the dose stays in mg.
        return AdministrationPlan(route=route, drug=drug, dose_mg=dose_mg, delivered_mg=dose_mg)
    raise UnsupportedAdministration(
        f"OpenKAP has no administration rule for {route.value} {drug.value}", field="route"
    )


def _drawn_volume(dose_mg: Decimal, concentration: Decimal | None) -> tuple[Decimal, Decimal]:
    if concentration is None:
        raise InvalidDosingInput(
            "a concentration in mg/mL is needed", field="concentration_mg_per_ml"
        )
    require_within("concentration_mg_per_ml", concentration, *CONCENTRATION_RANGE)
    volume = round_half_up(dose_mg / concentration, VOLUME_STEP_ML)
    if volume <= 0:
        raise ImplausibleValue(
            f"{dose_mg} mg at {concentration} mg/mL is less than the smallest measurable "
            f"{VOLUME_STEP_ML} mL; use a weaker concentration",
            field="concentration_mg_per_ml",
        )
    return volume, volume * concentration


def _intravenous(
    dose_mg: Decimal, concentration: Decimal | None, minutes: int | None
) -> AdministrationPlan:
    if minutes is None:
        raise InvalidDosingInput("an IV dose needs infusion minutes", field="infusion_minutes")
    require_within("infusion_minutes", minutes, *INFUSION_MINUTES_RANGE)
    volume, delivered = _drawn_volume(dose_mg, concentration)
    return AdministrationPlan(
        route=Route.iv,
        drug=Drug.racemic_ketamine,
        dose_mg=dose_mg,
        delivered_mg=delivered,
        concentration_mg_per_ml=concentration,
        volume_ml=volume,
        infusion_minutes=minutes,
        rate_ml_per_hour=round_half_up(volume * 60 / minutes, RATE_STEP_ML_PER_HOUR),
        rate_mg_per_minute=round_half_up(delivered / minutes, RATE_STEP_MG_PER_MINUTE),
    )


def _intramuscular(dose_mg: Decimal, concentration: Decimal | None) -> AdministrationPlan:
    volume, delivered = _drawn_volume(dose_mg, concentration)
    if volume > MAX_IM_VOLUME_ML:
        raise ImplausibleValue(
            f"{volume} mL is above the {MAX_IM_VOLUME_ML} mL a single IM injection takes; "
            "use a stronger concentration",
            field="concentration_mg_per_ml",
        )
    return AdministrationPlan(
        route=Route.im,
        drug=Drug.racemic_ketamine,
        dose_mg=dose_mg,
        delivered_mg=delivered,
        concentration_mg_per_ml=concentration,
        volume_ml=volume,
    )


def _esketamine(dose_mg: Decimal, first_device_at: datetime | None) -> AdministrationPlan:
    count = devices_for(dose_mg, ESKETAMINE_DEVICE_MG)
    if count is None or count > MAX_ESKETAMINE_DEVICES:
        raise InvalidEsketamineDose(
            f"an esketamine dose is 28, 56 or 84 mg (1 to {MAX_ESKETAMINE_DEVICES} devices of "
            f"{ESKETAMINE_DEVICE_MG} mg), not {dose_mg} mg",
            field="dose_mg",
        )
    if first_device_at is None:
        raise InvalidDosingInput(
            "esketamine needs the first device's time", field="first_device_at"
        )
    require_aware("first_device_at", first_device_at)
    devices = tuple(
        DeviceDose(
            number=n + 1,
            dose_mg=ESKETAMINE_DEVICE_MG,
            planned_at=first_device_at + n * DEVICE_SPACING,
        )
        for n in range(count)
    )
    return AdministrationPlan(
        route=Route.intranasal,
        drug=Drug.esketamine,
        dose_mg=dose_mg,
        delivered_mg=dose_mg,
        devices=devices,
    )
