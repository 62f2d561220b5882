"""Discharge: minimum observation time, vitals, MOAA/S, dissociation and escort."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from openkap.dosing.chair.discharge import DischargeRules, discharge_blockers
from openkap.dosing.errors import ImplausibleValue, InvalidDosingInput
from openkap.dosing.thresholds.rules import VitalReading
from openkap.plans.models import Drug, Route

FIRST = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
GOOD_VITALS = VitalReading(sbp=130, dbp=80, hr=80, spo2=98, rr=14)


def at(minutes: float) -> datetime:
    return FIRST + timedelta(minutes=minutes)


def assess(**changes):
    values = {
        "drug": Drug.esketamine,
        "route": Route.intranasal,
        "first_dose_at": FIRST,
        "administration_ended_at": at(5),
        "now": at(120),
        "latest_vitals": GOOD_VITALS,
        "latest_moaas": 5,
        "escort_present": True,
        **changes,
    }
    return discharge_blockers(**values)


def test_esketamine_patient_meeting_every_criterion_at_120_minutes_may_leave():
    result = assess()
    assert result.ready
    assert result.blockers == []
    assert result.minimum_met_at == at(120)


def test_esketamine_discharge_at_119_minutes_is_refused_with_the_time_left():
    result = assess(now=at(119))
    assert not result.ready
    assert result.blockers == [
        "the minimum observation time after the first device is not over: "
        "1 more minute(s), until 2025-03-04T12:00:00+00:00"
    ]


def test_esketamine_minimum_counts_from_the_first_device_not_the_last():
    assert assess(administration_ended_at=at(10)).minimum_met_at == at(120)


@pytest.mark.parametrize(
    ("changes", "blocker"),
    [
        ({"latest_moaas": 4}, "MOAA/S is 4; discharge needs 5 (fully alert)"),
        ({"latest_moaas": None}, "MOAA/S is not recorded before discharge"),
        ({"escort_present": False}, "no escort is present to take the patient home"),
        ({"latest_vitals": None}, "no vital signs are recorded before discharge"),
        (
            {"latest_vitals": VitalReading(sbp=130, dbp=80, hr=80, spo2=98)},
            "the pre-discharge RR is not recorded",
        ),
    ],
)
def test_each_unmet_criterion_is_named_in_plain_words(changes, blocker):
    assert assess(**changes).blockers == [blocker]


def test_vitals_raising_an_alert_block_discharge_naming_the_rule():
    (blocker,) = assess(latest_vitals=VitalReading(sbp=182, dbp=95, hr=80, spo2=98, rr=14)).blockers
    assert blocker.startswith("vitals out of range: Systolic BP 182 mmHg")
    assert "rule: SBP >= 180" in blocker


@pytest.mark.parametrize(("cadss", "blocked"), [(None, False), (4, False), (5, True)])
def test_unresolved_dissociation_blocks_discharge(cadss, blocked):
    assert (not assess(latest_cadss=cadss).ready) is blocked


def test_every_unmet_criterion_is_listed_together():
    result = assess(now=at(60), latest_moaas=3, escort_present=False, latest_vitals=None)
    assert len(result.blockers) == 4


@pytest.mark.parametrize(("now", "ready"), [(99, False), (100, True)])
def test_iv_minimum_is_60_minutes_after_the_end_of_the_infusion(now, ready):
    result = assess(
        drug=Drug.racemic_ketamine, route=Route.iv, administration_ended_at=at(40), now=at(now)
    )
    assert result.minimum_met_at == at(100)
    assert result.ready is ready


def test_iv_without_an_infusion_end_cannot_be_discharged():
    result = assess(
        drug=Drug.racemic_ketamine, route=Route.iv, administration_ended_at=None, now=at(300)
    )
    assert result.minimum_met_at is None
    assert result.blockers == ["the end of the infusion is not recorded"]


@pytest.mark.parametrize("route", [Route.im, Route.sublingual])
def test_single_dose_routes_count_from_the_dose_when_no_end_is_recorded(route):
    result = assess(
        drug=Drug.racemic_ketamine, route=route, administration_ended_at=None, now=at(60)
    )
    assert result.minimum_met_at == at(60)
    assert result.ready


def test_clinic_minimum_replaces_the_default():
    rules = DischargeRules(minimum_minutes_after_administration=90)
    result = assess(
        drug=Drug.racemic_ketamine,
        route=Route.im,
        administration_ended_at=at(0),
        now=at(89),
        rules=rules,
    )
    assert result.minimum_met_at == at(90)
    assert not result.ready


def test_clinic_may_lengthen_the_esketamine_minimum():
    assert assess(rules=DischargeRules(esketamine_minimum_minutes=150)).minimum_met_at == at(150)


def test_esketamine_minimum_below_the_label_two_hours_is_refused():
    with pytest.raises(ValidationError):
        DischargeRules(esketamine_minimum_minutes=119)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"now": at(-1)}, "now"),
        ({"administration_ended_at": at(-1)}, "administration_ended_at"),
        ({"now": datetime(2025, 3, 4, 12, 0)}, "now"),  # noqa: DTZ001 (naive on purpose)
        ({"first_dose_at": datetime(2025, 3, 4, 10, 0)}, "first_dose_at"),  # noqa: DTZ001 (naive on purpose)
    ],
)
def test_contradictory_or_naive_times_are_refused(changes, field):
    with pytest.raises(InvalidDosingInput) as caught:
        assess(**changes)
    assert caught.value.field == field


@pytest.mark.parametrize("moaas", [-1, 6])
def test_moaas_outside_0_to_5_is_refused(moaas):
    with pytest.raises(ImplausibleValue):
        assess(latest_moaas=moaas)
