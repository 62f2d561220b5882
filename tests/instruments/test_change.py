"""Change metrics: percent change, response, remission, MCID and the Reliable Change Index."""

from __future__ import annotations

import math

import pytest

from openkap.instruments import (
    RCI_CRITICAL,
    CitedValue,
    InvalidChangeInput,
    RciParameters,
    RemissionRule,
    change,
    change_defaults,
    reliable_change_index,
)


def test_percent_change_is_relative_to_baseline() -> None:
    result = change("phq9", baseline=20, current=8)
    assert result.change == -12
    assert result.percent_change == pytest.approx(-60.0)


@pytest.mark.parametrize(("current", "response"), [(10, True), (11, False), (0, True), (25, False)])
def test_response_is_a_reduction_of_at_least_50_percent(current: int, response: bool) -> None:
    assert change("madrs", baseline=20, current=current).response is response


def test_zero_baseline_leaves_percent_change_and_response_undefined() -> None:
    result = change("gad7", baseline=0, current=3)
    assert (result.percent_change, result.response) == (None, None)


@pytest.mark.parametrize(
    ("instrument_id", "current", "remission", "threshold", "operator"),
    [
        ("phq9", 4, True, 5, "<"),
        ("phq9", 5, False, 5, "<"),
        ("gad7", 4, True, 5, "<"),
        ("qids_sr16", 5, True, 5, "<="),
        ("qids_sr16", 6, False, 5, "<="),
        ("madrs", 10, True, 10, "<="),
        ("madrs", 11, False, 10, "<="),
    ],
)
def test_remission_uses_the_instrument_default_threshold(
    instrument_id: str, current: int, remission: bool, threshold: int, operator: str
) -> None:
    result = change(instrument_id, baseline=20, current=current)
    assert result.remission is remission
    assert (result.remission_rule.threshold, result.remission_rule.operator) == (
        threshold,
        operator,
    )
    assert result.remission_rule.convention == "standard"
    assert result.remission_rule.citation


def test_madrs_esketamine_trial_convention_uses_12_and_is_recorded() -> None:
    result = change("madrs", baseline=30, current=12, remission="esketamine-trial")
    assert result.remission is True
    data = result.to_dict()
    assert (data["remission_threshold"], data["remission_convention"]) == (12, "esketamine-trial")
    assert "TRANSFORM-2" in str(data["remission_source"])
    assert change("madrs", baseline=30, current=12).remission is False


def test_custom_remission_rule_is_applied_and_reported() -> None:
    rule = RemissionRule("<=", 7, "clinic", "local protocol v2")
    result = change("phq9", baseline=20, current=7, remission=rule)
    assert result.remission is True
    assert result.to_dict()["remission_source"] == "local protocol v2"


def test_unknown_remission_convention_is_refused() -> None:
    with pytest.raises(InvalidChangeInput, match="unknown remission convention 'strict' for phq9"):
        change("phq9", baseline=20, current=2, remission="strict")


def test_pcl5_rci_criterion_is_14_6_points_from_sd_12_4_and_r_0_82() -> None:
    parameters = change_defaults("pcl5").rci
    assert parameters is not None
    assert (parameters.sd.value, parameters.reliability.value) == (12.4, 0.82)
    assert parameters.sem == pytest.approx(12.4 * math.sqrt(0.18))
    assert parameters.s_diff == pytest.approx(math.sqrt(2) * 12.4 * math.sqrt(0.18))
    assert RCI_CRITICAL * parameters.s_diff == pytest.approx(14.6, abs=0.05)
    assert "Blevins" in parameters.reliability.citation


@pytest.mark.parametrize(
    ("current", "reliable"), [(36, False), (35, True), (65, True), (64, False)]
)
def test_reliable_change_needs_absolute_rci_above_1_96(current: int, reliable: bool) -> None:
    result = change("pcl5", baseline=50, current=current)
    parameters = change_defaults("pcl5").rci
    assert parameters is not None
    assert result.rci == pytest.approx((current - 50) / parameters.s_diff)
    assert result.reliable_change is reliable


def test_pcl5_remission_needs_score_below_31_and_reliable_improvement() -> None:
    assert change("pcl5", baseline=60, current=30).remission is True
    assert change("pcl5", baseline=40, current=30).remission is False  # 10 points: not reliable
    assert change("pcl5", baseline=60, current=31).remission is False
    assert change("pcl5", baseline=60, current=31).reliable_improvement is True


def test_deterioration_is_reliable_change_but_not_improvement() -> None:
    result = change("pcl5", baseline=20, current=50)
    assert (result.reliable_change, result.reliable_improvement) == (True, False)


@pytest.mark.parametrize(
    ("instrument_id", "baseline", "current", "mcid", "important"),
    [
        ("phq9", 15, 10, 5, True),
        ("phq9", 15, 11, 5, False),
        ("gad7", 12, 8, 4, True),
        ("gad7", 12, 9, 4, False),
        ("pcl5", 50, 40, 10, True),
        ("pcl5", 50, 41, 10, False),
    ],
)
def test_minimal_clinically_important_improvement(
    instrument_id: str, baseline: int, current: int, mcid: int, important: bool
) -> None:
    result = change(instrument_id, baseline=baseline, current=current)
    assert result.minimal_important_change is not None
    assert result.minimal_important_change.value == mcid
    assert result.clinically_important_improvement is important


@pytest.mark.parametrize("instrument_id", ["phq9", "gad7", "qids_sr16", "madrs"])
def test_rci_is_none_where_no_reference_values_are_established(instrument_id: str) -> None:
    result = change(instrument_id, baseline=20, current=10)
    assert (result.rci, result.reliable_change, result.rci_parameters) == (None, None, None)


def test_rci_parameters_can_be_configured_with_a_citation() -> None:
    local = RciParameters(
        CitedValue(5.0, "clinic baseline SD 2025"), CitedValue(0.84, "Kroenke 2001")
    )
    result = change("phq9", baseline=18, current=10, rci=local)
    assert result.rci == pytest.approx(reliable_change_index(18, 10, local))
    assert result.reliable_change is True
    assert result.to_dict()["rci_parameters"] == {
        "sd": 5.0,
        "sd_source": "clinic baseline SD 2025",
        "reliability": 0.84,
        "reliability_source": "Kroenke 2001",
        "s_diff": round(local.s_diff, 3),
    }


@pytest.mark.parametrize(
    ("sd", "r"), [(0.0, 0.8), (-1.0, 0.8), (5.0, 1.0), (5.0, -0.1), (math.nan, 0.5)]
)
def test_invalid_rci_parameters_are_refused(sd: float, r: float) -> None:
    with pytest.raises(InvalidChangeInput, match="RCI"):
        RciParameters(CitedValue(sd, "x"), CitedValue(r, "x"))


@pytest.mark.parametrize(("baseline", "current"), [(28, 5), (5, -1), (5, 2.5), (True, 3)])
def test_totals_outside_the_range_or_not_whole_numbers_are_refused(
    baseline: object, current: object
) -> None:
    with pytest.raises(InvalidChangeInput, match=r"^(baseline|current) "):
        change("phq9", baseline=baseline, current=current)  # type: ignore[arg-type]  # deliberate


@pytest.mark.parametrize("instrument_id", ["cadss", "cadss6", "moaas", "cssrs_screener"])
def test_change_metrics_are_refused_for_session_monitoring_scales(instrument_id: str) -> None:
    with pytest.raises(InvalidChangeInput, match="change metrics are not defined"):
        change(instrument_id, baseline=1, current=0)


def test_change_to_dict_has_the_cli_fields() -> None:
    data = change("pcl5", baseline=50, current=20).to_dict()
    for key in (
        "percent_change",
        "response",
        "remission",
        "remission_threshold",
        "rci",
        "reliable_change",
    ):
        assert key in data
    assert (data["percent_change"], data["response"], data["remission"]) == (-60.0, True, True)
