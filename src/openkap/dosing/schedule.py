"""Which monitoring readings of a dosing session are done, due now, overdue or next.

Slots are minutes after the start of dosing (0 is the pre-dose reading). A reading counts for a
slot when it was taken within the tolerance either side of it (default 5 minutes, so a reading at
37 minutes fills the 40-minute slot); each reading fills one slot only, the earliest it fits, so
one reading at 35 minutes cannot stand for both the 30- and the 40-minute readings. The reading
before discharge is not a slot: the discharge rules ask for it.
"""

from collections.abc import Sequence
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
