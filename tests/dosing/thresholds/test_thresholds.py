"""Vital-sign rules: every threshold on both sides, implausible readings, sedation, dissociation."""

import pytest
from pydantic import ValidationError

from openkap.dosing.errors import ImplausibleValue
from openkap.dosing.thresholds.rules import (
    DEFAULT_SOURCE,
    AlertKind,
    VitalReading,
    VitalThresholds,
    dissociation,
    in_session_alerts,
    pre_dose_hold_reasons,
    sedation_alert,
)

NORMAL = {"sbp": 120, "dbp": 75, "hr": 72, "spo2": 98, "rr": 14}


def reading(**changes: int | None) -> VitalReading:
    return VitalReading(**{**NORMAL, **changes})


@pytest.mark.parametrize(
    ("changes", "held"),
    [
        ({"sbp": 139}, False),
        ({"sbp": 140}, False),
        ({"sbp": 141}, True),
        ({"dbp": 89}, False),
        ({"dbp": 90}, False),
        ({"dbp": 91}, True),
        ({"hr": 110}, False),
        ({"hr": 111}, True),
        ({"hr": 50}, False),
        ({"hr": 49}, True),
        ({"spo2": 92}, False),
        ({"spo2": 91}, True),
        ({"rr": 10}, False),
        ({"rr": 9}, True),
    ],
)
def test_pre_dose_hold_is_above_140_over_90_or_other_vitals_out_of_range(changes, held):
    assert bool(pre_dose_hold_reasons(reading(**changes))) is held


def test_pre_dose_hold_reason_names_value_rule_and_source():
    (reason,) = pre_dose_hold_reasons(reading(sbp=141))
    assert "Systolic BP 141 mmHg" in reason
    assert "rule: SBP > 140" in reason
    assert DEFAULT_SOURCE in reason


def test_pre_dose_reading_missing_a_vital_holds_dosing():
    assert pre_dose_hold_reasons(reading(spo2=None)) == ["pre-dose SpO2 is not recorded"]


def test_normal_pre_dose_reading_holds_nothing():
    assert pre_dose_hold_reasons(reading()) == []


@pytest.mark.parametrize(
    ("changes", "kinds"),
    [
        ({"sbp": 179}, []),
        ({"sbp": 180}, [AlertKind.high_systolic]),
        ({"sbp": 181}, [AlertKind.high_systolic]),
        ({"dbp": 109}, []),
        ({"dbp": 110}, [AlertKind.high_diastolic]),
        ({"dbp": 111}, [AlertKind.high_diastolic]),
        ({"hr": 110}, []),
        ({"hr": 111}, [AlertKind.tachycardia]),
        ({"hr": 50}, []),
        ({"hr": 49}, [AlertKind.bradycardia]),
        ({"spo2": 92}, []),
        ({"spo2": 91}, [AlertKind.low_spo2]),
        ({"rr": 10}, []),
        ({"rr": 9}, [AlertKind.low_respiratory_rate]),
        ({"sbp": 141, "dbp": 91}, []),
        (
            {"sbp": 190, "dbp": 115, "hr": 120},
            [AlertKind.high_systolic, AlertKind.high_diastolic, AlertKind.tachycardia],
        ),
    ],
)
def test_in_session_alert_thresholds_on_both_sides(changes, kinds):
    assert [a.kind for a in in_session_alerts(reading(**changes))] == kinds


def test_in_session_alert_carries_value_threshold_rule_and_source():
    (alert,) = in_session_alerts(reading(spo2=88))
    assert (alert.value, alert.threshold) == (88, 92)
    assert "SpO2 88 % is below the in-session alert threshold of 92 %" in alert.message
    assert "rule: SpO2 < 92" in alert.message
    assert DEFAULT_SOURCE in alert.message


def test_partial_in_session_reading_checks_only_what_was_measured():
    assert in_session_alerts(VitalReading(sbp=185, dbp=100))[0].kind == AlertKind.high_systolic


@pytest.mark.parametrize(
    ("changes", "field", "bound"),
    [
        ({"sbp": 49}, "sbp", "lowest plausible 50"),
        ({"sbp": 301}, "sbp", "highest plausible 300"),
        ({"dbp": 19}, "dbp", "lowest plausible 20"),
        ({"dbp": 201, "sbp": 250}, "dbp", "highest plausible 200"),
        ({"hr": 19}, "hr", "lowest plausible 20"),
        ({"hr": 251}, "hr", "highest plausible 250"),
        ({"spo2": 49}, "spo2", "lowest plausible 50"),
        ({"spo2": 101}, "spo2", "highest plausible 100"),
        ({"rr": -1}, "rr", "lowest plausible 0"),
        ({"rr": 61}, "rr", "highest plausible 60"),
        ({"sbp": 80, "dbp": 80}, "dbp", "not below systolic"),
    ],
)
def test_implausible_reading_is_refused_naming_the_bound(changes, field, bound):
    for check in (in_session_alerts, pre_dose_hold_reasons):
        with pytest.raises(ImplausibleValue, match=bound) as caught:
            check(reading(**changes))
        assert caught.value.field == field


def test_readings_at_the_plausibility_bounds_are_accepted():
    assert in_session_alerts(VitalReading(sbp=300, dbp=200, hr=250, spo2=100, rr=60)) != []
    assert in_session_alerts(VitalReading(sbp=50, dbp=20, hr=20, spo2=50, rr=0)) != []


def test_clinic_thresholds_replace_the_defaults():
    strict = VitalThresholds(pre_dose_sbp_above=130, source="Clinic protocol v2")
    (reason,) = pre_dose_hold_reasons(reading(sbp=135), strict)
    assert "rule: SBP > 130" in reason
    assert "Clinic protocol v2" in reason


@pytest.mark.parametrize(
    "changes",
    [
        {"pre_dose_sbp_above": 180},
        {"pre_dose_dbp_above": 110},
        {"alert_hr_below": 110},
        {"alert_spo2_below": 101},
        {"sbp_plausible": {"low": 300, "high": 50}},
        {"unknown_rule": 1},
        {"sedation_moaas_at_or_below": 6},
    ],
)
def test_inconsistent_thresholds_are_refused(changes):
    with pytest.raises(ValidationError):
        VitalThresholds(**changes)


@pytest.mark.parametrize(("moaas", "alerted"), [(0, True), (3, True), (4, False), (5, False)])
def test_moaas_of_3_or_less_raises_a_sedation_alert(moaas, alerted):
    alert = sedation_alert(moaas)
    assert (alert is not None) is alerted
    if alert is not None:
        assert alert.kind == AlertKind.sedation
        assert "MOAA/S <= 3" in alert.message


@pytest.mark.parametrize(("cadss", "alerted"), [(0, False), (4, False), (5, True), (92, True)])
def test_cadss_above_4_counts_as_dissociation(cadss, alerted):
    alert = dissociation(cadss)
    assert (alert is not None) is alerted
    if alert is not None:
        assert (alert.kind, alert.value, alert.threshold) == (AlertKind.dissociation, cadss, 4)


@pytest.mark.parametrize(
    ("check", "value"),
    [(sedation_alert, 6), (sedation_alert, -1), (dissociation, 93), (dissociation, -1)],
)
def test_scale_scores_outside_their_range_are_refused(check, value):
    with pytest.raises(ImplausibleValue):
        check(value)
