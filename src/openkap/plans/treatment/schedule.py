"""Session schedules of a plan: pure functions from a template's schedule spec and a start date.

A spec is a list of phases, each so many weeks at a number of dosing sessions a week (1 to 3), or
one every few weeks. Sessions in a week are spread so two are never less than two days apart
(twice weekly = day 0 and day 3, e.g. Monday and Thursday; three times = days 0, 2 and 4).
Preparation comes before the first dose; each dose gets an integration session the next day,
due within the template's integration window.
"""

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

# Three sessions a week is the most that keeps every two at least two days apart.
MAX_PER_WEEK = 3


class SessionKind(enum.StrEnum):
    preparation = "preparation"
    dosing = "dosing"
    integration = "integration"


_KIND_ORDER = {SessionKind.preparation: 0, SessionKind.dosing: 1, SessionKind.integration: 2}


@dataclass(frozen=True, kw_only=True)
class Phase:
    """A stretch of weeks with one dosing rhythm."""

    weeks: int
    per_week: int = 1
    every_weeks: int = 1
    label: str = ""

    @property
    def capacity(self) -> int:
        """Return how many dosing sessions the phase holds."""
        dosing_weeks = -(-self.weeks // self.every_weeks)
        return dosing_weeks * self.per_week

    def day_offsets(self) -> list[int]:
        """Return the days of a dosing week that carry a session, at least two days apart."""
        return [i * 7 // self.per_week for i in range(self.per_week)]


@dataclass(frozen=True, kw_only=True)
class ScheduleSpec:
    """The dosing rhythm of a template and how far ahead preparation starts."""

    phases: tuple[Phase, ...]
    preparation_lead_days: int = 7

    @property
    def capacity(self) -> int:
        return sum(phase.capacity for phase in self.phases)

    def to_json(self) -> dict[str, object]:
        """Return the spec as stored in a template."""
        return {
            "phases": [
                {
                    "weeks": p.weeks,
                    "per_week": p.per_week,
                    "every_weeks": p.every_weeks,
                    "label": p.label,
                }
                for p in self.phases
            ],
            "preparation_lead_days": self.preparation_lead_days,
        }


def _int(raw: Mapping[str, object], key: str, default: int, low: int, high: int) -> int:
    value = raw.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{key} must be a whole number from {low} to {high}")
    return value


def parse_spec(raw: Mapping[str, object]) -> ScheduleSpec:
    """Read and check a stored schedule spec; raises ValueError naming what is wrong."""
    phases_raw = raw.get("phases")
    if not isinstance(phases_raw, list) or not 1 <= len(phases_raw) <= 10:
        raise ValueError("phases must be a list of 1 to 10 phases")
    phases = []
    for item in phases_raw:
        if not isinstance(item, Mapping):
            raise ValueError("each phase must be an object")
        label = item.get("label", "")
        if not isinstance(label, str) or len(label) > 80:
            raise ValueError("a phase label must be text of at most 80 characters")
        phases.append(
            Phase(
                weeks=_int(item, "weeks", 1, 1, 52),
                per_week=_int(item, "per_week", 1, 1, MAX_PER_WEEK),
                every_weeks=_int(item, "every_weeks", 1, 1, 8),
                label=label,
            )
        )
    lead = _int(raw, "preparation_lead_days", 7, 1, 60)
    return ScheduleSpec(phases=tuple(phases), preparation_lead_days=lead)


def dosing_dates(spec: ScheduleSpec, *, start_on: date, count: int) -> list[tuple[date, str]]:
    """Return the first `count` dosing dates from the start date, each with its phase label."""
    dates: list[tuple[date, str]] = []
    week_start = start_on
    for phase in spec.phases:
        for week in range(phase.weeks):
            if week % phase.every_weeks == 0:
                for offset in phase.day_offsets():
                    dates.append((week_start + timedelta(days=offset), phase.label))
            week_start += timedelta(days=7)
    if count > len(dates):
        raise ValueError(f"the schedule holds {len(dates)} dosing sessions, not {count}")
    return dates[:count]


@dataclass(frozen=True, kw_only=True)
class SessionSlot:
    """One planned session of a schedule."""

    kind: SessionKind
    sequence: int
    planned_on: date
    due_by: date | None
    dose_mg: Decimal | None
    note: str


def _preparation(spec: ScheduleSpec, start_on: date, count: int) -> list[SessionSlot]:
    due_by = start_on - timedelta(days=1)
    return [
        SessionSlot(
            kind=SessionKind.preparation,
            sequence=0,
            planned_on=start_on - timedelta(days=spec.preparation_lead_days + 7 * (count - n)),
            due_by=due_by,
            dose_mg=None,
            note=f"Preparation {n} of {count}",
        )
        for n in range(1, count + 1)
    ]


def _dose_and_integration(
    number: int, total: int, on: date, label: str, dose_mg: Decimal, window_hours: int
) -> list[SessionSlot]:
    phase = f" · {label}" if label else ""
    integration_on = on + timedelta(days=1 if window_hours >= 24 else 0)
    return [
        SessionSlot(
            kind=SessionKind.dosing,
            sequence=0,
            planned_on=on,
            due_by=None,
            dose_mg=dose_mg,
            note=f"Dose {number} of {total}{phase}",
        ),
        SessionSlot(
            kind=SessionKind.integration,
            sequence=0,
            planned_on=integration_on,
            due_by=on + timedelta(days=window_hours // 24),
            dose_mg=None,
            note=f"Integration after dose {number}",
        ),
    ]


def build_schedule(
    spec: ScheduleSpec,
    *,
    start_on: date,
    dosing_sessions: int,
    preparation_sessions: int,
    integration_within_hours: int,
    dose_mg: Decimal,
) -> list[SessionSlot]:
    """Return a plan's sessions in date order, numbered from 1."""
    slots = _preparation(spec, start_on, preparation_sessions)
    for number, (on, label) in enumerate(
        dosing_dates(spec, start_on=start_on, count=dosing_sessions), start=1
    ):
        slots.extend(
            _dose_and_integration(
                number, dosing_sessions, on, label, dose_mg, integration_within_hours
            )
        )
    slots.sort(key=lambda s: (s.planned_on, _KIND_ORDER[s.kind]))
    return [
        SessionSlot(
            kind=s.kind,
            sequence=n,
            planned_on=s.planned_on,
            due_by=s.due_by,
            dose_mg=s.dose_mg,
            note=s.note,
        )
        for n, s in enumerate(slots, start=1)
    ]
