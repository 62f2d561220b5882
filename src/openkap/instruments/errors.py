"""Errors raised by the instruments library; every one is a ValueError."""

from __future__ import annotations

from collections.abc import Sequence


class InstrumentError(ValueError):
    """Base class: a request the instruments library refuses."""


class UnknownInstrument(InstrumentError):
    """The instrument id is not in the registry."""

    def __init__(self, instrument_id: str, known: Sequence[str]) -> None:
        self.instrument_id = instrument_id
        super().__init__(
            f"unknown instrument {instrument_id!r}; known instruments: {', '.join(known)}"
        )


def _format_allowed(allowed: Sequence[int]) -> str:
    values = sorted(allowed)
    # A contiguous range reads better as "0-3" than "0, 1, 2, 3".
    if len(values) > 2 and values == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}-{values[-1]}"
    return ", ".join(str(value) for value in values)


class InvalidAnswers(InstrumentError):
    """A set of answers that must not be scored; names the row, the item and the allowed values."""

    def __init__(
        self,
        problem: str,
        *,
        instrument: str,
        item: int | None = None,
        allowed: Sequence[int] | None = None,
        row: int | None = None,
    ) -> None:
        self.problem = problem
        self.instrument = instrument
        self.item = item
        self.allowed: tuple[int, ...] | None = None if allowed is None else tuple(allowed)
        self.row = row
        super().__init__(self._message())

    def _message(self) -> str:
        where = [self.instrument]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.item is not None:
            where.append(f"item {self.item}")
        message = f"{', '.join(where)}: {self.problem}"
        if self.allowed is not None:
            message += f" (allowed values: {_format_allowed(self.allowed)})"
        return message

    def at_row(self, row: int) -> InvalidAnswers:
        """Return the same error located at a row of a batch."""
        return InvalidAnswers(
            self.problem, instrument=self.instrument, item=self.item, allowed=self.allowed, row=row
        )


class InvalidChangeInput(InstrumentError):
    """Scores or settings that change metrics cannot use."""


class TextPackError(InstrumentError):
    """An instrument text pack that fails validation; names the bad entry."""

    def __init__(self, location: str, problem: str) -> None:
        self.location = location
        self.problem = problem
        super().__init__(f"text pack {location}: {problem}")
