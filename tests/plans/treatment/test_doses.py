"""Dose math of each default protocol: weight rounding, esketamine devices and age, bounds."""

from datetime import date
from decimal import Decimal

import pytest

from openkap.plans.models import ProtocolTemplate
from openkap.plans.treatment.defaults import DEFAULT_TEMPLATES, default_template_values
from openkap.plans.treatment.doses import (
    age_on,
    bound_violations,
    calculate_dose,
    devices_for,
    round_half_up,
)
from openkap.plans.treatment.templates import validate_template


def template(key: str, **changes: object) -> ProtocolTemplate:
    return ProtocolTemplate(version=1, **{**default_template_values(key), **changes})


def bounds(key: str, **kwargs: object) -> set[str]:
    tpl = template(key)
    age = kwargs.pop("age", 40)
    previous = kwargs.pop("previous", None)
    first_dose = kwargs.pop("first_dose", False)
    calc = calculate_dose(tpl, age=age, **kwargs)
    return {
        v.bound for v in bound_violations(tpl, calc=calc, previous=previous, first_dose=first_dose)
    }


@pytest.mark.parametrize("key", [t["key"] for t in DEFAULT_TEMPLATES])
def test_every_default_template_passes_template_validation(key):
    validate_template(default_template_values(key))


def test_iv_dose_is_half_a_mg_per_kg_of_the_weight_rounded_half_up_to_half_a_mg():
    calc = calculate_dose(template("iv_racemic"), age=40, weight_kg=Decimal("71.3"))
    assert calc.unrounded_mg == Decimal("35.650")
    assert calc.dose_mg == Decimal("35.5")
    assert calc.dose_per_kg == Decimal("0.5")
    assert "0.5 mg/kg x 71.3 kg" in calc.explanation()
    assert "rounded half-up to 0.5 mg" in calc.explanation()


@pytest.mark.parametrize(
    ("weight", "expected"),
    [("70.5", "35.5"), ("70.4", "35"), ("71.5", "36"), ("80.0", "40")],
)
def test_iv_rounding_takes_halves_up(weight, expected):
    # 70.5 kg -> 35.25 mg, exactly half-way between 35.0 and 35.5: half-up gives 35.5.
    calc = calculate_dose(template("iv_racemic"), age=40, weight_kg=Decimal(weight))
    assert calc.dose_mg == Decimal(expected)


def test_round_half_up_is_not_bankers_rounding():
    assert round_half_up(Decimal("2.5"), Decimal(1)) == Decimal(3)
    assert round_half_up(Decimal("3.5"), Decimal(1)) == Decimal(4)
    assert round_half_up(Decimal("0.75"), Decimal("0.5")) == Decimal("1.0")


def test_prescriber_chosen_mg_per_kg_is_used_for_iv():
    calc = calculate_dose(
        template("iv_racemic"), age=40, weight_kg=Decimal("80"), dose_per_kg=Decimal("0.75")
    )
    assert calc.dose_mg == Decimal("60")


def test_esketamine_starts_at_56_mg_in_two_devices_under_65():
    calc = calculate_dose(template("intranasal_esketamine"), age=64, weight_kg=None)
    assert calc.dose_mg == Decimal(56)
    assert calc.devices == 2
    assert calc.weight_kg is None


def test_esketamine_starts_at_28_mg_in_one_device_at_65():
    calc = calculate_dose(template("intranasal_esketamine"), age=65, weight_kg=None)
    assert calc.dose_mg == Decimal(28)
    assert calc.devices == 1
    assert calc.older_adult
    assert calc.explanation() == "28 mg = 1 device of 28 mg (patient aged 65 or over)"


def test_esketamine_84_mg_is_three_devices_and_50_mg_is_not_a_device_count():
    assert devices_for(Decimal(84), Decimal(28)) == 3
    assert devices_for(Decimal(50), Decimal(28)) is None
    assert devices_for(Decimal(0), Decimal(28)) is None


def test_age_counts_whole_years_up_to_the_birthday():
    assert age_on(date(1960, 6, 15), date(2025, 6, 14)) == 64
    assert age_on(date(1960, 6, 15), date(2025, 6, 15)) == 65


def test_sublingual_start_is_five_mg_per_kg_rounded_to_25_mg():
    calc = calculate_dose(template("sublingual_racemic"), age=40, weight_kg=Decimal("71.3"))
    # 5 x 71.3 = 356.5 mg -> nearest 25 mg is 350 mg.
    assert calc.dose_mg == Decimal(350)
    assert calc.capped_at_mg is None


def test_sublingual_start_for_a_heavy_patient_is_capped_at_the_450_mg_maximum():
    calc = calculate_dose(template("sublingual_racemic"), age=40, weight_kg=Decimal("110"))
    assert calc.dose_mg == Decimal(450)
    assert calc.capped_at_mg == Decimal(450)
    assert calc.explanation() == (
        "5 mg/kg x 110 kg = 550 mg, rounded half-up to 25 mg; capped at the template maximum: "
        "450 mg"
    )


def test_sublingual_bounds_are_in_mg():
    tpl = template("sublingual_racemic", max_dose=Decimal(400))
    calc = calculate_dose(tpl, age=40, weight_kg=Decimal(70), dose_mg=Decimal(425))
    assert {v.bound for v in bound_violations(tpl, calc=calc)} == {"max_dose"}
    assert bounds("sublingual_racemic", weight_kg=Decimal(70), dose_mg=Decimal(75)) == {"min_dose"}


def test_iv_dose_above_one_mg_per_kg_breaks_the_maximum():
    assert bounds("iv_racemic", weight_kg=Decimal(70), dose_per_kg=Decimal("1.2")) == {"max_dose"}


def test_iv_dose_below_the_minimum_breaks_it():
    assert bounds("iv_racemic", weight_kg=Decimal(70), dose_per_kg=Decimal("0.05")) == {"min_dose"}


def test_iv_mg_dose_is_checked_in_mg_per_kg():
    # 80 mg at 70 kg is 1.143 mg/kg, above the 1.0 mg/kg maximum.
    assert bounds("iv_racemic", weight_kg=Decimal(70), dose_mg=Decimal(80)) == {"max_dose"}


def test_step_from_previous_dose_above_max_step_is_a_violation():
    found = bounds(
        "iv_racemic",
        weight_kg=Decimal(70),
        dose_per_kg=Decimal("0.8"),
        previous=Decimal("0.5"),
    )
    assert found == {"max_step"}
    assert (
        bounds(
            "iv_racemic",
            weight_kg=Decimal(70),
            dose_per_kg=Decimal("0.75"),
            previous=Decimal("0.5"),
        )
        == set()
    )


def test_esketamine_step_of_two_devices_breaks_the_max_step():
    assert bounds("intranasal_esketamine", dose_mg=Decimal(84), previous=Decimal(28)) == {
        "max_step"
    }


def test_first_esketamine_dose_above_28_mg_at_65_breaks_the_older_adult_start():
    found = bounds("intranasal_esketamine", dose_mg=Decimal(56), age=70, first_dose=True)
    assert found == {"older_adult_start_dose"}
    assert bounds("intranasal_esketamine", dose_mg=Decimal(56), age=70, first_dose=False) == set()


def test_violation_message_names_the_bound_and_its_value():
    tpl = template("iv_racemic")
    calc = calculate_dose(tpl, age=40, weight_kg=Decimal(70), dose_per_kg=Decimal("1.5"))
    (violation,) = bound_violations(tpl, calc=calc)
    assert violation.message == "1.5 mg/kg is above the maximum of the template (max_dose 1 mg/kg)"


def test_im_default_is_weight_based_half_mg_per_kg():
    calc = calculate_dose(template("im_racemic"), age=40, weight_kg=Decimal("63.0"))
    assert calc.dose_mg == Decimal("31.5")
