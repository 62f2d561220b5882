"""The badges in words: what the page, the PDF and the API say about a trajectory."""

from openkap.instruments.trajectory import Point, trajectory
from openkap.outcomes.words import badges, baseline_words, chart_summary
from tests.outcomes.builders import day

DOSES = [day(0), day(3), day(7)]


def _said(result) -> dict[str, tuple[str, str]]:
    return {badge.key: (badge.value, badge.tone) for badge in badges(result)}


def test_the_worked_example_in_words():
    points = [Point(day(n), total) for n, total in ((-1, 20), (1, 12), (4, 9), (8, 4), (40, 13))]
    said = _said(trajectory("phq9", points, doses=DOSES, now=day(60)))
    assert said["first_response"] == (
        "4 days after the first dose, after 2 doses (score 9 on 2026-03-06)",
        "ok",
    )
    assert said["status"] == ("No response (latest 13 on 2026-04-11)", "warn")
    assert said["durability"] == (
        "36 days, from 2026-03-06 to the loss of response (score 13 on 2026-04-11, above the "
        "response line (more than 50 % of baseline))",
        "warn",
    )


def test_an_ongoing_response_says_how_long_so_far():
    points = [Point(day(-1), 20), Point(day(2), 8)]
    said = _said(trajectory("phq9", points, doses=DOSES, now=day(12)))
    # Day 12 - day 2 = 10 days.
    assert said["durability"] == ("Ongoing: 10 days since 2026-03-04", "ok")
    assert said["status"] == ("Response (latest 8 on 2026-03-04)", "ok")


def test_pcl5_remission_without_a_50_percent_response_is_said_as_such():
    # Baseline 50: 28 < 31 with 22 points of reliable improvement (> 14.58): remission;
    # but 28 > 25 (50 % of 50): not a response.
    points = [Point(day(-1), 50), Point(day(9), 28)]
    said = _said(trajectory("pcl5", points, doses=DOSES, now=day(12)))
    assert said["status"][0] == "Remission, not a 50 % response (latest 28 on 2026-03-11)"


def test_without_a_dose_the_badges_say_so():
    result = trajectory("phq9", [Point(day(-1), 20)], doses=[], now=day(1))
    said = _said(result)
    assert said["first_response"][0] == "No dose given yet"
    assert said["status"][0] == "No score since the first dose"
    assert baseline_words(result) == "20 on 2026-03-01 (last score before the first dose)"


def test_an_instrument_without_rules_has_no_badges_but_a_summary():
    result = trajectory("cadss", [Point(day(1), 6)], doses=DOSES, now=day(2))
    assert badges(result) == []
    assert chart_summary(result, dose_count=3).startswith("CADSS: 1 score from 2026-03-03")
