"""Batch scoring: input forms, arrays returned and row-located errors."""

from __future__ import annotations

import numpy as np
import pytest

from openkap.instruments import MISSING, InvalidAnswers, score, score_many


def test_phq9_worked_example_in_a_batch_gives_arrays() -> None:
    batch = score_many("phq9", np.array([[3, 0, 1, 2, 0, 0, 1, 0, 3], [0] * 9]))
    assert batch.totals is not None
    assert batch.totals.tolist() == [10, 0]
    assert batch.severity_codes.tolist() == [2, 0]
    assert batch.severity_labels.tolist() == ["moderate", "minimal"]
    assert batch.flags["suicide_risk"].tolist() == [True, False]
    assert batch.provisional_diagnosis is not None
    assert batch.provisional_diagnosis.tolist() == [0, 0]
    assert batch.risk_codes is None
    assert batch.risk_labels is None


def test_plain_lists_with_none_blanks_are_accepted() -> None:
    batch = score_many("phq9", [[1] * 9 + [None], [1] * 9 + [2]])
    assert batch.totals is not None
    assert batch.totals.tolist() == [9, 9]


def test_float_matrix_uses_nan_for_blanks() -> None:
    rows = np.array([[1.0] * 7 + [np.nan], [0.0] * 8])
    batch = score_many("gad7", rows[:, :7])
    assert batch.totals is not None
    assert batch.totals.tolist() == [7, 0]
    prorated = score_many("phq9", np.array([[1, 1, 1, 1, 0, 0, 0, np.nan, 0]]), prorate=True)
    assert prorated.totals is not None
    assert prorated.totals.tolist() == [5]
    assert prorated.prorated.tolist() == [True]


def test_float_with_a_fraction_raises_naming_row_and_item() -> None:
    with pytest.raises(InvalidAnswers, match=r"gad7, row 1, item 4: 2.5 is not a whole number"):
        score_many("gad7", np.array([[0.0] * 7, [0, 0, 0, 2.5, 0, 0, 0]]))


def test_out_of_range_value_raises_naming_row_item_and_allowed_values() -> None:
    matrix = np.zeros((5, 20), dtype=np.int64)
    matrix[3, 11] = 5
    with pytest.raises(InvalidAnswers) as caught:
        score_many("pcl5", matrix)
    assert (caught.value.row, caught.value.item, caught.value.allowed) == (3, 12, (0, 1, 2, 3, 4))
    assert (
        str(caught.value) == "pcl5, row 3, item 12: 5 is not an allowed value (allowed values: 0-4)"
    )


@pytest.mark.parametrize("huge", [300, 70_000, 2**40])
def test_large_integers_are_out_of_range_not_wrapped(huge: int) -> None:
    matrix = np.zeros((2, 7), dtype=np.int64)
    matrix[1, 0] = huge
    with pytest.raises(InvalidAnswers, match="row 1, item 1"):
        score_many("gad7", matrix)


def test_uint16_max_is_out_of_range_not_missing() -> None:
    matrix = np.zeros((1, 7), dtype=np.uint16)
    matrix[0, 2] = 65535
    with pytest.raises(InvalidAnswers, match="item 3: 127 is not an allowed value"):
        score_many("gad7", matrix)


def test_missing_item_in_a_batch_raises_naming_row_and_item() -> None:
    matrix = np.zeros((3, 9), dtype=np.int8)
    matrix[2, 8] = MISSING
    with pytest.raises(InvalidAnswers, match="phq9, row 2, item 9: missing answer"):
        score_many("phq9", matrix)


def test_non_number_in_a_list_raises_naming_row_and_item() -> None:
    with pytest.raises(InvalidAnswers, match=r"row 1, item 2: 'x' is not a whole number"):
        score_many("gad7", [[0] * 7, [0, "x", 0, 0, 0, 0, 0]])


def test_boolean_matrix_is_refused() -> None:
    with pytest.raises(InvalidAnswers, match="not booleans"):
        score_many("gad7", np.zeros((2, 7), dtype=bool))


def test_ragged_rows_raise_naming_the_short_row() -> None:
    with pytest.raises(InvalidAnswers, match="row 1: expected 7 answers, got 6"):
        score_many("gad7", [[0] * 7, [0] * 6])


def test_wrong_column_count_raises() -> None:
    with pytest.raises(InvalidAnswers, match="expected 9 or 10 answers per row, got 11"):
        score_many("phq9", np.zeros((2, 11), dtype=np.int8))


def test_one_dimensional_input_raises() -> None:
    with pytest.raises(InvalidAnswers, match="2-D matrix"):
        score_many("gad7", np.zeros(7, dtype=np.int8))


def test_empty_batch_returns_empty_arrays() -> None:
    batch = score_many("pcl5", [])
    assert len(batch) == 0
    assert batch.totals is not None
    assert batch.totals.shape == (0,)
    assert batch.subscales["B"].shape == (0,)


def test_cssrs_batch_enforces_skip_logic_and_reports_risk_labels() -> None:
    matrix = np.array([[0, 0, -1, -1, -1, 0], [1, 1, 1, 0, 0, 0], [0, 0, -1, -1, -1, 2]])
    batch = score_many("cssrs_screener", matrix)
    assert batch.totals is None
    assert batch.risk_labels is not None
    assert batch.risk_labels.tolist() == ["none", "moderate", "high"]
    assert batch.severity_labels.tolist() == [None, None, None]
    with pytest.raises(InvalidAnswers, match="row 0, item 3: must be left blank"):
        score_many("cssrs_screener", np.array([[0, 0, 0, 0, 0, 0]]))


def test_qids_batch_allows_one_blank_in_each_either_or_pair() -> None:
    row = [1, 0, 0, 0, 1, 2, -1, -1, 3, 0, 0, 0, 0, 0, 0, 0]
    batch = score_many("qids_sr16", np.array([row]))
    assert batch.subscales["appetite_weight"].tolist() == [3]
    expected = score("qids_sr16", [None if v == -1 else v for v in row])
    assert batch.totals is not None
    assert batch.totals.tolist() == [expected.total]


def test_batch_prorating_marks_undetermined_diagnosis_as_minus_one() -> None:
    batch = score_many("phq9", np.array([[2, 0, 2, 2, -1, 0, 0, 0, 1]]), prorate=True)
    assert batch.provisional_diagnosis is not None
    assert batch.provisional_diagnosis.tolist() == [-1]
    assert score("phq9", [2, 0, 2, 2, None, 0, 0, 0, 1], prorate=True).provisional_diagnosis is None


def test_large_random_batch_matches_scalar_on_sampled_rows() -> None:
    rng = np.random.default_rng(7)
    matrix = rng.integers(0, 5, size=(20_000, 20), dtype=np.int8)
    batch = score_many("pcl5", matrix)
    assert batch.totals is not None
    assert batch.provisional_diagnosis is not None
    for row in rng.choice(len(matrix), size=50, replace=False):
        expected = score("pcl5", matrix[row].tolist())
        assert int(batch.totals[row]) == expected.total
        assert bool(batch.provisional_diagnosis[row]) is expected.provisional_diagnosis
        assert {k: int(v[row]) for k, v in batch.subscales.items()} == dict(expected.subscales)


def test_rows_of_two_allowed_lengths_cannot_be_mixed() -> None:
    with pytest.raises(InvalidAnswers, match="every row must have the same number of answers"):
        score_many("phq9", [[0] * 9, [0] * 10])


def test_a_row_that_is_not_a_sequence_raises_naming_the_row() -> None:
    with pytest.raises(InvalidAnswers, match="row 1: answers must be a sequence"):
        score_many("gad7", [[0] * 7, 5])
