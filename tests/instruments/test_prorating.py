"""The explicit prorating option: limits, rounding, safety items and undetermined diagnoses."""

from __future__ import annotations

import pytest

from openkap.instruments import MAX_MISSING_PERCENT, InvalidAnswers, prorate_limit, score


def test_prorating_limit_is_20_percent_of_a_group_rounded_down() -> None:
    assert MAX_MISSING_PERCENT == 20
    assert [prorate_limit(n) for n in (2, 4, 5, 6, 7, 9, 10, 20, 23)] == [0, 0, 1, 1, 1, 1, 2, 4, 4]


def test_phq9_one_missing_item_is_prorated_and_reported() -> None:
    result = score("phq9", [3, 3, 3, 3, 3, 3, 3, None, 3], prorate=True)
    assert (result.total, result.severity) == (27, "severe")
    assert result.prorated
    assert result.missing_items == (8,)


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        ([1, 0, 0, 0, 0, 0, 0, None, 0], 1),  # 1 * 9 / 8 = 1.125
        ([1, 1, 1, 1, 0, 0, 0, None, 0], 5),  # 4 * 9 / 8 = 4.5 rounds half up
        ([1, 1, 1, 0, 0, 0, 0, None, 0], 3),  # 3 * 9 / 8 = 3.375
    ],
)
def test_prorated_total_rounds_half_up(answers: list[int | None], total: int) -> None:
    assert score("phq9", answers, prorate=True).total == total


def test_missing_item_without_the_prorate_option_is_refused() -> None:
    with pytest.raises(InvalidAnswers, match="item 8: missing answer"):
        score("phq9", [0, 0, 0, 0, 0, 0, 0, None, 0])


@pytest.mark.parametrize(
    ("instrument_id", "answers", "item"),
    [
        ("phq9", [0] * 8 + [None], 9),
        ("madrs", [0] * 9 + [None], 10),
    ],
)
def test_safety_item_is_never_prorated(
    instrument_id: str, answers: list[int | None], item: int
) -> None:
    with pytest.raises(InvalidAnswers, match="safety items are never prorated") as caught:
        score(instrument_id, answers, prorate=True)
    assert caught.value.item == item


def test_qids_item12_missing_is_refused_even_with_prorate() -> None:
    answers: list[int | None] = [0] * 16
    answers[11] = None
    with pytest.raises(InvalidAnswers, match="item 12: missing answer on a safety item"):
        score("qids_sr16", answers, prorate=True)


def test_phq9_two_missing_items_exceed_the_limit() -> None:
    with pytest.raises(
        InvalidAnswers, match=r"too many items missing to prorate the total: 2 of 9 \(limit 1\)"
    ):
        score("phq9", [0, None, 0, 0, None, 0, 0, 0, 0], prorate=True)


@pytest.mark.parametrize(
    ("instrument_id", "answers"),
    [
        ("qids_sr16", [None] + [0] * 15),
        ("cssrs_screener", [None, 0, None, None, None, 0]),
        ("moaas", [None]),
    ],
)
def test_instruments_without_a_summed_total_refuse_prorating(
    instrument_id: str, answers: list[int | None]
) -> None:
    with pytest.raises(InvalidAnswers, match="item 1: missing answer"):
        score(instrument_id, answers, prorate=True)


def test_qids_refusal_says_prorating_is_not_available() -> None:
    answers: list[int | None] = [0] * 16
    answers[0] = None
    with pytest.raises(InvalidAnswers, match="prorating is not available for QIDS-SR16"):
        score("qids_sr16", answers, prorate=True)


def test_pcl5_missing_avoidance_item_is_refused_because_cluster_c_has_two_items() -> None:
    answers: list[int | None] = [2] * 20
    answers[6] = None
    with pytest.raises(InvalidAnswers, match="subscale C: 1 of 2 \\(limit 0\\)"):
        score("pcl5", answers, prorate=True)


def test_pcl5_one_missing_item_in_each_large_cluster_is_prorated_per_cluster() -> None:
    answers: list[int | None] = [2] * 20
    answers[0] = answers[7] = answers[14] = None
    result = score("pcl5", answers, prorate=True)
    assert result.total == 40
    assert dict(result.subscales) == {"B": 10, "C": 4, "D": 14, "E": 12}
    assert result.missing_items == (1, 8, 15)


def test_prorated_diagnosis_is_undetermined_when_the_blank_could_change_it() -> None:
    # Four items endorsed including item 1; the blank item 5 decides the syndrome.
    result = score("phq9", [2, 0, 2, 2, None, 0, 0, 0, 1], prorate=True)
    assert result.provisional_diagnosis is None


def test_prorated_diagnosis_is_kept_when_the_blank_cannot_change_it() -> None:
    met = score("phq9", [2, 2, 2, 2, 2, None, 0, 0, 0], prorate=True)
    unmet = score("phq9", [0, 0, 1, 1, None, 0, 0, 0, 0], prorate=True)
    assert (met.provisional_diagnosis, unmet.provisional_diagnosis) == (True, False)


def test_cadss_prorated_total_drives_the_dissociation_flag() -> None:
    answers: list[int | None] = [0] * 23
    answers[0], answers[1] = 4, None
    result = score("cadss", answers, prorate=True)
    assert result.total == 4  # 4 * 23 / 22 = 4.18
    assert result.flags == ()


def test_complete_response_with_prorate_option_is_not_marked_prorated() -> None:
    result = score("gad7", [1] * 7, prorate=True)
    assert (result.total, result.prorated, result.missing_items) == (7, False, ())
