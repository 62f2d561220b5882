"""Vectorised scoring with NumPy; every field equals the scalar scorer's result for that row."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from openkap.instruments.batch_input import (
    MISSING,
    CheckedMatrix,
    Ints,
    Mask,
    Matrix,
    check,
    to_matrix,
)
from openkap.instruments.model import (
    RISK_LEVELS,
    Comparison,
    DiagnosisRule,
    Instrument,
    RiskRule,
    Subscale,
)
from openkap.instruments.registry import resolve

Codes = NDArray[np.int8]

__all__ = ["MISSING", "BatchScores", "score_many"]


@dataclass(frozen=True, slots=True)
class BatchScores:
    """Scores of many responses as arrays, one element per row.

    `severity_codes` index `severity_names` (-1: no band); `provisional_diagnosis` is 1 (yes),
    0 (no) or -1 (undetermined after prorating); `risk_codes` index `RISK_LEVELS`.
    """

    instrument: str
    version: str
    totals: Ints | None
    severity_codes: Codes
    severity_names: tuple[str, ...]
    subscales: dict[str, Ints]
    flags: dict[str, Mask]
    provisional_diagnosis: Codes | None
    risk_codes: Codes | None
    prorated: Mask

    def __len__(self) -> int:
        return int(self.severity_codes.shape[0])

    @property
    def severity_labels(self) -> NDArray[np.object_]:
        """Severity label per row (None where the instrument has no bands)."""
        # Code -1 (no band) picks the trailing None.
        names = np.array([*self.severity_names, None], dtype=object)
        return names[self.severity_codes]

    @property
    def risk_labels(self) -> NDArray[np.object_] | None:
        """Risk level per row, or None when the instrument has no risk rule."""
        if self.risk_codes is None:
            return None
        return np.array(RISK_LEVELS, dtype=object)[self.risk_codes]


def score_many(
    instrument: str | Instrument, answers: object, *, prorate: bool = False
) -> BatchScores:
    """Score a matrix of responses (rows x items; MISSING or NaN for blanks) in one pass."""
    definition = resolve(instrument)
    checked = check(definition, to_matrix(definition, answers), prorate=prorate)
    sums = _group_sums(definition, checked)
    subscales = {
        sub.name: sums[sub.name] if sub.method == "sum" else _maximum(sub, checked.values)
        for sub in definition.subscales
    }
    totals = _totals(definition, sums, subscales)
    return BatchScores(
        instrument=definition.id,
        version=definition.version,
        totals=totals,
        severity_codes=_severity(definition, totals, len(checked.values)),
        severity_names=tuple(band.label for band in definition.bands),
        subscales=subscales,
        flags=_flags(definition, checked, totals),
        provisional_diagnosis=_diagnosis(definition.diagnosis, checked),
        risk_codes=_risk(definition.risk, checked.values),
        prorated=checked.prorated,
    )


_TOTAL = "\0total"


def _sum_groups(instrument: Instrument) -> list[tuple[str, tuple[int, ...]]]:
    groups = [(sub.name, sub.items) for sub in instrument.subscales if sub.method == "sum"]
    if instrument.total == "items":
        groups.append((_TOTAL, tuple(item.number for item in instrument.summed_items)))
    return groups


def _group_sums(instrument: Instrument, checked: CheckedMatrix) -> dict[str, Ints]:
    """Every summed group (total and sum subscales), prorated where items are blank."""
    values = checked.values
    answered = None
    if checked.blank is not None:
        values = np.where(checked.blank, 0, values).astype(np.int8)
        answered = (~checked.blank).view(np.int8)
    sums: dict[str, Ints] = {}
    for name, numbers in _sum_groups(instrument):
        group = _column_sum(values, numbers)
        if answered is not None:
            group = _prorate(group, _column_sum(answered, numbers), len(numbers))
        sums[name] = group
    return sums


def _column_sum(values: Matrix, numbers: tuple[int, ...]) -> Ints:
    # Adding whole columns is single-threaded and exact, and beats a reduction along short rows.
    total = values[:, numbers[0] - 1].astype(np.int32)
    for number in numbers[1:]:
        total += values[:, number - 1]
    return total


def _prorate(sums: Ints, answered: Ints, size: int) -> Ints:
    # Same exact-integer half-up rounding as scoring.prorated_sum.
    scaled = (2 * sums * size + answered) // np.maximum(2 * answered, 1)
    return np.asarray(np.where(answered < size, scaled, sums), dtype=np.int32)


def _maximum(subscale: Subscale, values: Matrix) -> Ints:
    # Blanks are MISSING (-1), below every value, so the maximum ignores them.
    columns = [values[:, n - 1] for n in subscale.items]
    return np.asarray(np.maximum.reduce(columns), dtype=np.int32)


def _totals(
    instrument: Instrument, sums: dict[str, Ints], subscales: dict[str, Ints]
) -> Ints | None:
    if instrument.total == "none":
        return None
    if instrument.total == "items":
        return sums[_TOTAL]
    totals = np.zeros(len(next(iter(subscales.values()))), dtype=np.int32)
    for values in subscales.values():
        totals += values
    return totals


def _severity(instrument: Instrument, totals: Ints | None, rows: int) -> Codes:
    if totals is None or not instrument.bands or instrument.total_range is None:
        return np.full(rows, -1, dtype=np.int8)
    low = instrument.total_range[0]
    table = np.array(
        [
            code
            for code, band in enumerate(instrument.bands)
            for _ in range(band.low, band.high + 1)
        ],
        dtype=np.int8,
    )
    # A lookup table indexed by total is cheaper than a search per row.
    return table[totals - low]


def _flags(instrument: Instrument, checked: CheckedMatrix, totals: Ints | None) -> dict[str, Mask]:
    rows = len(checked.values)
    flags = {rule.name: np.zeros(rows, dtype=np.bool_) for rule in instrument.flags}
    for rule in instrument.flags:
        values: NDArray[np.integer] | None
        values = totals if rule.item is None else checked.values[:, rule.item - 1]
        if values is None:
            continue
        hit = _compare(values, rule.op, rule.threshold)
        if rule.item is not None and checked.blank is not None:
            hit &= ~checked.blank[:, rule.item - 1]
        flags[rule.name] |= hit
    return flags


def _compare(values: NDArray[np.integer], op: Comparison, threshold: int) -> Mask:
    if op == ">=":
        return np.asarray(values >= threshold, dtype=np.bool_)
    if op == "<=":
        return np.asarray(values <= threshold, dtype=np.bool_)
    return np.asarray(values > threshold, dtype=np.bool_)


def _meets(rule: DiagnosisRule, endorsed: Mask, numbers: list[int]) -> Mask:
    counts = endorsed.view(np.int8)
    result = np.ones(len(endorsed), dtype=np.bool_)
    for group in rule.groups:
        members = tuple(numbers.index(n) + 1 for n in group.items if n in numbers)
        result &= _column_sum(counts, members) >= group.minimum
    return result


def _diagnosis(rule: DiagnosisRule | None, checked: CheckedMatrix) -> Codes | None:
    if rule is None:
        return None
    numbers = [n for n, _threshold in rule.thresholds]
    thresholds = np.array([t for _n, t in rule.thresholds], dtype=np.int8)
    columns = _columns(numbers)
    endorsed = checked.values[:, columns] >= thresholds
    blank = None if checked.blank is None else checked.blank[:, columns]
    if blank is None or not blank.any():
        return _meets(rule, endorsed, numbers).astype(np.int8)
    endorsed &= ~blank
    as_absent = _meets(rule, endorsed, numbers)
    # Undetermined (-1) where the blanks could change the result, as in the scalar scorer.
    as_present = _meets(rule, endorsed | blank, numbers)
    return np.where(as_absent == as_present, as_absent, -1).astype(np.int8)


def _columns(numbers: list[int]) -> slice | list[int]:
    # A run of consecutive items is taken as a slice (a view) instead of copying the columns.
    if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
        return slice(numbers[0] - 1, numbers[0] - 1 + len(numbers))
    return [n - 1 for n in numbers]


def _risk(rule: RiskRule | None, values: Matrix) -> Codes | None:
    if rule is None:
        return None
    codes = np.zeros(len(values), dtype=np.int8)
    # Apply tiers lowest first so that a higher tier overwrites a lower one.
    for tier in reversed(rule.tiers):
        met = np.zeros(len(values), dtype=np.bool_)
        for number, minimum in tier.any_of:
            met |= values[:, number - 1] >= minimum
        codes[met] = RISK_LEVELS.index(tier.level)
    return codes
