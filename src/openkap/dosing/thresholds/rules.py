"""Vital-sign thresholds of a dosing session: pre-dose holds, alerts, sedation, dissociation.

Every default is from docs/clinical-reference.md ("Dosing-session monitoring") and a clinic may
change it; every hold reason and alert names the value, the rule and the source, so nobody has
to guess why the software objects. Readings outside the plausibility bounds are refused as bad
input (a mistyped 1200 mmHg must not become an alert, nor a 12 mmHg a normal reading).
"""

import enum
import operator
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, model_validator

from openkap.core.settings.guard_rails import MIN_HOURS_BETWEEN_DOSES_DEFAULT
from openkap.dosing.errors import ImplausibleValue, require_within

DEFAULT_SOURCE = "OpenKAP clinical reference, 'Dosing-session monitoring' (clinic defaults)"
MOAAS_RANGE = (0, 5)
VITAL_NAMES = {"sbp": "SBP", "dbp": "DBP", "hr": "HR", "spo2": "SpO2", "rr": "RR"}
CADSS_RANGE = (0, 92)


class PlausibleRange(BaseModel):
    """The lowest and highest value a real measurement of one vital sign can take."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: int = Field(ge=0)
    high: int = Field(le=400)

    @model_validator(mode="after")
    def _low_below_high(self) -> "PlausibleRange":
        if self.low >= self.high:
            raise ValueError("low must be below high")
        return self


class VitalThresholds(BaseModel):
    """A clinic's vital-sign rules; the defaults are the clinical reference's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pre_dose_sbp_above: int = 140
    pre_dose_dbp_above: int = 90
    alert_sbp_at_or_above: int = 180
    alert_dbp_at_or_above: int = 110
    alert_hr_above: int = 110
    alert_hr_below: int = 50
    alert_spo2_below: int = 92
    alert_rr_below: int = 10
    sedation_moaas_at_or_below: int = Field(default=3, ge=0, le=5)
    dissociation_cadss_above: int = Field(default=4, ge=0, le=92)
    # Between the starts of two dosing sessions of one patient (enforced at the chair).
    min_hours_between_doses: int = Field(default=MIN_HOURS_BETWEEN_DOSES_DEFAULT, ge=1, le=336)
    sbp_plausible: PlausibleRange = PlausibleRange(low=50, high=300)
    dbp_plausible: PlausibleRange = PlausibleRange(low=20, high=200)
    hr_plausible: PlausibleRange = PlausibleRange(low=20, high=250)
    spo2_plausible: PlausibleRange = PlausibleRange(low=50, high=100)
    rr_plausible: PlausibleRange = PlausibleRange(low=0, high=60)
    source: str = Field(default=DEFAULT_SOURCE, min_length=1, max_length=500, pattern=r"^[^\x00]*$")

    @model_validator(mode="after")
    def _consistent(self) -> "VitalThresholds":
        pairs = [
            ("pre_dose_sbp_above", self.pre_dose_sbp_above, self.sbp_plausible),
            ("pre_dose_dbp_above", self.pre_dose_dbp_above, self.dbp_plausible),
            ("alert_sbp_at_or_above", self.alert_sbp_at_or_above, self.sbp_plausible),
            ("alert_dbp_at_or_above", self.alert_dbp_at_or_above, self.dbp_plausible),
            ("alert_hr_above", self.alert_hr_above, self.hr_plausible),
            ("alert_hr_below", self.alert_hr_below, self.hr_plausible),
            ("alert_spo2_below", self.alert_spo2_below, self.spo2_plausible),
            ("alert_rr_below", self.alert_rr_below, self.rr_plausible),
        ]
        for name, value, bounds in pairs:
            if not bounds.low <= value <= bounds.high:
                raise ValueError(f"{name} {value} is outside {bounds.low}-{bounds.high}")
        if self.pre_dose_sbp_above >= self.alert_sbp_at_or_above:
            raise ValueError("the pre-dose systolic hold must be below the in-session alert")
        if self.pre_dose_dbp_above >= self.alert_dbp_at_or_above:
            raise ValueError("the pre-dose diastolic hold must be below the in-session alert")
        if self.alert_hr_below >= self.alert_hr_above:
            raise ValueError("alert_hr_below must be below alert_hr_above")
        return self


DEFAULT_THRESHOLDS = VitalThresholds()


@dataclass(frozen=True, kw_only=True)
class VitalReading:
    """One set of vital signs; a vital not measured is None."""

    sbp: int | None = None
    dbp: int | None = None
    hr: int | None = None
    spo2: int | None = None
    rr: int | None = None


class AlertKind(enum.StrEnum):
    high_systolic = "high_systolic"
    high_diastolic = "high_diastolic"
    tachycardia = "tachycardia"
    bradycardia = "bradycardia"
    low_spo2 = "low_spo2"
    low_respiratory_rate = "low_respiratory_rate"
    sedation = "sedation"
    dissociation = "dissociation"


@dataclass(frozen=True, kw_only=True)
class Alert:
    """A value that broke a rule: which rule, the value, the threshold and a sentence saying so."""

    kind: AlertKind
    value: int
    threshold: int
    message: str


@dataclass(frozen=True)
class _Rule:
    kind: AlertKind
    vital: str
    label: str
    unit: str
    comparison: str
    threshold: int


def check_plausible(reading: VitalReading, thresholds: VitalThresholds) -> None:
    """Refuse a reading with a value no patient can have, naming the vital and the bound."""
    for vital in VITAL_NAMES:
        value = getattr(reading, vital)
        if value is not None:
            bounds: PlausibleRange = getattr(thresholds, f"{vital}_plausible")
            require_within(vital, value, bounds.low, bounds.high)
    if reading.sbp is not None and reading.dbp is not None and reading.dbp >= reading.sbp:
        raise ImplausibleValue(
            f"diastolic {reading.dbp} is not below systolic {reading.sbp}", field="dbp"
        )


def _in_session_rules(t: VitalThresholds) -> list[_Rule]:
    return [
        _Rule(AlertKind.high_systolic, "sbp", "Systolic BP", "mmHg", ">=", t.alert_sbp_at_or_above),
        _Rule(
            AlertKind.high_diastolic, "dbp", "Diastolic BP", "mmHg", ">=", t.alert_dbp_at_or_above
        ),
        _Rule(AlertKind.tachycardia, "hr", "Heart rate", "/min", ">", t.alert_hr_above),
        _Rule(AlertKind.bradycardia, "hr", "Heart rate", "/min", "<", t.alert_hr_below),
        _Rule(AlertKind.low_spo2, "spo2", "SpO2", "%", "<", t.alert_spo2_below),
        _Rule(
            AlertKind.low_respiratory_rate, "rr", "Respiratory rate", "/min", "<", t.alert_rr_below
        ),
    ]


def _pre_dose_rules(t: VitalThresholds) -> list[_Rule]:
    # Before dosing, BP holds at the lower label level; the other vitals use the alert levels.
    return [
        _Rule(AlertKind.high_systolic, "sbp", "Systolic BP", "mmHg", ">", t.pre_dose_sbp_above),
        _Rule(AlertKind.high_diastolic, "dbp", "Diastolic BP", "mmHg", ">", t.pre_dose_dbp_above),
        *(rule for rule in _in_session_rules(t) if rule.vital in ("hr", "spo2", "rr")),
    ]


_BROKEN: dict[str, Callable[[int, int], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
}
_WORDS = {">": "above", ">=": "at or above", "<": "below"}


def _breaches(reading: VitalReading, rules: list[_Rule], when: str, source: str) -> list[Alert]:
    found = []
    for rule in rules:
        value = getattr(reading, rule.vital)
        if value is not None and _BROKEN[rule.comparison](value, rule.threshold):
            message = (
                f"{rule.label} {value} {rule.unit} is {_WORDS[rule.comparison]} the {when} "
                f"threshold of {rule.threshold} {rule.unit} "
                f"(rule: {VITAL_NAMES[rule.vital]} {rule.comparison} {rule.threshold}; "
                f"source: {source})"
            )
            found.append(
                Alert(kind=rule.kind, value=value, threshold=rule.threshold, message=message)
            )
    return found


def in_session_alerts(
    reading: VitalReading, thresholds: VitalThresholds = DEFAULT_THRESHOLDS
) -> list[Alert]:
    """Return the alerts a reading taken during the session raises (empty when none)."""
    check_plausible(reading, thresholds)
    return _breaches(reading, _in_session_rules(thresholds), "in-session alert", thresholds.source)


def pre_dose_hold_reasons(
    reading: VitalReading, thresholds: VitalThresholds = DEFAULT_THRESHOLDS
) -> list[str]:
    """Return why dosing must wait for the prescriber (empty when the reading allows dosing)."""
    check_plausible(reading, thresholds)
    missing = [
        f"pre-dose {name} is not recorded"
        for vital, name in VITAL_NAMES.items()
        if getattr(reading, vital) is None
    ]
    alerts = _breaches(reading, _pre_dose_rules(thresholds), "pre-dose hold", thresholds.source)
    return missing + [alert.message for alert in alerts]


def sedation_alert(moaas: int, thresholds: VitalThresholds = DEFAULT_THRESHOLDS) -> Alert | None:
    """Return an alert when MOAA/S shows moderate or deeper sedation, else None."""
    require_within("moaas", moaas, *MOAAS_RANGE)
    limit = thresholds.sedation_moaas_at_or_below
    if moaas > limit:
        return None
    message = (
        f"MOAA/S {moaas} is at or below {limit}: moderate or deeper sedation "
        f"(rule: MOAA/S <= {limit}; source: {thresholds.source})"
    )
    return Alert(kind=AlertKind.sedation, value=moaas, threshold=limit, message=message)


def dissociation(
    cadss_total: int, thresholds: VitalThresholds = DEFAULT_THRESHOLDS
) -> Alert | None:
    """Return an alert when the CADSS total counts as dissociation, else None."""
    require_within("cadss_total", cadss_total, *CADSS_RANGE)
    limit = thresholds.dissociation_cadss_above
    if cadss_total <= limit:
        return None
    message = (
        f"CADSS total {cadss_total} is above {limit}: dissociation "
        f"(rule: CADSS > {limit}; source: {thresholds.source})"
    )
    return Alert(kind=AlertKind.dissociation, value=cadss_total, threshold=limit, message=message)
