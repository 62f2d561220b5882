"""A score series: points of one instrument in time order, held as two tuples.

A long history is thousands of points. Held as two tuples (times, totals) it is two objects the
garbage collector skips, instead of thousands it keeps scanning: one Point each would be
promoted to the oldest generation while a request runs, and a full collection of a busy server's
heap costs hundreds of milliseconds. Points are made on the fly when read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import NamedTuple, overload


class Point(NamedTuple):
    """One stored score: when it was completed and its total."""

    at: datetime
    total: int


class Series(Sequence[Point]):
    """Points in time order, stored as a tuple of times and a tuple of totals."""

    __slots__ = ("times", "totals")

    def __init__(self, times: Iterable[datetime], totals: Iterable[int]) -> None:
        self.times: tuple[datetime, ...] = tuple(times)
        self.totals: tuple[int, ...] = tuple(totals)
        if len(self.times) != len(self.totals):
            raise ValueError("a series needs as many totals as times")

    @classmethod
    def of(cls, points: Iterable[Point]) -> Series:
        """Return the points as a series (the same object if it already is one)."""
        if isinstance(points, Series):
            return points
        listed = list(points)
        return cls((p.at for p in listed), (p.total for p in listed))

    def __len__(self) -> int:
        return len(self.times)

    @overload
    def __getitem__(self, index: int) -> Point: ...

    @overload
    def __getitem__(self, index: slice) -> Series: ...

    def __getitem__(self, index: int | slice) -> Point | Series:
        if isinstance(index, slice):
            return Series(self.times[index], self.totals[index])
        return Point(self.times[index], self.totals[index])

    def __iter__(self) -> Iterator[Point]:
        return map(Point, self.times, self.totals)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Series({len(self)} points)"


def as_series(points: Sequence[Point]) -> Series:
    """Return points as a Series."""
    return Series.of(points)
