"""Convert and validate an answers matrix for the batch scorer.

Integer matrices are the fast path: `MISSING` (-1) marks a blank item. Float matrices may use NaN
for blanks. Anything else (lists holding None or strings) is checked row by row with the scalar
validator. Whatever the input, an invalid row raises the scalar scorer's error, located at its row.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import NDArray

from openkap.instruments.errors import InvalidAnswers
from openkap.instruments.model import Instrument
from openkap.instruments.validation import (
    Answers,
    allowed_lengths,
    check_structure,
    normalise,
    prorate_groups,
    prorate_limit,
)

MISSING = -1

# Item values are small (0-6), so int8 holds them and MISSING; it halves memory traffic.
Matrix = NDArray[np.int8]
Mask = NDArray[np.bool_]
Ints = NDArray[np.int32]
_INT8 = np.iinfo(np.int8)


@dataclass(frozen=True, slots=True)
class CheckedMatrix:
    """A validated matrix; `blank` is None when no cell is blank (the common, fast case)."""

    values: Matrix
    blank: Mask | None
    prorated: Mask


def to_matrix(instrument: Instrument, answers: object) -> Matrix:
    """Return an int8 matrix, one column per answered item in order, blanks as MISSING."""
    array = _as_array(instrument, answers)
    if array.ndim == 1 and array.size == 0:
        array = array.reshape(0, len(instrument.items))
    if array.ndim != 2:
        raise InvalidAnswers(
            f"answers must be a 2-D matrix (rows x items), got {array.ndim} dimension(s)",
            instrument=instrument.id,
        )
    if array.shape[1] not in allowed_lengths(instrument):
        expected = " or ".join(str(n) for n in allowed_lengths(instrument))
        raise InvalidAnswers(
            f"expected {expected} answers per row, got {array.shape[1]}", instrument=instrument.id
        )
    matrix = _convert(instrument, array)
    padding = _referenced_width(instrument) - matrix.shape[1]
    if padding > 0:
        matrix = np.pad(matrix, ((0, 0), (0, padding)), constant_values=MISSING)
    return matrix


def _referenced_width(instrument: Instrument) -> int:
    """Highest item number any scoring rule reads; trailing unread optional items may be absent."""
    numbers = [item.number for item in instrument.items if item.required or item.summed]
    numbers += [n for sub in instrument.subscales for n in sub.items]
    numbers += [rule.item for rule in instrument.flags if rule.item is not None]
    if instrument.diagnosis is not None:
        numbers += [n for n, _threshold in instrument.diagnosis.thresholds]
    if instrument.risk is not None:
        numbers += [n for tier in instrument.risk.tiers for n, _minimum in tier.any_of]
    return max(numbers, default=0)


def _as_array(instrument: Instrument, answers: object) -> NDArray[np.generic]:
    if isinstance(answers, np.ndarray):
        return answers
    try:
        array = np.asarray(answers)
        # NumPy turns [[0, "x"]] into strings throughout; keep the original objects instead.
        return np.asarray(answers, dtype=object) if array.dtype.kind in "USO" else array
    except ValueError:
        raise _ragged(instrument, answers) from None


def _ragged(instrument: Instrument, answers: object) -> InvalidAnswers:
    """Error for rows NumPy cannot stack: the first row of a wrong length, else mixed lengths."""
    rows = answers if isinstance(answers, Sequence) else []
    for index, row in enumerate(rows):
        if not isinstance(row, Sequence) or len(row) not in allowed_lengths(instrument):
            try:
                # A non-sequence row is passed on so the scalar validator names the problem.
                normalise(instrument, cast("Answers", row))
            except InvalidAnswers as exc:
                return exc.at_row(index)
    return InvalidAnswers(
        "every row must have the same number of answers", instrument=instrument.id
    )


def _convert(instrument: Instrument, array: NDArray[np.generic]) -> Matrix:
    kind = array.dtype.kind
    if kind in "iu":
        if array.dtype != np.int8:
            # Clip before narrowing so that huge values stay out of range instead of wrapping.
            array = np.clip(array, -2, _INT8.max)
        return array.astype(np.int8, copy=False)
    if kind == "f":
        return _from_float(instrument, array.astype(np.float64, copy=False))
    if kind == "b":
        raise InvalidAnswers("answers must be numbers, not booleans", instrument=instrument.id)
    return _from_objects(instrument, array)


def _from_float(instrument: Instrument, array: NDArray[np.float64]) -> Matrix:
    blank = np.isnan(array)
    bad = ~blank & ((array != np.floor(array)) | ~np.isfinite(array))
    if bad.any():
        row, column = (int(i) for i in np.argwhere(bad)[0])
        item = instrument.items[column]
        raise InvalidAnswers(
            f"{float(array[row, column])!r} is not a whole number",
            instrument=instrument.id,
            item=item.number,
            allowed=item.values,
            row=row,
        )
    return np.clip(np.where(blank, MISSING, array), -2, _INT8.max).astype(np.int8)


def _from_objects(instrument: Instrument, array: NDArray[np.generic]) -> Matrix:
    matrix = np.empty(array.shape, dtype=np.int8)
    for index, row in enumerate(array.tolist()):
        try:
            values = normalise(instrument, _blanks_as_none(row))
        except InvalidAnswers as exc:
            raise exc.at_row(index) from None
        matrix[index] = [MISSING if v is None else v for v in values[: array.shape[1]]]
    return matrix


def row_any(mask: Mask) -> Mask:
    """True per row where any element is true."""
    return np.asarray(mask.any(axis=1), dtype=np.bool_)


def check(instrument: Instrument, matrix: Matrix, *, prorate: bool) -> CheckedMatrix:
    """Validate every row at once; on failure raise the scalar error for the first bad row."""
    items = instrument.items[: matrix.shape[1]]
    no_prorating = np.zeros(len(matrix), dtype=np.bool_)
    if _complete_and_in_range(matrix, [i.min_value for i in items], [i.max_value for i in items]):
        # No blanks at all: only skip logic can still make a row invalid.
        bad_rows = np.zeros(len(matrix), dtype=np.bool_)
        for rule in instrument.skips:
            bad_rows |= matrix[:, rule.when_item - 1] == rule.equals
        _raise_first(instrument, matrix, bad_rows, prorate=prorate)
        return CheckedMatrix(matrix, None, no_prorating)
    blank = matrix == MISSING
    low = np.array([item.min_value for item in items], dtype=np.int8)
    high = np.array([item.max_value for item in items], dtype=np.int8)
    bad_rows = row_any(((matrix < low) | (matrix > high)) & ~blank)
    skipped = np.zeros_like(blank)
    for rule in instrument.skips:
        active = matrix[:, rule.when_item - 1] == rule.equals
        for number in rule.skip:
            bad_rows |= active & ~blank[:, number - 1]
            skipped[:, number - 1] = active
    for group in instrument.either_or:
        bad_rows |= ~row_any(~blank[:, [n - 1 for n in group.items]])
    missing = blank & _required_mask(instrument, matrix.shape[1]) & ~skipped
    bad_rows |= _missing_not_allowed(instrument, missing, prorate=prorate)
    _raise_first(instrument, matrix, bad_rows, prorate=prorate)
    return CheckedMatrix(matrix, blank, row_any(missing) if prorate else no_prorating)


def _complete_and_in_range(matrix: Matrix, lows: list[int], highs: list[int]) -> bool:
    if matrix.size == 0:
        return True
    # Whole-matrix min/max is far cheaper than per-cell masks; item minimums are never below 0,
    # so a minimum at or above the lowest item minimum also proves there is no MISSING cell.
    if int(matrix.min()) < min(lows):
        return False
    if len(set(lows)) == 1 and len(set(highs)) == 1:
        return int(matrix.max()) <= highs[0]
    return not bool(((matrix < np.array(lows)) | (matrix > np.array(highs))).any())


def _raise_first(instrument: Instrument, matrix: Matrix, bad_rows: Mask, *, prorate: bool) -> None:
    if bad_rows.any():
        first = int(np.argmax(bad_rows))
        _explain_row(instrument, matrix[first].tolist(), first, prorate=prorate)
        raise RuntimeError(f"batch and scalar validation disagree on row {first}")


def _required_mask(instrument: Instrument, width: int) -> Mask:
    either_or = {n for group in instrument.either_or for n in group.items}
    return np.array(
        [item.required and item.number not in either_or for item in instrument.items[:width]]
    )


def _missing_not_allowed(instrument: Instrument, missing: Mask, *, prorate: bool) -> Mask:
    if not prorate or not instrument.prorating:
        return row_any(missing)
    safety = [item.number - 1 for item in instrument.items if item.safety]
    refused = row_any(missing[:, safety])
    for _name, group in prorate_groups(instrument):
        counts = missing[:, [n - 1 for n in group]].sum(axis=1)
        refused |= np.asarray(counts > prorate_limit(len(group)), dtype=np.bool_)
    return refused


def _explain_row(instrument: Instrument, row: object, index: int, *, prorate: bool) -> None:
    """Raise the scalar scorer's error for one row, located at that row."""
    try:
        if not isinstance(row, Sequence) or isinstance(row, str | bytes):
            raise InvalidAnswers(
                "each row must be a sequence of answers in item order", instrument=instrument.id
            )
        values = normalise(instrument, _blanks_as_none(row))
        check_structure(instrument, values, prorate=prorate)
    except InvalidAnswers as exc:
        raise exc.at_row(index) from None


def _blanks_as_none(row: Sequence[object]) -> list[object]:
    return [None if _is_missing_marker(value) else value for value in row]


def _is_missing_marker(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value == MISSING
