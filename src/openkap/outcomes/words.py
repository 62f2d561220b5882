"""A trajectory in words: the badges, the chart's text summary, and a table row's judgement.

The page, the SVG's accessible name, the PDF and the JSON API all say the same sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from openkap.instruments.trajectory import (
    Durability,
    FirstResponse,
    LossOfResponse,
    LossReason,
    Trajectory,
    describe_elapsed,
)

LOSS_WORDS = {
    LossReason.above_response_line: "above the response line (more than 50 % of baseline)",
    LossReason.above_remission_cutoff: "outside the remission range again after remission",
}


@dataclass(frozen=True, slots=True)
class Badge:
    """One headline of a trajectory: what it measures, its value in words, and its tone."""

    key: str
    label: str
    value: str
    tone: str


def day(moment: datetime) -> str:
    """Return a date as the pages print it."""
    return moment.strftime("%Y-%m-%d")


def plural(count: int, noun: str) -> str:
    """Return '1 dose', '2 doses'."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def first_response_words(trajectory: Trajectory) -> str:
    """Say when the first response came, in time and doses after the first dose."""
    first: FirstResponse | None = trajectory.first_response
    if trajectory.first_dose_at is None:
        return "No dose given yet"
    if first is None:
        return "No response yet"
    return (
        f"{describe_elapsed(first.after_first_dose)} after the first dose, after "
        f"{plural(first.doses, 'dose')} (score {first.total} on {day(first.at)})"
    )


def status_words(trajectory: Trajectory) -> tuple[str, str]:
    """Say whether the latest score is in response or remission; with a tone."""
    current = trajectory.current
    if current is None:
        return "No score since the first dose", "neutral"
    latest = f"latest {current.latest.total} on {day(current.latest.at)}"
    if current.remission and current.response is False:
        # PCL-5: below the cut-off with reliable improvement, yet not 50 % below baseline.
        return f"Remission, not a 50 % response ({latest})", "ok"
    if current.remission:
        return f"Remission ({latest})", "ok"
    if current.response:
        return f"Response ({latest})", "ok"
    if current.remission is None and current.response is None:
        return f"Not determinable ({latest})", "neutral"
    return f"No response ({latest})", "warn"


def loss_words(loss: LossOfResponse) -> str:
    """Say which score ended a response, and why."""
    return f"score {loss.total} on {day(loss.at)}, {LOSS_WORDS[loss.reason]}"


def durability_words(trajectory: Trajectory) -> tuple[str, str]:
    """Say how long the first response lasted, or has lasted so far; with a tone."""
    lasting: Durability | None = trajectory.durability
    if lasting is None:
        return "No response yet", "neutral"
    since = day(lasting.since)
    if lasting.ongoing:
        return f"Ongoing: {describe_elapsed(lasting.duration)} since {since}", "ok"
    assert lasting.loss is not None
    return (
        f"{describe_elapsed(lasting.duration)}, from {since} to the loss of response "
        f"({loss_words(lasting.loss)})",
        "warn",
    )


def badges(trajectory: Trajectory) -> list[Badge]:
    """Return the three badges of a trajectory with change metrics (none otherwise)."""
    if trajectory.lines is None:
        return []
    status, status_tone = status_words(trajectory)
    lasting, lasting_tone = durability_words(trajectory)
    first_tone = "ok" if trajectory.first_response else "neutral"
    return [
        Badge(
            "first_response", "Time to first response", first_response_words(trajectory), first_tone
        ),
        Badge("status", "Status now", status, status_tone),
        Badge("durability", "Durability since first response", lasting, lasting_tone),
    ]


def baseline_words(trajectory: Trajectory) -> str:
    """Say the baseline and where it comes from."""
    baseline = trajectory.baseline
    if baseline is None:
        return "No baseline score in this course (none at intake or before the first dose)"
    where = "intake" if baseline.source == "intake" else "last score before the first dose"
    return f"{baseline.total} on {day(baseline.at)} ({where})"


def chart_summary(trajectory: Trajectory, *, dose_count: int) -> str:
    """Summarise a chart in one paragraph, for its accessible name and the PDF."""
    name = trajectory.instrument.abbreviation
    points = trajectory.points
    if not points:
        return f"{name}: no scores in this course."
    parts = [
        f"{name}: {plural(len(points), 'score')} from {day(points[0].at)} to {day(points[-1].at)}",
        f"baseline {baseline_words(trajectory)}",
        f"{plural(dose_count, 'dosing session')} marked",
    ]
    parts += [f"{badge.label.lower()}: {badge.value}" for badge in badges(trajectory)]
    return "; ".join(parts) + "."
