"""Small builders shared by the instrument definitions."""

from __future__ import annotations

from collections.abc import Sequence

from openkap.instruments.model import Item, Option


def numeric_options(low: int, high: int) -> tuple[Option, ...]:
    """Options labelled only by their number, for instruments whose wording we may not ship."""
    return tuple(Option(value, str(value)) for value in range(low, high + 1))


def worded_options(labels: Sequence[str], codes: Sequence[str] | None = None) -> tuple[Option, ...]:
    """Options valued 0..n-1 with shipped labels and optional LOINC answer codes."""
    if codes is None:
        return tuple(Option(value, label) for value, label in enumerate(labels))
    return tuple(
        Option(value, label, code)
        for value, (label, code) in enumerate(zip(labels, codes, strict=True))
    )


def neutral_items(labels: Sequence[str], options: tuple[Option, ...]) -> tuple[Item, ...]:
    """Items numbered from 1 with neutral labels and no wording."""
    return tuple(Item(number, label, options) for number, label in enumerate(labels, start=1))
