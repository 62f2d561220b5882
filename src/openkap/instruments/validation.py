"""Turn raw answers into validated item values, or raise InvalidAnswers naming the problem.

Validation order is fixed (shape, then each value, then skip logic, either/or groups and missing
items) so that the scalar and batch scorers report the same first problem.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence

from openkap.instruments.errors import InvalidAnswers
from openkap.instruments.model import Instrument, Item

Answers = Sequence[object] | Mapping[int | str, object]

# Prorating is refused when more than this share of a summed group is missing (rounded down):
# at least 80 % of the items of the total and of every summed subscale must be answered.
MAX_MISSING_PERCENT = 20


def prorate_limit(group_size: int) -> int:
    """Most items of a summed group that may be missing when prorating."""
    return group_size * MAX_MISSING_PERCENT // 100


def allowed_lengths(instrument: Instrument) -> tuple[int, ...]:
    """Answer counts accepted in item order: all items, or all but trailing optional items."""
    lengths = [len(instrument.items)]
    for item in reversed(instrument.items):
        if item.required:
            break
        lengths.append(item.number - 1)
    return tuple(sorted(lengths))


def prorate_groups(instrument: Instrument) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """Summed groups whose missing share is limited when prorating: the total and sum subscales."""
    groups: list[tuple[str, tuple[int, ...]]] = []
    if instrument.total == "items":
        groups.append(("the total", tuple(item.number for item in instrument.summed_items)))
    groups.extend(
        (f"subscale {sub.name}", sub.items) for sub in instrument.subscales if sub.method == "sum"
    )
    return tuple(groups)


def normalise(instrument: Instrument, answers: Answers) -> tuple[int | None, ...]:
    """Return one value (or None for blank) per item, checking count, type and range."""
    raw = _by_item(instrument, answers)
    return tuple(
        _check_value(instrument, item, value)
        for item, value in zip(instrument.items, raw, strict=True)
    )


def _by_item(instrument: Instrument, answers: Answers) -> list[object]:
    n_items = len(instrument.items)
    if isinstance(answers, Mapping):
        raw: list[object] = [None] * n_items
        for key, value in answers.items():
            raw[_item_key(instrument, key) - 1] = value
        return raw
    if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
        raise InvalidAnswers(
            "answers must be a sequence in item order or a mapping of item number to value",
            instrument=instrument.id,
        )
    lengths = allowed_lengths(instrument)
    if len(answers) not in lengths:
        expected = " or ".join(str(n) for n in lengths)
        raise InvalidAnswers(
            f"expected {expected} answers, got {len(answers)}", instrument=instrument.id
        )
    return [*answers, *([None] * (n_items - len(answers)))]


def _item_key(instrument: Instrument, key: object) -> int:
    number = int(key) if isinstance(key, str) and key.isdigit() else key
    if isinstance(number, bool) or not isinstance(number, int):
        number = None
    if number is None or not 1 <= number <= len(instrument.items):
        raise InvalidAnswers(
            f"no item {key!r}; items are numbered 1-{len(instrument.items)}",
            instrument=instrument.id,
        )
    return number


def _check_value(instrument: Instrument, item: Item, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidAnswers(
            f"{value!r} is not a whole number",
            instrument=instrument.id,
            item=item.number,
            allowed=item.values,
        )
    number = int(value)
    if not item.min_value <= number <= item.max_value:
        raise InvalidAnswers(
            f"{number} is not an allowed value",
            instrument=instrument.id,
            item=item.number,
            allowed=item.values,
        )
    return number


def check_structure(
    instrument: Instrument, values: tuple[int | None, ...], *, prorate: bool
) -> tuple[int, ...]:
    """Enforce skip logic, either/or groups and completeness; return the prorated item numbers."""
    skipped = _check_skips(instrument, values)
    _check_either_or(instrument, values)
    exempt = skipped | {n for group in instrument.either_or for n in group.items}
    missing = tuple(
        item.number
        for item in instrument.items
        if item.required and item.number not in exempt and values[item.number - 1] is None
    )
    if missing:
        _check_prorating(instrument, missing, prorate=prorate)
    return missing


def _check_skips(instrument: Instrument, values: tuple[int | None, ...]) -> set[int]:
    skipped: set[int] = set()
    for rule in instrument.skips:
        if values[rule.when_item - 1] != rule.equals:
            continue
        for number in rule.skip:
            if values[number - 1] is not None:
                raise InvalidAnswers(
                    f"must be left blank because item {rule.when_item} is {rule.equals} "
                    "(skip logic)",
                    instrument=instrument.id,
                    item=number,
                )
            skipped.add(number)
    return skipped


def _check_either_or(instrument: Instrument, values: tuple[int | None, ...]) -> None:
    for group in instrument.either_or:
        if all(values[n - 1] is None for n in group.items):
            first = instrument.item(group.items[0])
            raise InvalidAnswers(
                f"missing answer: answer at least one of items {_join(group.items)}",
                instrument=instrument.id,
                item=first.number,
                allowed=first.values,
            )


def _check_prorating(instrument: Instrument, missing: tuple[int, ...], *, prorate: bool) -> None:
    safety = [n for n in missing if instrument.item(n).safety]
    if not prorate or safety or not instrument.prorating:
        item = instrument.item(safety[0] if prorate and safety else missing[0])
        raise InvalidAnswers(
            _missing_problem(instrument, item, prorate=prorate),
            instrument=instrument.id,
            item=item.number,
            allowed=item.values,
        )
    for name, group in prorate_groups(instrument):
        absent = [n for n in group if n in missing]
        if len(absent) > prorate_limit(len(group)):
            raise InvalidAnswers(
                f"too many items missing to prorate {name}: {len(absent)} of {len(group)} "
                f"(limit {prorate_limit(len(group))})",
                instrument=instrument.id,
                item=absent[0],
                allowed=instrument.item(absent[0]).values,
            )


def _missing_problem(instrument: Instrument, item: Item, *, prorate: bool) -> str:
    if not prorate:
        return "missing answer"
    if item.safety:
        return "missing answer on a safety item; safety items are never prorated"
    return f"missing answer; prorating is not available for {instrument.abbreviation}"


def _join(numbers_: Sequence[int]) -> str:
    return ", ".join(str(n) for n in numbers_[:-1]) + f" or {numbers_[-1]}"
