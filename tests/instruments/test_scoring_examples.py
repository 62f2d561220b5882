"""Published worked examples, band boundaries and rules for every instrument (scalar scorer)."""

from __future__ import annotations

import pytest

from openkap.instruments import get_instrument, score

Answers = list[int | None]


def spread(instrument_id: str, total: int) -> Answers:
    """Answers reaching `total` on the summed, non-safety items (safety items stay 0)."""
    instrument = get_instrument(instrument_id)
    values: Answers = [0] * len(instrument.summed_items)
    remaining = total
    for item in instrument.summed_items:
        if not item.safety:
            values[item.number - 1] = min(item.max_value, remaining)
            remaining -= values[item.number - 1] or 0
    assert remaining == 0
    return values


def qids_with_domains(total: int) -> Answers:
    """QIDS-SR16 answers reaching `total` through one item per domain (suicide domain 0)."""
    values: Answers = [0] * 16
    remaining = total
    for number in (1, 5, 6, 10, 11, 13, 14, 15):
        values[number - 1] = min(3, remaining)
        remaining -= values[number - 1] or 0
    assert remaining == 0
    return values


def test_phq9_worked_example_scores_10_moderate_with_suicide_flag() -> None:
    result = score("phq9", [3, 0, 1, 2, 0, 0, 1, 0, 3])
    assert (result.total, result.severity) == (10, "moderate")
    assert result.flags == ("suicide_risk",)
    assert result.provisional_diagnosis is False
    assert result.risk_level is None


@pytest.mark.parametrize(
    ("instrument_id", "total", "severity"),
    [
        ("phq9", 0, "minimal"),
        ("phq9", 4, "minimal"),
        ("phq9", 5, "mild"),
        ("phq9", 9, "mild"),
        ("phq9", 10, "moderate"),
        ("phq9", 14, "moderate"),
        ("phq9", 15, "moderately severe"),
        ("phq9", 19, "moderately severe"),
        ("phq9", 20, "severe"),
        ("phq9", 24, "severe"),
        ("gad7", 0, "minimal"),
        ("gad7", 4, "minimal"),
        ("gad7", 5, "mild"),
        ("gad7", 9, "mild"),
        ("gad7", 10, "moderate"),
        ("gad7", 14, "moderate"),
        ("gad7", 15, "severe"),
        ("gad7", 21, "severe"),
        ("pcl5", 0, "below cut-point"),
        ("pcl5", 30, "below cut-point"),
        ("pcl5", 31, "probable PTSD"),
        ("pcl5", 80, "probable PTSD"),
        ("madrs", 0, "normal"),
        ("madrs", 6, "normal"),
        ("madrs", 7, "mild"),
        ("madrs", 19, "mild"),
        ("madrs", 20, "moderate"),
        ("madrs", 34, "moderate"),
        ("madrs", 35, "severe"),
        ("madrs", 54, "severe"),
    ],
)
def test_band_boundaries_give_the_published_severity(
    instrument_id: str, total: int, severity: str
) -> None:
    result = score(instrument_id, spread(instrument_id, total))
    assert (result.total, result.severity) == (total, severity)


@pytest.mark.parametrize(
    ("total", "severity"),
    [(0, "none"), (5, "none"), (6, "mild"), (10, "mild"), (11, "moderate"), (15, "moderate"),
     (16, "severe"), (20, "severe"), (21, "very severe"), (24, "very severe")],
)  # fmt: skip
def test_qids_band_boundaries_give_the_published_severity(total: int, severity: str) -> None:
    result = score("qids_sr16", qids_with_domains(total))
    assert (result.total, result.severity) == (total, severity)


@pytest.mark.parametrize(
    ("instrument_id", "low", "high"),
    [("phq9", 0, 27), ("gad7", 0, 21), ("pcl5", 0, 80), ("qids_sr16", 0, 27), ("madrs", 0, 60),
     ("cadss", 0, 92), ("cadss6", 0, 24), ("moaas", 0, 5)],
)  # fmt: skip
def test_all_minimum_and_all_maximum_answers_give_the_range_ends(
    instrument_id: str, low: int, high: int
) -> None:
    instrument = get_instrument(instrument_id)
    lowest = score(instrument_id, [item.min_value for item in instrument.items])
    highest = score(instrument_id, [item.max_value for item in instrument.items])
    assert (lowest.total, highest.total) == (low, high)
    assert lowest.severity == instrument.severity_for(low)
    assert highest.severity == instrument.severity_for(high)


def test_phq9_all_maximum_is_severe_with_flag_and_major_depressive_syndrome() -> None:
    result = score("phq9", [3] * 9)
    assert (result.total, result.severity, result.flags) == (27, "severe", ("suicide_risk",))
    assert result.provisional_diagnosis is True


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([2, 2, 2, 2, 2, 0, 0, 0, 0], True),  # five items, includes item 1
        ([0, 2, 0, 2, 2, 2, 2, 0, 0], True),  # five items, includes item 2
        ([0, 0, 2, 2, 2, 2, 2, 2, 0], False),  # six items but neither item 1 nor 2
        ([2, 0, 2, 2, 0, 0, 2, 0, 1], True),  # item 9 counts at "several days"
        ([2, 0, 2, 2, 1, 1, 1, 1, 0], False),  # only three items at >= 2
        ([1, 1, 1, 1, 1, 1, 1, 1, 1], False),  # item 1/2 at 1 are not endorsed
    ],
)
def test_phq9_major_depressive_syndrome_algorithm(answers: Answers, expected: bool) -> None:
    assert score("phq9", answers).provisional_diagnosis is expected


@pytest.mark.parametrize(("item9", "flagged"), [(0, False), (1, True), (2, True), (3, True)])
def test_phq9_item9_positive_raises_suicide_flag(item9: int, flagged: bool) -> None:
    assert ("suicide_risk" in score("phq9", [0] * 8 + [item9]).flags) is flagged


def test_phq9_item10_difficulty_is_recorded_but_not_summed() -> None:
    with_difficulty = score("phq9", [1] * 9 + [3])
    assert with_difficulty.total == score("phq9", [1] * 9).total == 9
    assert with_difficulty.answers[9] == 3


def test_pcl5_all_moderate_meets_dsm5_rule_with_cluster_scores() -> None:
    result = score("pcl5", [2] * 20)
    assert result.total == 40
    assert result.severity == "probable PTSD"
    assert dict(result.subscales) == {"B": 10, "C": 4, "D": 14, "E": 12}
    assert result.provisional_diagnosis is True


@pytest.mark.parametrize(
    ("endorsed", "expected"),
    [
        ({1, 6, 8, 9, 15, 16}, True),  # minimum: 1 B, 1 C, 2 D, 2 E
        ({6, 8, 9, 15, 16}, False),  # no B
        ({1, 8, 9, 15, 16}, False),  # no C
        ({1, 6, 8, 15, 16}, False),  # one D
        ({1, 6, 8, 9, 15}, False),  # one E
    ],
)
def test_pcl5_dsm5_rule_needs_1_b_1_c_2_d_2_e(endorsed: set[int], expected: bool) -> None:
    answers: Answers = [2 if n in endorsed else 1 for n in range(1, 21)]
    assert score("pcl5", answers).provisional_diagnosis is expected


def test_qids_scores_nine_domains_with_maximum_of_multi_item_domains() -> None:
    answers: Answers = [3, 0, 1, 0, 2, 1, None, None, 2, 1, 1, 0, 1, 2, 0, 3]
    result = score("qids_sr16", answers)
    assert dict(result.subscales) == {
        "sleep": 3,
        "sad_mood": 2,
        "appetite_weight": 2,
        "concentration": 1,
        "self_view": 1,
        "suicidal_ideation": 0,
        "interest": 1,
        "energy": 2,
        "psychomotor": 3,
    }
    assert (result.total, result.severity, result.flags) == (15, "moderate", ())


@pytest.mark.parametrize(("item12", "flagged"), [(0, False), (1, True), (3, True)])
def test_qids_item12_positive_raises_suicide_flag(item12: int, flagged: bool) -> None:
    answers: Answers = [0] * 16
    answers[11] = item12
    assert ("suicide_risk" in score("qids_sr16", answers).flags) is flagged


@pytest.mark.parametrize(("item10", "flagged"), [(3, False), (4, True), (6, True)])
def test_madrs_item10_at_4_or_more_raises_suicide_flag(item10: int, flagged: bool) -> None:
    assert ("suicide_risk" in score("madrs", [0] * 9 + [item10]).flags) is flagged


@pytest.mark.parametrize(("total", "flagged"), [(0, False), (4, False), (5, True), (92, True)])
def test_cadss_total_above_4_raises_dissociation_flag(total: int, flagged: bool) -> None:
    result = score("cadss", spread("cadss", total))
    assert ("dissociation" in result.flags) is flagged


def test_cadss_reports_cadss6_subscale_from_items_1_2_6_7_15_22() -> None:
    answers: Answers = [0] * 23
    for number, value in zip((1, 2, 6, 7, 15, 22), (1, 2, 3, 4, 1, 2), strict=True):
        answers[number - 1] = value
    answers[3] = 4  # item 4 is not a CADSS-6 item
    result = score("cadss", answers)
    assert result.subscales == {"cadss6": 13}
    assert result.total == 17


def test_cadss6_sums_six_items_and_raises_no_flag() -> None:
    result = score("cadss6", [4, 4, 4, 4, 4, 4])
    assert (result.total, result.flags, result.severity) == (24, (), None)


@pytest.mark.parametrize(
    ("rating", "severity", "flagged"),
    [(5, "alert", False), (4, "minimal sedation", False), (3, "moderate sedation", True),
     (2, "moderate sedation", True), (1, "deep sedation", True), (0, "unresponsive", True)],
)  # fmt: skip
def test_moaas_at_3_or_below_raises_moderate_sedation_flag(
    rating: int, severity: str, flagged: bool
) -> None:
    result = score("moaas", [rating])
    assert (result.total, result.severity) == (rating, severity)
    assert ("moderate_sedation" in result.flags) is flagged


@pytest.mark.parametrize(
    ("answers", "risk"),
    [
        ([0, 0, None, None, None, 0], "none"),
        ([1, 0, None, None, None, 0], "low"),
        ([1, 1, 0, 0, 0, 0], "low"),
        ([0, 1, 1, 0, 0, 0], "moderate"),
        ([1, 1, 1, 1, 0, 0], "high"),
        ([1, 1, 0, 0, 1, 0], "high"),
        ([0, 0, None, None, None, 1], "moderate"),
        ([0, 0, None, None, None, 2], "high"),
        ([1, 1, 1, 0, 0, 2], "high"),
    ],
)
def test_cssrs_screener_risk_level_follows_triage_rules(answers: Answers, risk: str) -> None:
    result = score("cssrs_screener", answers)
    assert result.risk_level == risk
    assert result.total is None
    assert result.severity is None
    assert ("suicide_risk" in result.flags) is (risk != "none")


def test_answers_may_be_given_as_a_mapping_of_item_numbers() -> None:
    by_number = score("gad7", {1: 3, "2": 3, 3: 0, 4: 0, 5: 0, 6: 0, 7: 1})
    assert by_number == score("gad7", [3, 3, 0, 0, 0, 0, 1])


def test_score_to_dict_is_json_ready_with_the_cli_fields() -> None:
    data = score("pcl5", [2] * 20).to_dict()
    assert data["instrument"] == "pcl5"
    assert data["version"] == "1.0.0"
    assert data["subscales"] == {"B": 10, "C": 4, "D": 14, "E": 12}
    assert data["flags"] == []
    assert data["provisional_diagnosis"] is True
    assert data["risk_level"] is None
    assert data["prorated"] is False
