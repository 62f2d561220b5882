"""Property tests: totals stay in range, scores are monotone, batch equals scalar field by field."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openkap.instruments import (
    MISSING,
    RISK_LEVELS,
    BatchScores,
    Instrument,
    InvalidAnswers,
    Score,
    score,
    score_many,
)

from .strategies import INSTRUMENTS, PRORATABLE, as_matrix, prorated_answers, valid_answers

FAST = settings(max_examples=60, deadline=None)
BATCH = settings(max_examples=25, deadline=None)

by_id = pytest.mark.parametrize("instrument", INSTRUMENTS, ids=lambda i: i.id)


@by_id
@FAST
@given(data=st.data())
def test_total_is_within_the_instrument_range(instrument: Instrument, data: st.DataObject) -> None:
    result = score(instrument, data.draw(valid_answers(instrument)))
    if instrument.total_range is None:
        assert result.total is None
        assert result.risk_level in RISK_LEVELS
    else:
        low, high = instrument.total_range
        assert result.total is not None
        assert low <= result.total <= high
        assert result.severity == instrument.severity_for(result.total)


@by_id
@FAST
@given(data=st.data())
def test_raising_one_item_never_lowers_total_or_risk(
    instrument: Instrument, data: st.DataObject
) -> None:
    answers = data.draw(valid_answers(instrument))
    raisable = [
        i for i, item in enumerate(instrument.items)
        if answers[i] is not None and answers[i] != item.max_value
        and not any(rule.when_item == item.number for rule in instrument.skips)
    ]  # fmt: skip
    if not raisable:
        return
    index = data.draw(st.sampled_from(raisable))
    current = answers[index]
    assert current is not None
    higher = list(answers)
    higher[index] = data.draw(st.integers(current + 1, instrument.items[index].max_value))
    before, after = score(instrument, answers), score(instrument, higher)
    if before.total is not None and after.total is not None:
        assert after.total >= before.total
    if before.risk_level is not None and after.risk_level is not None:
        assert RISK_LEVELS.index(after.risk_level) >= RISK_LEVELS.index(before.risk_level)
    assert set(before.flags) - set(after.flags) <= {"moderate_sedation"}


def assert_row_equals_scalar(batch: BatchScores, row: int, expected: Score) -> None:
    """Compare every field of one batch row with the scalar score."""
    assert (batch.instrument, batch.version) == (expected.instrument, expected.version)
    total = None if batch.totals is None else int(batch.totals[row])
    assert total == expected.total
    assert batch.severity_labels[row] == expected.severity
    assert {name: int(values[row]) for name, values in batch.subscales.items()} == dict(
        expected.subscales
    )
    assert {name for name, raised in batch.flags.items() if raised[row]} == set(expected.flags)
    if batch.provisional_diagnosis is None:
        assert expected.provisional_diagnosis is None
    else:
        code = int(batch.provisional_diagnosis[row])
        assert {1: True, 0: False, -1: None}[code] == expected.provisional_diagnosis
    risk = None if batch.risk_labels is None else batch.risk_labels[row]
    assert risk == expected.risk_level
    assert bool(batch.prorated[row]) == expected.prorated


@by_id
@BATCH
@given(data=st.data())
def test_batch_equals_scalar_for_random_valid_matrices(
    instrument: Instrument, data: st.DataObject
) -> None:
    rows = data.draw(st.lists(valid_answers(instrument), min_size=1, max_size=40))
    batch = score_many(instrument.id, as_matrix(rows))
    assert len(batch) == len(rows)
    for index, row in enumerate(rows):
        assert_row_equals_scalar(batch, index, score(instrument, row))


@pytest.mark.parametrize("instrument", PRORATABLE, ids=lambda i: i.id)
@BATCH
@given(data=st.data())
def test_batch_equals_scalar_when_prorating(instrument: Instrument, data: st.DataObject) -> None:
    rows = data.draw(st.lists(prorated_answers(instrument), min_size=1, max_size=40))
    batch = score_many(instrument.id, as_matrix(rows), prorate=True)
    for index, row in enumerate(rows):
        assert_row_equals_scalar(batch, index, score(instrument, row, prorate=True))


@st.composite
def perturbed(draw: st.DrawFn, instrument: Instrument) -> list[int]:
    """A valid row with roughly one cell in eight replaced by a blank or any small integer."""
    row = [MISSING if v is None else v for v in draw(valid_answers(instrument))]
    top = max(item.max_value for item in instrument.items) + 2
    for index in range(len(row)):
        if draw(st.integers(0, 7)) == 0:
            row[index] = draw(st.integers(-2, top))  # -1 is MISSING: a blank
    return row


@by_id
@BATCH
@given(data=st.data())
def test_batch_rejects_exactly_when_scalar_rejects_naming_the_same_row_and_item(
    instrument: Instrument, data: st.DataObject
) -> None:
    rows = data.draw(st.lists(perturbed(instrument), min_size=1, max_size=15))
    prorate = data.draw(st.booleans())
    first_error = None
    for index, row in enumerate(rows):
        try:
            score(instrument, [None if v == MISSING else v for v in row], prorate=prorate)
        except InvalidAnswers as exc:
            first_error = exc.at_row(index)
            break
    matrix = np.array(rows, dtype=np.int8)
    if first_error is None:
        assert len(score_many(instrument, matrix, prorate=prorate)) == len(rows)
        return
    with pytest.raises(InvalidAnswers) as caught:
        score_many(instrument, matrix, prorate=prorate)
    assert str(caught.value) == str(first_error)
    assert (caught.value.row, caught.value.item) == (first_error.row, first_error.item)
