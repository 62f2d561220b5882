"""Dose calculator: IV volume and rates, IM volume, SL mg, esketamine devices and their times."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from openkap.dosing.administration.calculator import administration_plan, weight_based_dose
from openkap.dosing.errors import (
    ImplausibleValue,
    InvalidDosingInput,
    InvalidEsketamineDose,
    UnsupportedAdministration,
)
from openkap.plans.models import Drug, Route

D = Decimal
T0 = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)


def iv(dose: str, concentration: str = "10", minutes: int | None = 40):
    return administration_plan(
        route=Route.iv,
        drug=Drug.racemic_ketamine,
        dose_mg=D(dose),
        concentration_mg_per_ml=D(concentration),
        infusion_minutes=minutes,
    )


def esketamine(dose: str, first_device_at: datetime | None = T0):
    return administration_plan(
        route=Route.intranasal,
        drug=Drug.esketamine,
        dose_mg=D(dose),
        first_device_at=first_device_at,
    )


def test_half_a_mg_per_kg_of_71_3_kg_rounds_half_up_to_35_5_mg_as_plans_do():
    # 0.5 x 71.3 = 35.65 mg; 35.65 / 0.5 = 71.3 steps, rounded to 71 steps = 35.5 mg.
    assert weight_based_dose(dose_per_kg=D("0.5"), weight_kg=D("71.3"), rounding_mg=D("0.5")) == D(
        "35.5"
    )


def test_iv_35_5_mg_at_10_mg_per_ml_over_40_minutes_is_3_6_ml_at_5_4_ml_per_hour():
    plan = iv("35.5")
    # 3.55 mL rounds half-up to 3.6 mL, which holds 36 mg; 3.6 mL x 60 / 40 min = 5.4 mL/h;
    # 36 mg / 40 min = 0.9 mg/min.
    assert plan.volume_ml == D("3.6")
    assert plan.delivered_mg == D("36")
    assert plan.dose_mg == D("35.5")
    assert plan.rate_ml_per_hour == D("5.4")
    assert plan.rate_mg_per_minute == D("0.9")
    assert plan.infusion_minutes == 40


@pytest.mark.parametrize(
    ("dose", "concentration", "minutes", "volume", "ml_per_hour", "mg_per_minute"),
    [
        ("35", "10", 40, "3.5", "5.3", "0.88"),  # 5.25 mL/h and 0.875 mg/min round half-up
        ("35", "1", 40, "35", "52.5", "0.88"),  # diluted to 1 mg/mL for the pump
        ("50", "50", 40, "1", "1.5", "1.25"),
        ("40", "10", 60, "4", "4", "0.67"),
    ],
)
def test_iv_volume_and_rates_match_hand_computed_values(
    dose, concentration, minutes, volume, ml_per_hour, mg_per_minute
):
    plan = iv(dose, concentration, minutes)
    assert (plan.volume_ml, plan.rate_ml_per_hour, plan.rate_mg_per_minute) == (
        D(volume),
        D(ml_per_hour),
        D(mg_per_minute),
    )


def test_im_volume_rounds_to_a_tenth_of_a_ml_and_reports_the_mg_it_holds():
    plan = administration_plan(
        route=Route.im,
        drug=Drug.racemic_ketamine,
        dose_mg=D("35.5"),
        concentration_mg_per_ml=D("50"),
    )
    # 35.5 / 50 = 0.71 mL, drawn as 0.7 mL = 35 mg.
    assert (plan.volume_ml, plan.delivered_mg, plan.rate_ml_per_hour) == (D("0.7"), D("35"), None)


def test_im_volume_above_5_ml_is_refused_naming_the_bound():
    with pytest.raises(ImplausibleValue, match="5 mL"):
        administration_plan(
            route=Route.im,
            drug=Drug.racemic_ketamine,
            dose_mg=D("60"),
            concentration_mg_per_ml=D("10"),
        )


def test_sublingual_dose_stays_in_mg_without_volume():
    plan = administration_plan(route=Route.sublingual, drug=Drug.racemic_ketamine, dose_mg=D(200))
    assert (plan.dose_mg, plan.delivered_mg, plan.volume_ml, plan.devices) == (
        D(200),
        D(200),
        None,
        (),
    )


@pytest.mark.parametrize(
    ("dose", "minutes_after_first"),
    [("28", [0]), ("56", [0, 5]), ("84", [0, 5, 10])],
)
def test_esketamine_dose_is_28_mg_devices_five_minutes_apart(dose, minutes_after_first):
    plan = esketamine(dose)
    assert [d.number for d in plan.devices] == list(range(1, len(minutes_after_first) + 1))
    assert all(d.dose_mg == D(28) for d in plan.devices)
    assert [(d.planned_at - T0).total_seconds() / 60 for d in plan.devices] == minutes_after_first


def test_esketamine_84_mg_last_device_is_planned_at_10_10():
    assert esketamine("84").devices[-1].planned_at == datetime(2025, 3, 4, 10, 10, tzinfo=UTC)


@pytest.mark.parametrize("dose", ["14", "42", "57", "27.9", "112", "140"])
def test_esketamine_dose_not_28_56_or_84_mg_is_refused(dose):
    with pytest.raises(InvalidEsketamineDose, match="28, 56 or 84 mg") as caught:
        esketamine(dose)
    assert caught.value.field == "dose_mg"


def test_esketamine_needs_the_first_device_time():
    with pytest.raises(InvalidDosingInput) as caught:
        esketamine("56", first_device_at=None)
    assert caught.value.field == "first_device_at"


def test_esketamine_first_device_time_without_time_zone_is_refused():
    with pytest.raises(InvalidDosingInput, match="time zone"):
        esketamine("56", first_device_at=datetime(2025, 3, 4, 10, 0))  # noqa: DTZ001 (naive on purpose)


def test_esketamine_by_another_route_is_refused():
    with pytest.raises(UnsupportedAdministration):
        administration_plan(route=Route.iv, drug=Drug.esketamine, dose_mg=D(56))


def test_intranasal_racemic_ketamine_has_no_rule_and_is_refused():
    with pytest.raises(UnsupportedAdministration, match="intranasal racemic_ketamine"):
        administration_plan(route=Route.intranasal, drug=Drug.racemic_ketamine, dose_mg=D(50))


@pytest.mark.parametrize(
    ("dose", "bound"),
    [("0", "lowest plausible 0.1"), ("-5", "lowest"), ("1001", "highest plausible 1000")],
)
def test_non_positive_or_absurd_dose_is_refused_naming_the_bound(dose, bound):
    with pytest.raises(ImplausibleValue, match=bound) as caught:
        iv(dose)
    assert caught.value.field == "dose_mg"


@pytest.mark.parametrize(
    ("concentration", "field"),
    [("0.05", "concentration_mg_per_ml"), ("101", "concentration_mg_per_ml")],
)
def test_implausible_concentration_is_refused(concentration, field):
    with pytest.raises(ImplausibleValue) as caught:
        iv("35", concentration)
    assert caught.value.field == field


def test_dose_smaller_than_a_tenth_of_a_ml_is_refused():
    with pytest.raises(ImplausibleValue, match="smallest measurable"):
        iv("1", "100")


@pytest.mark.parametrize("minutes", [None, 0, 481])
def test_iv_without_plausible_infusion_minutes_is_refused(minutes):
    with pytest.raises(InvalidDosingInput) as caught:
        iv("35", minutes=minutes)
    assert caught.value.field == "infusion_minutes"


def test_iv_without_concentration_is_refused():
    with pytest.raises(InvalidDosingInput) as caught:
        administration_plan(
            route=Route.iv, drug=Drug.racemic_ketamine, dose_mg=D(35), infusion_minutes=40
        )
    assert caught.value.field == "concentration_mg_per_ml"


@pytest.mark.parametrize(
    ("per_kg", "weight", "field"),
    [
        ("0", "70", "dose_per_kg"),
        ("10.5", "70", "dose_per_kg"),
        ("0.5", "1.9", "weight_kg"),
        ("0.5", "400.1", "weight_kg"),
    ],
)
def test_implausible_weight_based_inputs_are_refused(per_kg, weight, field):
    with pytest.raises(ImplausibleValue) as caught:
        weight_based_dose(dose_per_kg=D(per_kg), weight_kg=D(weight), rounding_mg=D("0.5"))
    assert caught.value.field == field
