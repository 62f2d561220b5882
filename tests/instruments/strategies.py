"""Hypothesis strategies for valid (and prorated) responses to any instrument."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from numpy.typing import NDArray

from openkap.instruments import MISSING, Instrument, list_instruments, prorate_limit
from openkap.instruments.validation import prorate_groups

INSTRUMENTS = list_instruments()
INSTRUMENT_IDS = [instrument.id for instrument in INSTRUMENTS]
PRORATABLE = [instrument for instrument in INSTRUMENTS if instrument.prorating]

Answers = list[int | None]


@st.composite
def valid_answers(draw: st.DrawFn, instrument: Instrument) -> Answers:
    """A complete, valid response honouring optional items, skip logic and either/or groups."""
    values: Answers = [draw(st.sampled_from(item.values)) for item in instrument.items]
    for item in instrument.items:
        if not item.required and draw(st.booleans()):
            values[item.number - 1] = None
    for rule in instrument.skips:
        if values[rule.when_item - 1] == rule.equals:
            for number in rule.skip:
                values[number - 1] = None
    for group in instrument.either_or:
        keep = draw(st.sampled_from(group.items))
        for number in group.items:
            if number != keep and draw(st.booleans()):
                values[number - 1] = None
    return values


@st.composite
def prorated_answers(draw: st.DrawFn, instrument: Instrument) -> Answers:
    """A valid response with some non-safety items blanked, within every prorating limit."""
    values = draw(valid_answers(instrument))
    candidates = [i.number for i in instrument.items if i.required and i.summed and not i.safety]
    for number in draw(st.permutations(candidates)):
        if draw(st.booleans()) and _within_limits(instrument, values, number):
            values[number - 1] = None
    return values


def _within_limits(instrument: Instrument, values: Answers, number: int) -> bool:
    trial = list(values)
    trial[number - 1] = None
    for _name, group in prorate_groups(instrument):
        blanks = sum(trial[n - 1] is None for n in group)
        if blanks > prorate_limit(len(group)):
            return False
    return True


def as_matrix(rows: list[Answers]) -> NDArray[np.int8]:
    """Rows with None blanks as the batch scorer's int8 matrix with MISSING."""
    return np.array([[MISSING if v is None else v for v in row] for row in rows], dtype=np.int8)
