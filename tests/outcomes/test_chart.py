"""The SVG chart and its layout: lines, band, dose marks, accessible name, thinning."""

import re

from openkap.instruments.trajectory import Point, trajectory
from openkap.outcomes.chart import ChartOptions, trajectory_svg
from openkap.outcomes.chart_layout import MARKER_LIMIT, Frame, chart_layout, thin
from tests.outcomes.builders import day

DOSES = [day(0), day(3), day(7)]
PHQ9 = [Point(day(-1), 20), Point(day(1), 12), Point(day(4), 9), Point(day(8), 4)]


def _phq9():
    return trajectory("phq9", PHQ9, doses=DOSES, now=day(10))


def _attr(svg: str, name: str) -> str:
    return re.search(rf'{name}="([^"]*)"', svg).group(1)


def test_the_chart_is_an_image_named_by_its_summary():
    svg = str(trajectory_svg(_phq9(), doses=DOSES))
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    label = _attr(svg, "aria-label")
    assert label.startswith("PHQ-9: 4 scores from 2026-03-01 to 2026-03-10")
    assert "3 dosing sessions marked" in label
    assert "time to first response: 4 days after the first dose, after 2 doses" in label
    assert "status now: Remission (latest 4 on 2026-03-10)" in label


def test_baseline_response_and_remission_lines_are_drawn_at_their_scores():
    svg = str(trajectory_svg(_phq9(), doses=DOSES))
    layout = chart_layout(_phq9(), doses=DOSES)
    frame = layout.frame
    height = frame.plot_bottom - frame.plot_top
    # PHQ-9 runs 0-27: a score s sits at plot_bottom - s / 27 * height.
    expected = {"baseline": 20, "response": 10, "remission": 5}
    for key, score in expected.items():
        y = float(re.search(rf'class="level-{key}"[^>]* y1="([\d.]+)"', svg).group(1))
        assert abs(y - (frame.plot_bottom - score / 27 * height)) < 0.06, key
    assert "Baseline 20" in svg
    assert "Response \u2264 10" in svg
    assert "Remission &lt; 5" in svg
    assert 'class="rci-band"' not in svg  # PHQ-9 has no cited SD and r


def test_the_reliable_change_band_is_drawn_for_pcl5():
    pcl5 = trajectory("pcl5", [Point(day(-1), 50), Point(day(7), 30)], doses=DOSES, now=day(8))
    svg = str(trajectory_svg(pcl5, doses=DOSES))
    assert 'class="rci-band"' in svg
    top, bottom = chart_layout(pcl5, doses=DOSES).band
    frame = Frame()
    height = frame.plot_bottom - frame.plot_top
    # Band 35.418 to 64.582 on a 0-80 scale.
    assert abs(top - (frame.plot_bottom - 64.582 / 80 * height)) < 0.01
    assert abs(bottom - (frame.plot_bottom - 35.418 / 80 * height)) < 0.01


def test_every_dosing_session_is_marked_on_the_time_axis():
    svg = str(trajectory_svg(_phq9(), doses=DOSES))
    ticks = re.search(r'class="doses" d="([^"]*)"', svg).group(1)
    assert ticks.count("M") == 3
    layout = chart_layout(_phq9(), doses=DOSES)
    # Dose 1 (day 0) lies right of the baseline (day -1) and left of the day-1 score.
    assert layout.marker_x[0] < layout.dose_xs[0] < layout.marker_x[1]


def test_first_response_and_loss_are_highlighted():
    points = [*PHQ9, Point(day(40), 13)]
    svg = str(trajectory_svg(trajectory("phq9", points, doses=DOSES, now=day(50)), doses=DOSES))
    assert svg.count('class="first-response"') == 1
    assert svg.count('class="loss"') == 1


def test_the_patient_chart_option_draws_scores_alone():
    options = ChartOptions(reference_lines=False, band=False, doses=False, highlights=False)
    svg = str(trajectory_svg(_phq9(), doses=DOSES, options=options, label="Your PHQ-9 scores"))
    assert _attr(svg, "aria-label") == "Your PHQ-9 scores"
    assert "level-" not in svg
    assert 'class="doses"' not in svg
    assert "first-response" not in svg
    assert svg.count('class="score"') == 4


def test_text_in_the_chart_is_escaped():
    svg = str(trajectory_svg(_phq9(), label='<script>alert("x")</script>'))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_a_long_history_is_thinned_for_drawing_but_keeps_each_columns_extremes():
    # 5,000 scores over 500 days, alternating 3 and 24 with a single 27 in the middle.
    points = [Point(day(i / 10), 3 if i % 2 else 24) for i in range(5000)]
    points[2500] = Point(points[2500].at, 27)
    long = trajectory("phq9", [Point(day(-1), 20), *points], doses=DOSES, now=day(600))
    layout = chart_layout(long, doses=DOSES)
    columns = layout.frame.plot_right - layout.frame.plot_left
    assert layout.thinned
    assert layout.marker_x == ()
    assert len(layout.line_x) <= 4 * (columns + 1)
    ys = layout.line_y
    # The single 27 (the top of the plot) and the 3s and 24s all survive thinning.
    assert min(ys) == layout.frame.plot_top
    svg = str(trajectory_svg(long, doses=DOSES))
    assert len(svg) < 120_000


def test_thinning_keeps_short_series_untouched():
    xs, ys = [float(i) for i in range(MARKER_LIMIT)], [float(i % 7) for i in range(MARKER_LIMIT)]
    assert thin(xs, ys) == (xs, ys)


def test_thinning_keeps_first_lowest_highest_and_last_of_a_column_in_time_order():
    # 200 points, 50 per column of width 1 (x 0.00-0.98, 1.00-1.98, ...).
    xs = [i / 50 for i in range(200)]
    ys = [float((i * 37) % 101) for i in range(200)]
    kept_x, kept_y = thin(xs, ys)
    assert kept_x == sorted(kept_x)
    for column in range(4):
        members = [i for i in range(200) if int(xs[i]) == column]
        column_ys = [ys[i] for i in members]
        kept = [y for x, y in zip(kept_x, kept_y, strict=True) if int(x) == column]
        assert kept[0] == column_ys[0]
        assert kept[-1] == column_ys[-1]
        assert min(column_ys) in kept
        assert max(column_ys) in kept
        assert len(kept) <= 4
