"""Every guard-rail on a clinic's safety settings, defined once with its source.

A clinic tightens its alert thresholds, pre-dose limits and screening limits freely. It loosens
them only inside these bounds, and only once a second user with the prescriber role approves
(core.settings.approval). The pre-dose ceilings below are not settings at all: no role
overrides them at the chair. Screening (step 1) and dosing (step 2) both read this module, so it
lives in core and knows no clinical domain.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from openkap.core.errors import BadRequest

CHAIR_RAILS = "OpenKAP clinical reference, 'Chair guard-rails'"
ACC_AHA_2017 = (
    "Whelton PK, Carey RM, et al. 2017 ACC/AHA guideline for the prevention, detection, "
    "evaluation, and management of high blood pressure in adults. Hypertension. "
    "2018;71(6):e13-e115 (hypertensive urgency: SBP >= 180 or DBP >= 110)"
)
JNC7 = (
    "Chobanian AV, et al. The Seventh Report of the Joint National Committee (JNC 7). JAMA. "
    "2003;289(19):2560-2572 (stage 2 hypertension: SBP >= 160 or DBP >= 100)"
)
ASA_SEDATION = (
    "American Society of Anesthesiologists, Continuum of Depth of Sedation (MOAA/S <= 3 is "
    "moderate or deeper sedation)"
)
SPRAVATO_ADULTS = "Spravato (esketamine) US prescribing information, Indications (adults)"
CSSRS = (
    "Posner K, et al. The Columbia-Suicide Severity Rating Scale. Am J Psychiatry. "
    "2011;168(12):1266-1277 (behaviour within 3 months counts as high risk)"
)

# Pre-dose ceilings no role overrides at the chair (the hard stops of dosing.chair.pre_dose).
PRE_DOSE_CEILING_SOURCE = f"{CHAIR_RAILS}, pre-dose ceilings; {ACC_AHA_2017}"
PRE_DOSE_CEILING_SBP_AT_OR_ABOVE = 180
PRE_DOSE_CEILING_DBP_AT_OR_ABOVE = 110
PRE_DOSE_CEILING_SPO2_BELOW = 90
PRE_DOSE_CEILING_SPO2_SOURCE = f"{CHAIR_RAILS}, pre-dose ceilings (SpO2 < 90 %)"

# The interval between two dosing sessions of one patient.
INTERVAL_SOURCE = f"{CHAIR_RAILS}, 'Interval' (three sessions a week at most)"
MIN_HOURS_BETWEEN_DOSES_DEFAULT = 44
MIN_HOURS_BETWEEN_DOSES_FLOOR = 20


class Looser(enum.StrEnum):
    """Which way a change of the setting makes it less safe: up (a higher value) or down."""

    up = "up"
    down = "down"


class OutsideGuardRail(BadRequest):
    """A loosened setting goes past its guard-rail; names the setting, the bound and its source."""

    status_code = 422


@dataclass(frozen=True)
class GuardRail:
    """How far one setting may be loosened (bound None: any loosening only needs the approval)."""

    looser: Looser
    bound: int | None
    source: str
    unit: str = ""

    def loosens(self, before: int, after: int) -> bool:
        """Say whether the new value is less safe than the one in force."""
        return after > before if self.looser is Looser.up else after < before

    def allows(self, value: int) -> bool:
        """Say whether a loosened value stays inside the guard-rail."""
        if self.bound is None:
            return True
        return value <= self.bound if self.looser is Looser.up else value >= self.bound

    def describe(self) -> str:
        """Say the bound in words."""
        if self.bound is None:
            return "no fixed bound; loosening needs a second prescriber"
        side = "above" if self.looser is Looser.up else "below"
        return f"not {side} {self.bound}{f' {self.unit}' if self.unit else ''}"


def _rail(looser: Looser, bound: int | None, source: str, unit: str = "") -> GuardRail:
    return GuardRail(looser=looser, bound=bound, source=source, unit=unit)


H, L = Looser.up, Looser.down
_LOOSENED_TO = f"{CHAIR_RAILS} (settings loosened only to these values)"
DOSING_THRESHOLD_RAILS: Mapping[str, GuardRail] = {
    "pre_dose_sbp_above": _rail(H, 160, f"{_LOOSENED_TO}; {JNC7}", "mmHg"),
    "pre_dose_dbp_above": _rail(H, 100, f"{_LOOSENED_TO}; {JNC7}", "mmHg"),
    "alert_sbp_at_or_above": _rail(H, 180, f"{_LOOSENED_TO}; {ACC_AHA_2017}", "mmHg"),
    "alert_dbp_at_or_above": _rail(H, 110, f"{_LOOSENED_TO}; {ACC_AHA_2017}", "mmHg"),
    "alert_hr_above": _rail(H, 130, _LOOSENED_TO, "/min"),
    "alert_hr_below": _rail(L, 40, _LOOSENED_TO, "/min"),
    "alert_spo2_below": _rail(L, 88, _LOOSENED_TO, "%"),
    "alert_rr_below": _rail(L, 8, _LOOSENED_TO, "/min"),
    "sedation_moaas_at_or_below": _rail(L, 3, f"{_LOOSENED_TO}; {ASA_SEDATION}"),
    "dissociation_cadss_above": _rail(
        H, None, "No published bound; CADSS > 4 is the trial definition of dissociation"
    ),
    "min_hours_between_doses": _rail(L, MIN_HOURS_BETWEEN_DOSES_FLOOR, INTERVAL_SOURCE, "hours"),
}

# Keyed "rule_id.param" as in a clinic's screening rule set (intake.screening.rules).
SCREENING_RAILS: Mapping[str, GuardRail] = {
    "uncontrolled_hypertension.sbp_above": _rail(H, 160, f"{_LOOSENED_TO}; {JNC7}", "mmHg"),
    "uncontrolled_hypertension.dbp_above": _rail(H, 100, f"{_LOOSENED_TO}; {JNC7}", "mmHg"),
    "under_minimum_age.min_age": _rail(L, 18, SPRAVATO_ADULTS, "years"),
    "recent_suicidal_behaviour.within_months": _rail(L, 3, CSSRS, "months"),
}
# Turning a relative contraindication off has no bound to check; it needs the second prescriber.
RELATIVE_RULE_OFF = (
    "a relative contraindication no longer screened; needs a second prescriber "
    "(OpenKAP clinical reference, 'Suitability screening (defaults)')"
)


def loosened(
    rails: Mapping[str, GuardRail],
    before: Mapping[str, object],
    after: Mapping[str, object],
    *,
    field_of: Mapping[str, str] | None = None,
) -> list[str]:
    """Return the loosened settings as sentences; refuse one past its guard-rail (422)."""
    found = []
    for name, rail in rails.items():
        old, new = before.get(name), after.get(name)
        if not isinstance(old, int) or not isinstance(new, int) or not rail.loosens(old, new):
            continue
        if not rail.allows(new):
            raise OutsideGuardRail(
                f"{name} {new} is outside its guard-rail: {rail.describe()} "
                f"(in force: {old}; source: {rail.source}).",
                field=(field_of or {}).get(name, name),
            )
        found.append(f"{name} {old} → {new} (guard-rail: {rail.describe()})")
    return found
