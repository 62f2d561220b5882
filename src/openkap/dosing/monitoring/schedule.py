"""Which monitoring readings of a dosing session are done, due now, overdue or next.

Slots are minutes after the start of dosing (0 is the pre-dose reading). A reading counts for a
slot when it was taken within the tolerance either side of it (default 5 minutes, so a reading at
37 minutes fills the 40-minute slot); each reading fills one slot only, the earliest it fits, so
one reading at 35 minutes cannot stand for both the 30- and the 40-minute readings. The reading
before discharge is not a slot: the discharge rules ask for it.

`protocol_due` applies the same rule to each measure of the chair-side protocol: vital signs,
MOAA/S (with the vitals, after the dose) and CADSS (0, 40, 120 minutes).
"""

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from openkap.dosing.errors import InvalidDosingInput, require_aware, require_within

DEFAULT_TOLERANCE_MINUTES = 5
TOLERANCE_RANGE = (0, 30)


@dataclass(frozen=True, kw_only=True)
class MonitoringStatus:
    """The state of every slot at one moment, for the chair-side page."""

    done: list[int]
    due_now: list[int]
    overdue: list[int]
    next_slot: int | None
    next_due_at: datetime | None


def _check_schedule(schedule_minutes: Sequence[int], tolerance_minutes: int) -> None:
    if not schedule_minutes:
        raise InvalidDosingInput("the schedule has no readings", field="schedule_minutes")
    if list(schedule_minutes) != sorted(set(schedule_minutes)) or schedule_minutes[0] < 0:
        raise InvalidDosingInput(
            "schedule minutes must be ascending, distinct and not negative",
            field="schedule_minutes",
        )
    require_within("tolerance_minutes", tolerance_minutes, *TOLERANCE_RANGE)


def filled_slots(
    done_minutes: Sequence[int], schedule_minutes: Sequence[int], tolerance_minutes: int
) -> list[int]:
    """Return the slots the readings fill, each reading filling at most one slot."""
    unused = sorted(done_minutes)
    filled = []
    for slot in schedule_minutes:
        match = next((m for m in unused if abs(m - slot) <= tolerance_minutes), None)
        if match is not None:
            unused.remove(match)
            filled.append(slot)
    return filled


def monitoring_due(
    *,
    started_at: datetime,
    now: datetime,
    done_minutes: Sequence[int],
    schedule_minutes: Sequence[int],
    tolerance_minutes: int = DEFAULT_TOLERANCE_MINUTES,
) -> MonitoringStatus:
    """Return which slots are done, due now (inside their window), overdue (window passed), next."""
    require_aware("started_at", started_at)
    require_aware("now", now)
    _check_schedule(schedule_minutes, tolerance_minutes)
    done = filled_slots(done_minutes, schedule_minutes, tolerance_minutes)
    tolerance = timedelta(minutes=tolerance_minutes)
    due_now, overdue, waiting = [], [], []
    for slot in schedule_minutes:
        if slot in done:
            continue
        at = started_at + timedelta(minutes=slot)
        if now > at + tolerance:
            overdue.append(slot)
        elif now >= at - tolerance:
            due_now.append(slot)
        else:
            waiting.append(slot)
    upcoming = due_now + waiting
    next_slot = upcoming[0] if upcoming else None
    return MonitoringStatus(
        done=done,
        due_now=due_now,
        overdue=overdue,
        next_slot=next_slot,
        next_due_at=None if next_slot is None else started_at + timedelta(minutes=next_slot),
    )


class Measure(enum.StrEnum):
    """What the chair-side protocol asks for at its times."""

    vitals = "vitals"
    moaas = "moaas"
    cadss = "cadss"


class SlotState(enum.StrEnum):
    done = "done"
    due = "due"
    overdue = "overdue"
    upcoming = "upcoming"


VITALS_MINUTES = (0, 15, 30, 40, 60, 90, 120)
# MOAA/S is taken with the vitals once the dose is given; there is no pre-dose sedation score.
MOAAS_MINUTES = VITALS_MINUTES[1:]
# CLINICAL.md: CADSS at 0, 40 and 120 minutes (the trial schedule).
CADSS_MINUTES = (0, 40, 120)
DEFAULT_PROTOCOL: Mapping[Measure, Sequence[int]] = {
    Measure.vitals: VITALS_MINUTES,
    Measure.moaas: MOAAS_MINUTES,
    Measure.cadss: CADSS_MINUTES,
}


@dataclass(frozen=True, kw_only=True)
class DueItem:
    """One protocol measurement: what, at which minute, when, and whether it is done."""

    measure: Measure
    minute: int
    due_at: datetime | None
    state: SlotState


@dataclass(frozen=True, kw_only=True)
class ProtocolStatus:
    """Every protocol item in time order, and the items of the earliest minute still to do."""

    items: tuple[DueItem, ...]
    next_due: tuple[DueItem, ...]

    @property
    def overdue(self) -> tuple[DueItem, ...]:
        return tuple(i for i in self.items if i.state == SlotState.overdue)


def protocol_for(vitals_minutes: Sequence[int]) -> dict[Measure, tuple[int, ...]]:
    """Return the protocol with a template's vitals times; MOAA/S follows them after the dose."""
    vitals = tuple(sorted(set(vitals_minutes)))
    return {
        Measure.vitals: vitals,
        Measure.moaas: tuple(m for m in vitals if m > 0),
        Measure.cadss: CADSS_MINUTES,
    }


def minutes_after(started_at: datetime, times: Sequence[datetime]) -> list[int]:
    """Return whole minutes from the start to each time; any time before the start counts as 0.

    A measurement taken before the first dose is the pre-dose one, however early it was taken.
    """
    require_aware("started_at", started_at)
    return [max(0, int((t - started_at).total_seconds() // 60)) for t in times]


def _state(slot: int, status: MonitoringStatus) -> SlotState:
    if slot in status.done:
        return SlotState.done
    if slot in status.due_now:
        return SlotState.due
    if slot in status.overdue:
        return SlotState.overdue
    return SlotState.upcoming


def _next_due(items: Sequence[DueItem]) -> tuple[DueItem, ...]:
    pending = [i for i in items if i.state in (SlotState.due, SlotState.upcoming)]
    if not pending:
        return ()
    return tuple(i for i in pending if i.minute == pending[0].minute)


def protocol_due(
    *,
    started_at: datetime,
    now: datetime,
    done: Mapping[Measure, Sequence[datetime]],
    protocol: Mapping[Measure, Sequence[int]] = DEFAULT_PROTOCOL,
    tolerance_minutes: int = DEFAULT_TOLERANCE_MINUTES,
) -> ProtocolStatus:
    """Return each protocol item's state at `now` from the times each measure was taken."""
    order = list(Measure)
    items: list[DueItem] = []
    for measure, minutes in protocol.items():
        if not minutes:
            continue
        status = monitoring_due(
            started_at=started_at,
            now=now,
            done_minutes=minutes_after(started_at, done.get(measure, ())),
            schedule_minutes=minutes,
            tolerance_minutes=tolerance_minutes,
        )
        items.extend(
            DueItem(
                measure=measure,
                minute=slot,
                due_at=started_at + timedelta(minutes=slot),
                state=_state(slot, status),
            )
            for slot in minutes
        )
    items.sort(key=lambda i: (i.minute, order.index(i.measure)))
    return ProtocolStatus(items=tuple(items), next_due=_next_due(items))


def pre_dose_due(*, vitals_taken: bool) -> ProtocolStatus:
    """Return the protocol before the first dose: only the pre-dose vitals, due at once."""
    state = SlotState.done if vitals_taken else SlotState.due
    item = DueItem(measure=Measure.vitals, minute=0, due_at=None, state=state)
    return ProtocolStatus(items=(item,), next_due=() if vitals_taken else (item,))
