"""Change metrics between two totals: percent change, response, remission, MCID and the RCI."""

from __future__ import annotations

from dataclasses import dataclass

from openkap.instruments.change_defaults import (
    CHANGE_DEFAULTS,
    RESPONSE_REDUCTION,
    ChangeDefaults,
    CitedValue,
    RciParameters,
    RemissionRule,
)
from openkap.instruments.errors import InvalidChangeInput
from openkap.instruments.model import Instrument
from openkap.instruments.registry import resolve

RCI_CRITICAL = 1.96

__all__ = [
    "RCI_CRITICAL",
    "ChangeResult",
    "CitedValue",
    "RciParameters",
    "RemissionRule",
    "change",
    "change_defaults",
    "reliable_change_index",
]


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """Change from baseline to current on one instrument, with the rules that were applied."""

    instrument: str
    baseline: int
    current: int
    percent_change: float | None
    response: bool | None
    remission: bool | None
    remission_rule: RemissionRule
    minimal_important_change: CitedValue | None
    clinically_important_improvement: bool | None
    rci: float | None
    reliable_change: bool | None
    reliable_improvement: bool | None
    rci_parameters: RciParameters | None

    @property
    def change(self) -> int:
        """Current minus baseline; negative is improvement on every supported instrument."""
        return self.current - self.baseline

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready mapping of the result."""
        rule = self.remission_rule
        mic = self.minimal_important_change
        return {
            "instrument": self.instrument,
            "baseline": self.baseline,
            "current": self.current,
            "change": self.change,
            "percent_change": _round(self.percent_change, 2),
            "response": self.response,
            "response_threshold_percent": -RESPONSE_REDUCTION * 100,
            "remission": self.remission,
            "remission_threshold": rule.threshold,
            "remission_operator": rule.operator,
            "remission_convention": rule.convention,
            "remission_requires_reliable_improvement": rule.requires_reliable_improvement,
            "remission_source": rule.citation,
            "minimal_important_change": None if mic is None else mic.value,
            "clinically_important_improvement": self.clinically_important_improvement,
            "rci": _round(self.rci, 3),
            "reliable_change": self.reliable_change,
            "reliable_improvement": self.reliable_improvement,
            "rci_parameters": None
            if self.rci_parameters is None
            else self.rci_parameters.to_dict(),
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def change_defaults(instrument: str | Instrument) -> ChangeDefaults:
    """Default change-metric settings for an instrument, or InvalidChangeInput if it has none."""
    definition = resolve(instrument)
    try:
        return CHANGE_DEFAULTS[definition.id]
    except KeyError:
        supported = ", ".join(CHANGE_DEFAULTS)
        raise InvalidChangeInput(
            f"change metrics are not defined for {definition.id}; supported: {supported}"
        ) from None


def reliable_change_index(baseline: int, current: int, parameters: RciParameters) -> float:
    """Jacobson-Truax RCI: (current - baseline) / S_diff."""
    return (current - baseline) / parameters.s_diff


def change(
    instrument: str | Instrument,
    *,
    baseline: int,
    current: int,
    remission: str | RemissionRule | None = None,
    rci: RciParameters | None = None,
) -> ChangeResult:
    """Compare two totals; `remission` names a convention or gives a rule, `rci` overrides SD/r."""
    definition = resolve(instrument)
    defaults = change_defaults(definition)
    for name, value in (("baseline", baseline), ("current", current)):
        _check_total(definition, name, value)
    rule = _remission_rule(defaults, remission)
    parameters = rci if rci is not None else defaults.rci
    index = None if parameters is None else reliable_change_index(baseline, current, parameters)
    improved = None if index is None else index < -RCI_CRITICAL
    mic = defaults.minimal_important_change
    return ChangeResult(
        instrument=definition.id,
        baseline=baseline,
        current=current,
        percent_change=None if baseline == 0 else (current - baseline) / baseline * 100,
        response=None if baseline == 0 else current <= baseline * (1 - RESPONSE_REDUCTION),
        remission=_remitted(rule, current, improved),
        remission_rule=rule,
        minimal_important_change=mic,
        clinically_important_improvement=None if mic is None else baseline - current >= mic.value,
        rci=index,
        reliable_change=None if index is None else abs(index) > RCI_CRITICAL,
        reliable_improvement=improved,
        rci_parameters=parameters,
    )


def _check_total(instrument: Instrument, name: str, value: object) -> None:
    low, high = instrument.total_range or (0, 0)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidChangeInput(f"{name} must be a whole number, got {value!r}")
    if not low <= value <= high:
        raise InvalidChangeInput(
            f"{name} {value} is outside the {instrument.abbreviation} range {low}-{high}"
        )


def _remission_rule(
    defaults: ChangeDefaults, remission: str | RemissionRule | None
) -> RemissionRule:
    if isinstance(remission, RemissionRule):
        return remission
    name = remission or next(iter(defaults.remission))
    try:
        return defaults.remission[name]
    except KeyError:
        known = ", ".join(defaults.remission)
        raise InvalidChangeInput(
            f"unknown remission convention {name!r} for {defaults.instrument}; known: {known}"
        ) from None


def _remitted(rule: RemissionRule, current: int, improved: bool | None) -> bool | None:
    below = rule.met(current)
    if not rule.requires_reliable_improvement:
        return below
    if improved is None:
        return None
    return below and improved
