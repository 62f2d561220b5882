"""Whether a patient may leave the dosing session, and when the minimum observation ends.

Criteria (docs/clinical-reference.md, "Dosing-session monitoring"; docs/dosing-rules.md):
the minimum observation time has passed, the pre-discharge vitals are all recorded and raise no
in-session alert, MOAA/S is 5, dissociation (CADSS, when scored) has resolved, and an escort is
present. The minimum is 120 minutes from the first esketamine device (Spravato label and REMS;
a clinic may lengthen it, never shorten it), and by default 60 minutes after the end of
administration for racemic ketamine (vitals return to baseline within about 1.5 hours of an IV
dose; a 40-minute infusion plus 60 minutes is 100 minutes from the start).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from openkap.dosing.errors import InvalidDosingInput, require_aware, require_within
from openkap.dosing.thresholds.rules import (
    DEFAULT_THRESHOLDS,
    MOAAS_RANGE,
    VITAL_NAMES,
    VitalReading,
    VitalThresholds,
    dissociation,
    in_session_alerts,
)
from openkap.plans.models import Drug, Route


class DischargeRules(BaseModel):
    """A clinic's discharge rules; the defaults are documented in docs/dosing-rules.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    esketamine_minimum_minutes: int = Field(default=120, ge=120, le=720)
    minimum_minutes_after_administration: int = Field(default=60, ge=0, le=720)
    required_moaas: int = Field(default=5, ge=0, le=5)


DEFAULT_DISCHARGE_RULES = DischargeRules()


@dataclass(frozen=True, kw_only=True)
class DischargeAssessment:
    """The unmet criteria in plain words, and when the minimum observation time is met."""

    blockers: list[str]
    minimum_met_at: datetime | None

    @property
    def ready(self) -> bool:
        """Tell whether every criterion is met."""
        return not self.blockers


def minimum_met_at(
    *,
    drug: Drug,
    route: Route,
    first_dose_at: datetime,
    administration_ended_at: datetime | None,
    rules: DischargeRules = DEFAULT_DISCHARGE_RULES,
) -> datetime | None:
    """Return when the minimum observation ends, or None while an infusion has no end time."""
    if drug == Drug.esketamine:
        return first_dose_at + timedelta(minutes=rules.esketamine_minimum_minutes)
    if administration_ended_at is None:
        if route == Route.iv:
            return None
        administration_ended_at = first_dose_at
    return administration_ended_at + timedelta(minutes=rules.minimum_minutes_after_administration)


def _check_times(first: datetime, ended: datetime | None, now: datetime) -> None:
    require_aware("first_dose_at", first)
    require_aware("now", now)
    if ended is not None:
        require_aware("administration_ended_at", ended)
        if ended < first:
            raise InvalidDosingInput(
                "administration cannot end before it starts", field="administration_ended_at"
            )
    if now < first:
        raise InvalidDosingInput("now is before the first dose", field="now")


def _time_blocker(met_at: datetime | None, now: datetime, drug: Drug) -> list[str]:
    if met_at is None:
        return ["the end of the infusion is not recorded"]
    if now >= met_at:
        return []
    left = met_at - now
    minutes = -(-left.total_seconds() // 60)
    anchor = "the first device" if drug == Drug.esketamine else "the end of administration"
    return [
        f"the minimum observation time after {anchor} is not over: "
        f"{int(minutes)} more minute(s), until {met_at.isoformat()}"
    ]


def _vital_blockers(reading: VitalReading | None, thresholds: VitalThresholds) -> list[str]:
    if reading is None:
        return ["no vital signs are recorded before discharge"]
    missing = [
        f"the pre-discharge {name} is not recorded"
        for vital, name in VITAL_NAMES.items()
        if getattr(reading, vital) is None
    ]
    out_of_range = [
        f"vitals out of range: {a.message}" for a in in_session_alerts(reading, thresholds)
    ]
    return missing + out_of_range


def _state_blockers(
    moaas: int | None,
    cadss: int | None,
    escort_present: bool,
    required_moaas: int,
    thresholds: VitalThresholds,
) -> list[str]:
    found = []
    if moaas is None:
        found.append("MOAA/S is not recorded before discharge")
    elif moaas < required_moaas:
        found.append(f"MOAA/S is {moaas}; discharge needs {required_moaas} (fully alert)")
    if cadss is not None:
        alert = dissociation(cadss, thresholds)
        if alert is not None:
            found.append(f"dissociation has not resolved: {alert.message}")
    if not escort_present:
        found.append("no escort is present to take the patient home")
    return found


def discharge_blockers(
    *,
    drug: Drug,
    route: Route,
    first_dose_at: datetime,
    administration_ended_at: datetime | None,
    now: datetime,
    latest_vitals: VitalReading | None,
    latest_moaas: int | None,
    escort_present: bool,
    latest_cadss: int | None = None,
    thresholds: VitalThresholds = DEFAULT_THRESHOLDS,
    rules: DischargeRules = DEFAULT_DISCHARGE_RULES,
) -> DischargeAssessment:
    """Return the discharge criteria not yet met and the time the minimum observation ends."""
    _check_times(first_dose_at, administration_ended_at, now)
    if latest_moaas is not None:
        require_within("latest_moaas", latest_moaas, *MOAAS_RANGE)
    met_at = minimum_met_at(
        drug=drug,
        route=route,
        first_dose_at=first_dose_at,
        administration_ended_at=administration_ended_at,
        rules=rules,
    )
    blockers = [
        *_time_blocker(met_at, now, drug),
        *_vital_blockers(latest_vitals, thresholds),
        *_state_blockers(
            latest_moaas, latest_cadss, escort_present, rules.required_moaas, thresholds
        ),
    ]
    return DischargeAssessment(blockers=blockers, minimum_met_at=met_at)
