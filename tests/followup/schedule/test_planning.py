"""The follow-up plan as pure functions: which items, with which windows, at constructed times."""

import uuid
from datetime import UTC, datetime, timedelta

from openkap.followup.models import ItemKind
from openkap.followup.schedule.planning import SessionFacts, induction_ended_at, plan_items
from openkap.followup.settings.service import DEFAULT_RULES, FollowupRules

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


def given(at, *, state="discharged", started=True):
    return SessionFacts(
        id=uuid.uuid4(),
        state=state,
        scheduled_for=at,
        dosed_at=at if started else None,
        discharged_at=at + 2 * H if state == "discharged" else None,
    )


def by_anchor(items):
    return {(i.anchor, i.instrument_id): i for i in items}


def test_first_dose_items_open_18_hours_after_the_dose_and_close_at_36():
    first = given(T0)
    items = by_anchor(
        plan_items(sessions=[first], induction_end=None, instruments=["phq9"], rules=DEFAULT_RULES)
    )
    day1 = items[("first-dose:24h", "phq9")]
    assert (day1.opens_at, day1.due_at, day1.closes_at) == (T0 + 18 * H, T0 + 24 * H, T0 + 36 * H)
    week = items[("first-dose:day3-7", "phq9")]
    assert (week.opens_at, week.due_at, week.closes_at) == (T0 + 3 * D, T0 + 5 * D, T0 + 7 * D)


def test_first_dose_is_the_earliest_discharged_session_not_an_aborted_or_booked_one():
    aborted = given(T0 - 5 * D, state="aborted", started=False)
    booked = given(T0 - 4 * D, state="scheduled", started=False)
    first = given(T0)
    second = given(T0 + 3 * D)
    items = by_anchor(
        plan_items(
            sessions=[aborted, booked, first, second],
            induction_end=None,
            instruments=["phq9"],
            rules=DEFAULT_RULES,
        )
    )
    assert items[("first-dose:24h", "phq9")].due_at == T0 + 24 * H


def test_before_each_session_opens_72_hours_ahead_and_closes_when_dosing_starts():
    started = given(T0 + 30 * 60 * timedelta(seconds=1))
    booked = given(T0 + 7 * D, state="scheduled", started=False)
    items = by_anchor(
        plan_items(
            sessions=[started, booked],
            induction_end=None,
            instruments=["gad7"],
            rules=DEFAULT_RULES,
        )
    )
    before_started = items[(f"before-session:{started.id}", "gad7")]
    assert before_started.opens_at == started.scheduled_for - 72 * H
    assert before_started.closes_at == started.dosed_at
    before_booked = items[(f"before-session:{booked.id}", "gad7")]
    assert before_booked.due_at == T0 + 7 * D
    assert before_booked.closes_at == T0 + 7 * D + 2 * H  # the grace period: not started yet


def test_a_session_aborted_before_its_dose_asks_for_nothing():
    aborted = given(T0, state="aborted", started=False)
    items = plan_items(
        sessions=[aborted], induction_end=None, instruments=["phq9"], rules=DEFAULT_RULES
    )
    assert items == []


def test_each_discharged_session_gets_an_integration_window_of_72_hours_from_discharge():
    first, second = given(T0), given(T0 + 3 * D)
    items = plan_items(
        sessions=[first, second], induction_end=None, instruments=["phq9"], rules=DEFAULT_RULES
    )
    integration = [i for i in items if i.kind == ItemKind.integration]
    assert [(i.dosing_session_id, i.opens_at, i.closes_at) for i in integration] == [
        (first.id, T0 + 2 * H, T0 + 74 * H),
        (second.id, T0 + 3 * D + 2 * H, T0 + 3 * D + 74 * H),
    ]
    assert {i.instrument_id for i in integration} == {""}


def test_induction_ends_at_the_last_dose_before_the_move_out_of_induction():
    doses = [given(T0), given(T0 + 3 * D), given(T0 + 20 * D)]
    moved_out = T0 + 10 * D
    assert induction_ended_at(doses, [moved_out]) == T0 + 3 * D
    assert induction_ended_at([], [moved_out]) == moved_out
    assert induction_ended_at(doses, []) is None


def test_weekly_items_after_induction_are_due_plus_or_minus_two_days():
    ended = T0 + 14 * D
    items = plan_items(sessions=[], induction_end=ended, instruments=["phq9"], rules=DEFAULT_RULES)
    weeks = {i.anchor: i for i in items}
    assert sorted(weeks) == sorted(f"after-induction:w{w}" for w in (1, 2, 4, 8, 12, 26))
    four = weeks["after-induction:w4"]
    assert (four.opens_at, four.due_at, four.closes_at) == (
        ended + 26 * D,
        ended + 28 * D,
        ended + 30 * D,
    )


def test_every_questionnaire_item_is_planned_once_per_instrument():
    items = plan_items(
        sessions=[given(T0)],
        induction_end=None,
        instruments=["phq9", "gad7", "pcl5"],
        rules=DEFAULT_RULES,
    )
    questionnaires = [i for i in items if i.kind == ItemKind.questionnaire]
    assert len(questionnaires) == 3 * 3  # 24 h, day 3-7 and before the session
    assert len({i.key for i in questionnaires}) == len(questionnaires)


def test_a_clinic_schedule_changes_weeks_and_windows():
    rules = FollowupRules(after_induction_weeks=[6], after_induction_window_days=4)
    [item] = plan_items(sessions=[], induction_end=T0, instruments=["phq9"], rules=rules)
    assert (item.opens_at, item.closes_at) == (T0 + 38 * D, T0 + 46 * D)
