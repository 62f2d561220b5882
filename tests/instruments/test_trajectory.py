"""The pure outcome calculations against hand-computed examples (arithmetic in the comments).

Times are days after DAY0 (the first dose, 2026-03-02 09:00 UTC) unless said otherwise.
"""

import math
from datetime import timedelta

import pytest

from openkap.instruments.series import Series
from openkap.instruments.trajectory import (
    BaselineSource,
    LossReason,
    Point,
    choose_baseline,
    describe_elapsed,
    durability,
    reference_lines,
    relapse,
    time_to_first_response,
    trajectory,
)
from tests.outcomes.builders import DAY0, day

DOSES = [day(0), day(3), day(7)]
# The worked example of the brief: PHQ-9 baseline 20 the day before dose 1.
EXAMPLE = [
    Point(day(-1), 20),
    Point(day(1), 12),
    Point(day(4), 9),
    Point(day(8), 4),
    Point(day(40), 13),
]


def _points(*pairs):
    return [Point(day(n), total) for n, total in pairs]


def test_the_worked_example_responds_on_day_4_after_2_doses_and_lasts_36_days():
    result = trajectory("phq9", EXAMPLE, doses=DOSES, now=day(60))
    # Baseline: no intake score given, so the last score at or before dose 1: 20 on day -1.
    assert result.baseline.total == 20
    assert result.baseline.source == BaselineSource.before_first_dose
    # Response line 50 % of 20 = 10. Day 1: 12 > 10, no. Day 4: 9 <= 10, response.
    # 4 days = 96 hours after dose 1; doses given by day 4: day 0 and day 3 = 2.
    assert result.first_response.at == day(4)
    assert result.first_response.after_first_dose == timedelta(hours=96)
    assert result.first_response.doses == 2
    assert describe_elapsed(result.first_response.after_first_dose) == "4 days"
    # Day 8: 4 < 5 (PHQ-9 remission) -> remission inside the response period.
    [period] = result.periods
    assert period.remission_at == day(8)
    # Day 40: 13 > 10, above the response line: loss of response after remission.
    assert period.loss.at == day(40)
    assert period.loss.reason == LossReason.above_response_line
    # Durability: day 40 - day 4 = 36 days, not ongoing.
    assert result.durability.duration == timedelta(days=36)
    assert result.durability.ongoing is False
    # Status now: 13 is neither response (> 10) nor remission (>= 5); the patient is in relapse.
    assert (result.current.response, result.current.remission) == (False, False)
    assert result.relapse == period.loss


def test_the_contract_functions_agree_with_the_trajectory():
    args = {"baseline": 20, "instrument_id": "phq9", "doses": DOSES}
    assert time_to_first_response(EXAMPLE, **args).doses == 2
    assert durability(EXAMPLE, now=day(60), **args).duration == timedelta(days=36)
    assert relapse(EXAMPLE, **args).at == day(40)


def test_a_rapid_response_is_counted_in_hours_and_one_dose():
    # Dose 1 at 09:00 on day 0; the 24-hour questionnaire at 11:00 the next day: 26 hours.
    # Baseline 18 -> 9: 9 <= 18 * 0.5 = 9, response (the line is inclusive).
    points = [Point(day(-1), 18), Point(DAY0 + timedelta(hours=26), 9)]
    first = time_to_first_response(points, baseline=18, instrument_id="phq9", doses=DOSES)
    assert first.after_first_dose == timedelta(hours=26)
    assert first.doses == 1
    assert describe_elapsed(first.after_first_dose) == "26 hours"


def test_after_remission_a_score_back_at_the_cut_off_is_not_a_loss_of_response():
    # Baseline 20: response line 10, remission < 5. Day 2: 8 response. Day 5: 3 remission.
    # Day 9: 7 >= 5 leaves remission, but 7 <= 10 still responds: a loss of remission only
    # (openkap.instruments.relapse), so the response period and its durability go on.
    points = _points((-1, 20), (2, 8), (5, 3), (9, 7))
    assert relapse(points, baseline=20, instrument_id="phq9", doses=DOSES) is None
    lasting = durability(points, baseline=20, instrument_id="phq9", doses=DOSES, now=day(30))
    assert lasting.ongoing is True
    [period] = trajectory("phq9", points, doses=DOSES, now=day(30)).periods
    assert (period.remission_at, period.loss) == (day(5), None)


def test_without_remission_scores_within_the_response_line_keep_the_response():
    # Baseline 20: 9, 7, 10 are all <= 10; never below 5, so only the response line applies.
    points = _points((-1, 20), (2, 9), (5, 7), (9, 10))
    lasting = durability(points, baseline=20, instrument_id="phq9", doses=DOSES, now=day(30))
    assert lasting.ongoing is True
    # Ongoing: measured to now, day 30 - day 2 = 28 days.
    assert lasting.duration == timedelta(days=28)
    assert relapse(points, baseline=20, instrument_id="phq9", doses=DOSES) is None


def test_a_regained_response_ends_the_relapse_but_durability_keeps_the_first_period():
    # Baseline 20. Day 2: 9 response; day 10: 14 loss (> 10); day 20: 8 response again.
    points = _points((-1, 20), (2, 9), (10, 14), (20, 8))
    result = trajectory("phq9", points, doses=DOSES, now=day(30))
    assert [p.start.at for p in result.periods] == [day(2), day(20)]
    assert result.relapse is None
    # First period: day 10 - day 2 = 8 days.
    assert result.durability.duration == timedelta(days=8)
    assert result.durability.loss.at == day(10)


def test_scores_before_the_first_dose_never_count_as_response():
    # Intake baseline 20 (day -5); a pre-dose score of 9 on day -1 is below the line but comes
    # before any ketamine, so it is not a response; day 1: 12 is not one either.
    points = _points((-5, 20), (-1, 9), (1, 12))
    result = trajectory("phq9", points, doses=DOSES, now=day(2), intake_baseline=points[0])
    assert result.baseline.source == BaselineSource.intake
    assert result.baseline.total == 20
    assert result.first_response is None
    assert result.durability is None


def test_baseline_is_the_intake_score_else_the_last_score_at_or_before_dose_one():
    points = _points((-9, 24), (-2, 21), (0, 19), (1, 15))
    intake = Point(day(-9), 24)
    chosen = choose_baseline(points, first_dose_at=day(0), intake=intake)
    assert (chosen.total, chosen.source) == (24, BaselineSource.intake)
    # No intake score: the score taken at the dose's own minute still counts as before it.
    fallback = choose_baseline(points, first_dose_at=day(0), intake=None)
    assert (fallback.total, fallback.at) == (19, day(0))
    # An intake score recorded after dose 1 (back-dated wrongly) is not a baseline.
    late = choose_baseline(points, first_dose_at=day(0), intake=Point(day(1), 15))
    assert late.total == 19
    assert choose_baseline(points[3:], first_dose_at=day(0), intake=None) is None


def test_pcl5_reliable_change_band_from_the_cited_sd_and_r():
    # SD 12.4, r 0.82: SEM = 12.4 * sqrt(0.18) = 5.2608; S_diff = sqrt(2) * SEM = 7.4399;
    # criterion 1.96 * 7.4399 = 14.582 points. Baseline 50: band 35.418 to 64.582.
    lines = reference_lines("pcl5", 50)
    assert lines.reliable_change == pytest.approx(14.582, abs=0.001)
    low, high = lines.band
    assert (low, high) == (pytest.approx(35.418, abs=0.001), pytest.approx(64.582, abs=0.001))
    assert lines.response == 25
    assert (lines.remission.operator, lines.remission.threshold) == ("<", 31)


def test_instruments_without_a_cited_sd_and_r_get_no_band():
    assert reference_lines("phq9", 20).band is None
    assert reference_lines("madrs", 30).reliable_change is None


def test_pcl5_remission_needs_reliable_improvement_as_well_as_the_cut_off():
    doses = [day(0)]
    # Baseline 40 -> 30: below 31, but 10 points < 14.58, not reliable: no remission.
    modest = trajectory("pcl5", _points((-1, 40), (7, 30)), doses=doses, now=day(8))
    assert modest.current.remission is False
    # Baseline 50 -> 24: below 31 and 26 points > 14.58: remission; 24 <= 25 is a response too.
    large = trajectory("pcl5", _points((-1, 50), (7, 24)), doses=doses, now=day(8))
    assert (large.current.response, large.current.remission) == (True, True)


@pytest.mark.parametrize(
    ("instrument", "baseline", "total", "remission"),
    [
        ("madrs", 30, 10, True),  # MADRS <= 10
        ("madrs", 30, 11, False),
        ("qids_sr16", 16, 5, True),  # QIDS-SR16 <= 5
        ("qids_sr16", 16, 6, False),
        ("phq9", 20, 4, True),  # PHQ-9 < 5
        ("phq9", 20, 5, False),
        ("gad7", 16, 4, True),  # GAD-7 < 5
    ],
)
def test_remission_cut_offs_follow_the_clinical_reference(instrument, baseline, total, remission):
    result = trajectory(instrument, _points((-1, baseline), (7, total)), doses=[day(0)], now=day(8))
    assert result.current.remission is remission


def test_madrs_response_and_remission_lines_may_coincide():
    # Baseline 20: response <= 10, remission <= 10; after remission, 11 breaks both (reason:
    # the response line is checked first).
    loss = relapse(
        _points((-1, 20), (3, 10), (9, 11)), baseline=20, instrument_id="madrs", doses=DOSES
    )
    assert loss.reason == LossReason.above_response_line


def test_without_a_dose_there_is_no_response_badge():
    result = trajectory("phq9", _points((-3, 20), (-1, 8)), doses=[], now=day(0))
    # The baseline is the last score so far (8); nothing is after a dose.
    assert result.baseline.total == 8
    assert (result.first_response, result.current, result.durability) == (None, None, None)


def test_a_zero_baseline_cannot_show_a_response():
    result = trajectory("phq9", _points((-1, 0), (2, 0)), doses=DOSES, now=day(3))
    assert result.current.response is None
    assert result.periods == ()


def test_instruments_without_change_metrics_are_plotted_without_lines():
    result = trajectory("cadss", _points((-1, 10), (2, 3)), doses=DOSES, now=day(3))
    assert result.has_change_metrics is False
    assert result.lines is None
    assert len(result.points) == 2


@pytest.mark.parametrize(
    ("elapsed", "words"),
    [
        (timedelta(hours=1), "1 hour"),
        (timedelta(hours=47, minutes=20), "47 hours"),
        (timedelta(hours=48), "2 days"),
        (timedelta(days=3, hours=12), "3.5 days"),
        (timedelta(days=36), "36 days"),
    ],
)
def test_durations_are_said_in_hours_under_two_days_else_in_days(elapsed, words):
    assert describe_elapsed(elapsed) == words


def test_every_loss_and_regained_response_of_a_long_history_is_a_period():
    # 5,000 alternating scores: each loss and each regained response is one period.
    points = [Point(day(1 + i / 10), 8 if i % 2 == 0 else 14) for i in range(5000)]
    result = trajectory("phq9", [Point(day(-1), 20), *points], doses=DOSES, now=day(600))
    assert len(result.periods) == 2500
    assert math.isclose(result.durability.duration.total_seconds(), 8640)  # 0.1 day


def test_a_series_reads_as_points_and_slices_as_a_series():
    series = Series.of([Point(day(1), 5), Point(day(2), 7), Point(day(3), 9)])
    assert list(series) == [Point(day(1), 5), Point(day(2), 7), Point(day(3), 9)]
    assert series[1] == Point(day(2), 7)
    assert series[1:].totals == (7, 9)
    assert Series.of(series) is series
