"""The follow-up plan of an episode as pure functions: which items are due, and when.

No database: the schedule service loads the episode's dosing sessions and moves, and these
functions turn them into planned items with their windows (opens, due, closes):

- after the first dose (the first discharged session's dose time): each time point of the
  clinic's `after_first_dose` list (defaults 24 h, due 18-36 h; day 3-7, due on day 5);
- before each dosing session that is not aborted before its dose: opens some hours before the
  scheduled time, due at it, closes when dosing starts (or a grace period after the scheduled
  time while it has not started);
- after induction ends, at each configured week, plus or minus the clinic's window in days;
- an integration session after each discharged session: from discharge to 72 h later.

Induction ends at the episode's first move out of induction (to integration, maintenance or
completed): the anchor is the dose time of the last discharged session before that move, or the
move itself when no session was discharged. Before that move no after-induction item exists.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from openkap.dosing.models import SessionState
from openkap.followup.models import ItemKind
from openkap.followup.settings.service import FollowupRules, HourWindow

HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionFacts:
    """What the plan needs of one dosing session."""

    id: uuid.UUID
    state: str
    scheduled_for: datetime
    dosed_at: datetime | None
    discharged_at: datetime | None

    @property
    def discharged(self) -> bool:
        return self.state == SessionState.discharged.value and self.discharged_at is not None

    @property
    def dose_time(self) -> datetime:
        """When the dose was given: dosing start, else discharge, else the scheduled time."""
        return self.dosed_at or self.discharged_at or self.scheduled_for


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedItem:
    """One item the episode should have, before it is stored or matched with what was done."""

    anchor: str
    kind: ItemKind
    instrument_id: str
    dosing_session_id: uuid.UUID | None
    reason: str
    opens_at: datetime
    due_at: datetime
    closes_at: datetime

    @property
    def key(self) -> tuple[str, str]:
        return self.anchor, self.instrument_id


def induction_ended_at(
    sessions: Sequence[SessionFacts], exits: Sequence[datetime]
) -> datetime | None:
    """Return when induction ended: the last dose before the first move out of it, or the move."""
    if not exits:
        return None
    moved = min(exits)
    doses = [s.dose_time for s in sessions if s.discharged and s.dose_time <= moved]
    return max(doses) if doses else moved


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


def _questionnaires(
    anchor: str,
    instruments: Sequence[str],
    reason: str,
    window: tuple[datetime, datetime, datetime],
    session_id: uuid.UUID | None = None,
) -> list[PlannedItem]:
    opens, due, closes = window
    return [
        PlannedItem(
            anchor=anchor,
            kind=ItemKind.questionnaire,
            instrument_id=instrument_id,
            dosing_session_id=session_id,
            reason=reason,
            opens_at=opens,
            due_at=due,
            closes_at=closes,
        )
        for instrument_id in instruments
    ]


def _after_first_dose(
    first: SessionFacts, points: Sequence[HourWindow], instruments: Sequence[str]
) -> list[PlannedItem]:
    start = first.dose_time
    items: list[PlannedItem] = []
    for point in points:
        window = (
            start + point.opens_hours * HOUR,
            start + point.due_hours * HOUR,
            start + point.closes_hours * HOUR,
        )
        items += _questionnaires(f"first-dose:{point.key}", instruments, point.label, window)
    return items


def _before_session(
    dosing: SessionFacts, rules: FollowupRules, instruments: Sequence[str]
) -> list[PlannedItem]:
    due = dosing.scheduled_for
    opens = due - rules.before_session_opens_hours * HOUR
    closes = dosing.dosed_at or due + rules.before_session_grace_hours * HOUR
    # A session started early or long before its booked time still gets a usable window.
    closes = max(closes, opens + HOUR)
    reason = f"Before the dosing session on {_day(due)}"
    window = (opens, min(due, closes), closes)
    return _questionnaires(f"before-session:{dosing.id}", instruments, reason, window, dosing.id)


def _after_induction(
    ended: datetime, rules: FollowupRules, instruments: Sequence[str]
) -> list[PlannedItem]:
    spread = timedelta(days=rules.after_induction_window_days)
    items: list[PlannedItem] = []
    for week in rules.after_induction_weeks:
        target = ended + timedelta(weeks=week)
        label = f"{week} week{'s' if week != 1 else ''} after induction"
        window = (target - spread, target, target + spread)
        items += _questionnaires(f"after-induction:w{week}", instruments, label, window)
    return items


def _integration(dosing: SessionFacts, rules: FollowupRules) -> PlannedItem:
    discharged_at = dosing.discharged_at or dosing.dose_time
    closes = discharged_at + rules.integration_closes_hours * HOUR
    return PlannedItem(
        anchor=f"integration:{dosing.id}",
        kind=ItemKind.integration,
        instrument_id="",
        dosing_session_id=dosing.id,
        reason=(
            f"Integration session within {rules.integration_closes_hours} h of the dosing "
            f"session on {_day(dosing.dose_time)}"
        ),
        opens_at=discharged_at,
        due_at=closes,
        closes_at=closes,
    )


def _dosed_or_pending(dosing: SessionFacts) -> bool:
    return dosing.state != SessionState.aborted.value or dosing.dosed_at is not None


def plan_items(
    *,
    sessions: Sequence[SessionFacts],
    induction_end: datetime | None,
    instruments: Sequence[str],
    rules: FollowupRules,
) -> list[PlannedItem]:
    """Return every item an episode should have, given its sessions and the end of induction."""
    discharged = sorted((s for s in sessions if s.discharged), key=lambda s: s.dose_time)
    items: list[PlannedItem] = []
    if discharged:
        items += _after_first_dose(discharged[0], rules.after_first_dose, instruments)
    for dosing in sessions:
        if _dosed_or_pending(dosing):
            items += _before_session(dosing, rules, instruments)
    items += [_integration(dosing, rules) for dosing in discharged]
    if induction_end is not None:
        items += _after_induction(induction_end, rules, instruments)
    return items
