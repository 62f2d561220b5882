"""Loss of response, loss of remission and relapse are distinct states (CLINICAL.md, durability),
on hand-computed PHQ-9 examples: baseline 20, response line 10, remission < 5."""

import pytest

from openkap.instruments.relapse import (
    DurabilityState,
    confirmed_relapse,
    current_loss_of_remission,
    durability_state,
    remission_losses,
)
from openkap.instruments.trajectory import Point
from tests.outcomes.builders import day

DOSES = [day(0), day(3), day(7)]
ARGS = {"baseline": 20, "instrument_id": "phq9", "doses": DOSES}


def _points(*pairs):
    return [Point(day(-1), 20), *(Point(day(n), total) for n, total in pairs)]


@pytest.mark.parametrize(
    ("pairs", "state"),
    [
        (((7, 16), (14, 15)), DurabilityState.not_responded),
        (((7, 9),), DurabilityState.responding),
        (((7, 9), (14, 4)), DurabilityState.in_remission),
        # 4 (remission) then 7: outside remission, still within the response line.
        (((7, 9), (14, 4), (21, 7)), DurabilityState.loss_of_remission),
        # 14 > 10 once: loss of response, not yet a relapse.
        (((7, 9), (14, 14)), DurabilityState.loss_of_response),
        # 14 then 15 seven days later: both above the line, 5-15 days apart: relapse.
        (((7, 9), (14, 14), (21, 15)), DurabilityState.relapse),
        # Remission lost all the way past the response line, and confirmed: relapse.
        (((7, 4), (14, 12), (24, 13)), DurabilityState.relapse),
    ],
)
def test_each_state_is_judged_by_its_own_rule(pairs, state):
    assert durability_state(_points(*pairs), **ARGS) == state


def test_a_loss_of_remission_is_tracked_with_when_remission_began():
    points = _points((7, 9), (10, 4), (14, 6), (21, 3), (28, 5))
    losses = remission_losses(points, **ARGS)
    assert [(loss.at, loss.total, loss.remitted_since) for loss in losses] == [
        (day(14), 6, day(10)),
        (day(28), 5, day(21)),
    ]
    assert current_loss_of_remission(points, **ARGS) == losses[-1]
    assert current_loss_of_remission(_points((7, 4), (14, 6), (21, 3)), **ARGS) is None


@pytest.mark.parametrize(("gap", "confirmed"), [(4, False), (5, True), (15, True), (16, False)])
def test_the_confirming_assessment_is_5_to_15_calendar_days_after(gap, confirmed):
    points = _points((7, 9), (14, 14), (14 + gap, 15))
    assert (confirmed_relapse(points, **ARGS) is not None) is confirmed


def test_a_too_early_repeat_does_not_confirm_but_the_next_consecutive_pair_can():
    # 14 on day 14, 13 on day 16 (2 days: too soon), 15 on day 23 (7 days after day 16).
    points = _points((7, 9), (14, 14), (16, 13), (23, 15))
    found = confirmed_relapse(points, **ARGS)
    assert (found.first.at, found.confirming.at, found.days_apart) == (day(16), day(23), 7)
    assert found.loss.at == day(14)


def test_the_clinic_may_set_other_confirmation_days():
    points = _points((7, 9), (14, 14), (17, 15))
    assert confirmed_relapse(points, **ARGS) is None
    assert confirmed_relapse(points, **ARGS, min_days=2, max_days=4) is not None
