"""Typed, immutable instrument definitions and the scalar score result.

An instrument is data: its items, bands, subscales and rules are declared here and interpreted by
both the scalar scorer (scoring.py) and the vectorised scorer (batch.py), so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Literal

Comparison = Literal[">=", "<=", ">"]
TotalMethod = Literal["items", "subscales", "none"]
Aggregate = Literal["sum", "max"]
Respondent = Literal["patient", "clinician", "observer"]

RISK_LEVELS: tuple[str, ...] = ("none", "low", "moderate", "high")


@dataclass(frozen=True, slots=True)
class Option:
    """One answer choice: the stored value, its label and its LOINC answer code if any."""

    value: int
    label: str
    loinc: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One question: number, short neutral label, options and optional licensed wording."""

    number: int
    label: str
    options: tuple[Option, ...]
    text: str | None = None
    loinc: str | None = None
    required: bool = True
    summed: bool = True
    safety: bool = False

    def __post_init__(self) -> None:
        values = [option.value for option in self.options]
        # Range checks assume a gap-free run, and the batch scorer's blank marker (-1) must not
        # collide with a real value.
        if not values or values != list(range(values[0], values[0] + len(values))):
            raise ValueError(f"item {self.number}: option values must be contiguous and ascending")
        if values[0] < 0:
            raise ValueError(f"item {self.number}: option values must not be negative")

    @property
    def values(self) -> tuple[int, ...]:
        """Allowed answer values, ascending."""
        return tuple(option.value for option in self.options)

    @property
    def min_value(self) -> int:
        """Lowest allowed value."""
        return self.options[0].value

    @property
    def max_value(self) -> int:
        """Highest allowed value."""
        return self.options[-1].value

    @property
    def display(self) -> str:
        """Licensed or shipped wording if present, else the neutral label."""
        return self.text or self.label


@dataclass(frozen=True, slots=True)
class Band:
    """A severity band: inclusive total range and its label."""

    low: int
    high: int
    label: str


@dataclass(frozen=True, slots=True)
class Subscale:
    """A named group of items aggregated by sum or by maximum."""

    name: str
    items: tuple[int, ...]
    method: Aggregate = "sum"
    label: str = ""


@dataclass(frozen=True, slots=True)
class FlagRule:
    """Raise flag `name` when an item (or the total, item=None) compares to a threshold."""

    name: str
    op: Comparison
    threshold: int
    item: int | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class EndorsementGroup:
    """At least `minimum` of these items must be endorsed."""

    items: tuple[int, ...]
    minimum: int


@dataclass(frozen=True, slots=True)
class DiagnosisRule:
    """Count-based provisional diagnosis: item endorsed when value >= its threshold."""

    name: str
    thresholds: tuple[tuple[int, int], ...]
    groups: tuple[EndorsementGroup, ...]
    source: str


@dataclass(frozen=True, slots=True)
class RiskTier:
    """A risk level reached when any (item, minimum value) condition holds."""

    level: str
    any_of: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class RiskRule:
    """Ordered tiers, highest first; no tier met gives `RISK_LEVELS[0]`."""

    tiers: tuple[RiskTier, ...]
    source: str


@dataclass(frozen=True, slots=True)
class SkipRule:
    """When item `when_item` equals `equals`, the `skip` items are not asked and must be blank."""

    when_item: int
    equals: int
    skip: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class EitherOr:
    """The respondent answers at least one of these items; a blank one is not applicable."""

    items: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Instrument:
    """A versioned measurement instrument and its scoring rules."""

    id: str
    version: str
    title: str
    abbreviation: str
    respondent: Respondent
    time_frame: str
    items: tuple[Item, ...]
    citation: str
    licence: str
    licence_note: str
    wording_included: bool
    instructions: str | None = None
    loinc_panel: str | None = None
    loinc_total: str | None = None
    total: TotalMethod = "items"
    bands: tuple[Band, ...] = ()
    subscales: tuple[Subscale, ...] = ()
    flags: tuple[FlagRule, ...] = ()
    diagnosis: DiagnosisRule | None = None
    risk: RiskRule | None = None
    skips: tuple[SkipRule, ...] = ()
    either_or: tuple[EitherOr, ...] = ()
    prorating: bool = False
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        numbers = [item.number for item in self.items]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"{self.id}: items must be numbered 1..n in order")
        if self.bands:
            self._check_bands()

    def _check_bands(self) -> None:
        low, high = self.total_range or (0, -1)
        bounds = [(band.low, band.high) for band in self.bands]
        joined = all(a[1] + 1 == b[0] for a, b in pairwise(bounds))
        if bounds[0][0] != low or bounds[-1][1] != high or not joined:
            raise ValueError(f"{self.id}: bands must cover the total range without gaps")

    def item(self, number: int) -> Item:
        """Return item `number` (1-based)."""
        return self.items[number - 1]

    @property
    def summed_items(self) -> tuple[Item, ...]:
        """Items that count toward the total."""
        return tuple(item for item in self.items if item.summed)

    @property
    def total_range(self) -> tuple[int, int] | None:
        """Lowest and highest possible total, or None when there is no total."""
        if self.total == "none":
            return None
        if self.total == "subscales":
            return (
                sum(self._subscale_range(sub)[0] for sub in self.subscales),
                sum(self._subscale_range(sub)[1] for sub in self.subscales),
            )
        items = self.summed_items
        return sum(i.min_value for i in items), sum(i.max_value for i in items)

    def _subscale_range(self, subscale: Subscale) -> tuple[int, int]:
        members = [self.item(n) for n in subscale.items]
        if subscale.method == "max":
            return max(i.min_value for i in members), max(i.max_value for i in members)
        return sum(i.min_value for i in members), sum(i.max_value for i in members)

    def severity_for(self, total: int) -> str | None:
        """Severity band label for a total, or None when the instrument defines no bands."""
        for band in self.bands:
            if band.low <= total <= band.high:
                return band.label
        return None


@dataclass(frozen=True, slots=True)
class Score:
    """The scored result of one response."""

    instrument: str
    version: str
    answers: tuple[int | None, ...]
    total: int | None
    severity: str | None
    subscales: Mapping[str, int] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    provisional_diagnosis: bool | None = None
    risk_level: str | None = None
    prorated: bool = False
    missing_items: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready mapping of the score."""
        return {
            "instrument": self.instrument,
            "version": self.version,
            "total": self.total,
            "severity": self.severity,
            "subscales": dict(self.subscales),
            "flags": list(self.flags),
            "provisional_diagnosis": self.provisional_diagnosis,
            "risk_level": self.risk_level,
            "prorated": self.prorated,
            "missing_items": list(self.missing_items),
            "answers": list(self.answers),
        }
