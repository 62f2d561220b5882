"""The scalar scorer: one response in, one Score out. It is the reference for batch.py."""

from __future__ import annotations

import operator
from collections.abc import Callable

from openkap.instruments.model import (
    RISK_LEVELS,
    Comparison,
    DiagnosisRule,
    Instrument,
    RiskRule,
    Score,
    Subscale,
)
from openkap.instruments.registry import resolve
from openkap.instruments.validation import Answers, check_structure, normalise

Values = tuple[int | None, ...]

COMPARE: dict[Comparison, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
}


def score(instrument: str | Instrument, answers: Answers, *, prorate: bool = False) -> Score:
    """Validate and score one response; raise InvalidAnswers rather than score bad input."""
    definition = resolve(instrument)
    values = normalise(definition, answers)
    missing = check_structure(definition, values, prorate=prorate)
    subscales = {sub.name: subscale_value(sub, values) for sub in definition.subscales}
    total = total_value(definition, values, subscales)
    return Score(
        instrument=definition.id,
        version=definition.version,
        answers=values,
        total=total,
        severity=None if total is None else definition.severity_for(total),
        subscales=subscales,
        flags=flags_raised(definition, values, total),
        provisional_diagnosis=_diagnosis(definition.diagnosis, values),
        risk_level=_risk(definition.risk, values),
        prorated=bool(missing),
        missing_items=missing,
    )


def prorated_sum(answered_sum: int, answered: int, size: int) -> int:
    """Sum of answered items scaled to the full group, rounded half up, in exact integers."""
    if answered == size:
        return answered_sum
    return (2 * answered_sum * size + answered) // (2 * answered)


def subscale_value(subscale: Subscale, values: Values) -> int:
    """Score one subscale: maximum or (prorated) sum of its answered items."""
    answered = [v for v in (values[n - 1] for n in subscale.items) if v is not None]
    if subscale.method == "max":
        return max(answered)
    return prorated_sum(sum(answered), len(answered), len(subscale.items))


def total_value(instrument: Instrument, values: Values, subscales: dict[str, int]) -> int | None:
    """Total score by the instrument's method, or None when it has no total."""
    if instrument.total == "none":
        return None
    if instrument.total == "subscales":
        return sum(subscales.values())
    numbers = [item.number for item in instrument.summed_items]
    answered = [v for v in (values[n - 1] for n in numbers) if v is not None]
    return prorated_sum(sum(answered), len(answered), len(numbers))


def flags_raised(instrument: Instrument, values: Values, total: int | None) -> tuple[str, ...]:
    """Names of the flags whose rule holds, once each, in definition order."""
    raised: list[str] = []
    for rule in instrument.flags:
        value = total if rule.item is None else values[rule.item - 1]
        if (
            value is not None
            and COMPARE[rule.op](value, rule.threshold)
            and rule.name not in raised
        ):
            raised.append(rule.name)
    return tuple(raised)


def _meets(rule: DiagnosisRule, values: tuple[int, ...]) -> bool:
    endorsed = {n for n, threshold in rule.thresholds if values[n - 1] >= threshold}
    return all(len(endorsed.intersection(g.items)) >= g.minimum for g in rule.groups)


def _diagnosis(rule: DiagnosisRule | None, values: Values) -> bool | None:
    if rule is None:
        return None
    # A prorated response leaves blanks: decide only if the result holds whatever they would be.
    as_absent = _meets(rule, tuple(-1 if v is None else v for v in values))
    as_present = _meets(rule, tuple(10**6 if v is None else v for v in values))
    return as_absent if as_absent == as_present else None


def _risk(rule: RiskRule | None, values: Values) -> str | None:
    if rule is None:
        return None
    for tier in rule.tiers:
        if any(_at_least(values[n - 1], minimum) for n, minimum in tier.any_of):
            return tier.level
    return RISK_LEVELS[0]


def _at_least(value: int | None, minimum: int) -> bool:
    # A skipped item counts as "no".
    return value is not None and value >= minimum
