"""Bad input never scores: every error path raises InvalidAnswers naming the item and values."""

from __future__ import annotations

import pytest

from openkap.instruments import InvalidAnswers, get_instrument, score

from .strategies import INSTRUMENT_IDS


def complete(instrument_id: str) -> list[object]:
    """A valid all-minimum response (C-SSRS: item 2 'no' skips items 3-5)."""
    instrument = get_instrument(instrument_id)
    values: list[object] = [item.min_value for item in instrument.items]
    for rule in instrument.skips:
        for number in rule.skip:
            values[number - 1] = None
    return values


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_complete_minimum_response_scores(instrument_id: str) -> None:
    assert score(instrument_id, complete(instrument_id)).instrument == instrument_id


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_too_many_answers_raise_naming_the_expected_count(instrument_id: str) -> None:
    answers = [*complete(instrument_id), 0]
    with pytest.raises(InvalidAnswers, match=r"expected .* answers, got") as caught:
        score(instrument_id, answers)
    assert caught.value.instrument == instrument_id


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_too_few_answers_raise(instrument_id: str) -> None:
    with pytest.raises(InvalidAnswers, match="answers, got 0"):
        score(instrument_id, [])


def test_phq9_accepts_9_or_10_answers_but_not_8() -> None:
    assert score("phq9", [0] * 9).total == score("phq9", [0] * 10).total == 0
    with pytest.raises(InvalidAnswers, match="expected 9 or 10 answers, got 8"):
        score("phq9", [0] * 8)


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
@pytest.mark.parametrize("offset", [1, -1])
def test_value_out_of_range_raises_naming_item_and_allowed_values(
    instrument_id: str, offset: int
) -> None:
    instrument = get_instrument(instrument_id)
    item = instrument.items[-1]
    answers = complete(instrument_id)
    answers[-1] = item.max_value + 1 if offset > 0 else item.min_value - 1
    with pytest.raises(InvalidAnswers) as caught:
        score(instrument_id, answers)
    assert caught.value.item == item.number
    assert caught.value.allowed == item.values
    assert f"item {item.number}" in str(caught.value)
    assert "allowed values" in str(caught.value)


@pytest.mark.parametrize("bad", ["2", "two", 1.0, 2.5, True, [1], object()])
def test_non_number_raises_naming_the_item(bad: object) -> None:
    answers: list[object] = [0] * 7
    answers[2] = bad
    with pytest.raises(InvalidAnswers, match=r"gad7, item 3: .* is not a whole number") as caught:
        score("gad7", answers)
    assert str(caught.value).endswith("(allowed values: 0-3)")


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_non_number_raises_on_every_instrument(instrument_id: str) -> None:
    answers = complete(instrument_id)
    answers[0] = "yes"
    with pytest.raises(
        InvalidAnswers, match=f"{instrument_id}, item 1: 'yes' is not a whole number"
    ):
        score(instrument_id, answers)


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_missing_required_item_raises_without_prorating(instrument_id: str) -> None:
    answers = complete(instrument_id)
    answers[0] = None
    with pytest.raises(InvalidAnswers, match="missing answer") as caught:
        score(instrument_id, answers)
    assert caught.value.item == 1


def test_cssrs_answer_on_a_skipped_item_raises_naming_the_skip_rule() -> None:
    with pytest.raises(InvalidAnswers, match="item 4: must be left blank because item 2 is 0"):
        score("cssrs_screener", [1, 0, None, 0, None, 0])


def test_cssrs_items_3_to_5_are_required_when_item2_is_yes() -> None:
    with pytest.raises(InvalidAnswers, match="item 3: missing answer"):
        score("cssrs_screener", [1, 1, None, None, None, 0])


def test_cssrs_item6_is_always_asked() -> None:
    with pytest.raises(InvalidAnswers, match="item 6: missing answer"):
        score("cssrs_screener", [0, 0, None, None, None, None])


def test_cssrs_item6_allows_0_1_2_and_items_1_to_5_allow_0_1() -> None:
    with pytest.raises(
        InvalidAnswers, match=r"item 1: 2 is not an allowed value \(allowed values: 0, 1\)"
    ):
        score("cssrs_screener", [2, 0, None, None, None, 0])
    assert score("cssrs_screener", [0, 0, None, None, None, 2]).risk_level == "high"


def test_qids_either_or_pair_left_blank_raises() -> None:
    answers: list[object] = [0] * 16
    answers[5] = answers[6] = None
    with pytest.raises(
        InvalidAnswers, match="item 6: missing answer: answer at least one of items 6 or 7"
    ):
        score("qids_sr16", answers)


def test_qids_either_or_items_may_be_answered_both() -> None:
    answers: list[object] = [0] * 16
    answers[5], answers[6] = 1, 3
    assert score("qids_sr16", answers).subscales["appetite_weight"] == 3


def test_mapping_with_unknown_item_number_raises() -> None:
    with pytest.raises(InvalidAnswers, match="no item 8; items are numbered 1-7"):
        score("gad7", {n: 0 for n in range(1, 9)})


def test_a_string_is_not_accepted_as_a_sequence_of_answers() -> None:
    with pytest.raises(InvalidAnswers, match="answers must be a sequence"):
        score("gad7", "0000000")


def test_error_is_a_value_error_with_a_single_readable_line() -> None:
    with pytest.raises(ValueError, match="phq9, item 9") as caught:
        score("phq9", [0, 0, 0, 0, 0, 0, 0, 0, 7])
    assert "\n" not in str(caught.value)
