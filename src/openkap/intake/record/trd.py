"""Treatment-resistant depression (TRD), derived from the prior treatments of an episode.

The rule (OpenKAP clinical reference; ATHF criteria as used by ELEKT-D): failure of at least two
adequate antidepressant trials in the current episode. A trial is an adequate failed trial when
it was an antidepressant, in the current episode, at an adequate dose, for at least the minimum
number of weeks, taken without poor adherence, and the depression did not respond (no or partial
response).

The minimum duration defaults to 6 weeks, the upper end of the 4-6 weeks the reference allows:
counting a shorter trial as a failure could label a patient treatment-resistant too early, and a
clinic that uses 4 weeks passes its own criteria.
"""

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from openkap.intake.models import (
    Adherence,
    ItemStatus,
    PriorTreatment,
    TreatmentKind,
    TreatmentOutcome,
)

SOURCE = (
    "OpenKAP clinical reference: TRD is failure of >= 2 adequate antidepressant trials "
    "(adequate dose, "
    ">= 4-6 weeks) in the current episode; ATHF criteria as used in ELEKT-D (Anand et al., "
    "N Engl J Med 2023)."
)
FAILED = frozenset({TreatmentOutcome.no_response, TreatmentOutcome.partial_response})
_KIND_NAMES = {
    TreatmentKind.ect: "ECT",
    TreatmentKind.tms: "TMS",
    TreatmentKind.esketamine: "esketamine",
    TreatmentKind.ketamine: "ketamine",
    TreatmentKind.augmentation: "augmentation",
    TreatmentKind.psychotherapy: "psychotherapy",
    TreatmentKind.other: "other treatment",
}


class TrdStatus(enum.StrEnum):
    treatment_resistant = "treatment_resistant"
    not_treatment_resistant = "not_treatment_resistant"
    undetermined = "undetermined"


class Verdict(enum.StrEnum):
    counts = "counts"
    does_not_count = "does_not_count"
    unknown = "unknown"


@dataclass(frozen=True, slots=True)
class TrdCriteria:
    """The thresholds in force; a clinic may pass its own."""

    min_weeks: int = 6
    min_failed_trials: int = 2
    source: str = SOURCE


DEFAULT_CRITERIA = TrdCriteria()


@dataclass(frozen=True, slots=True)
class TrialFinding:
    """What one prior treatment contributes, with the reason in words."""

    treatment_id: uuid.UUID
    verdict: Verdict
    reasoning: str


@dataclass(frozen=True, slots=True)
class TrdResult:
    status: TrdStatus
    adequate_failed_trials: int
    undetermined_trials: int
    criteria: TrdCriteria
    findings: tuple[TrialFinding, ...]

    @property
    def summary(self) -> str:
        """One sentence stating the result and the count behind it."""
        needed = self.criteria.min_failed_trials
        counted = f"{self.adequate_failed_trials} adequate failed trial(s) of {needed} needed"
        if self.status == TrdStatus.treatment_resistant:
            return f"Treatment-resistant: {counted}."
        if self.status == TrdStatus.undetermined:
            return f"Undetermined: {counted}; {self.undetermined_trials} trial(s) lack details."
        return f"Not treatment-resistant: {counted}."


def derive_trd(
    treatments: Iterable[PriorTreatment], *, criteria: TrdCriteria = DEFAULT_CRITERIA
) -> TrdResult:
    """Count adequate failed antidepressant trials and decide whether the depression is TRD."""
    findings = tuple(_judge(t, criteria) for t in treatments if t.status == ItemStatus.active.value)
    counted = sum(1 for f in findings if f.verdict == Verdict.counts)
    unknown = sum(1 for f in findings if f.verdict == Verdict.unknown)
    if counted >= criteria.min_failed_trials:
        status = TrdStatus.treatment_resistant
    elif counted + unknown >= criteria.min_failed_trials:
        status = TrdStatus.undetermined
    else:
        status = TrdStatus.not_treatment_resistant
    return TrdResult(
        status=status,
        adequate_failed_trials=counted,
        undetermined_trials=unknown,
        criteria=criteria,
        findings=findings,
    )


def _judge(treatment: PriorTreatment, criteria: TrdCriteria) -> TrialFinding:
    verdict, reason = _verdict(treatment, criteria)
    return TrialFinding(
        treatment_id=treatment.id, verdict=verdict, reasoning=f"{describe(treatment)}: {reason}"
    )


def _verdict(treatment: PriorTreatment, criteria: TrdCriteria) -> tuple[Verdict, str]:
    refusal = _refusal(treatment, criteria)
    if refusal:
        return Verdict.does_not_count, refusal
    missing = _missing(treatment)
    if missing:
        return Verdict.unknown, f"cannot tell, {', '.join(missing)} not recorded"
    return Verdict.counts, "counts"


def _refusal(treatment: PriorTreatment, criteria: TrdCriteria) -> str | None:
    """The first reason the trial cannot count, checked in a fixed order."""
    if treatment.kind != TreatmentKind.antidepressant.value:
        name = _KIND_NAMES.get(TreatmentKind(treatment.kind), treatment.kind)
        return f"{name} is not an antidepressant medication trial"
    if not treatment.in_current_episode:
        return "in a previous episode"
    if treatment.adequate_dose is False:
        return "dose not adequate"
    if treatment.weeks is not None and treatment.weeks < criteria.min_weeks:
        return f"too short (needs {criteria.min_weeks})"
    if treatment.adherence == Adherence.poor.value:
        return "poor adherence"
    outcome = treatment.outcome
    if outcome in (TreatmentOutcome.response.value, TreatmentOutcome.remission.value):
        return f"{_words(outcome)}, not a failed trial"
    if outcome == TreatmentOutcome.not_tolerated.value:
        return "stopped for adverse effects, not a failed adequate trial"
    return None


def _missing(treatment: PriorTreatment) -> list[str]:
    unknown = (None, Adherence.unknown.value, TreatmentOutcome.unknown.value)
    missing = []
    if treatment.adequate_dose is None:
        missing.append("dose adequacy")
    if treatment.weeks is None:
        missing.append("duration")
    if treatment.adherence in unknown:
        missing.append("adherence")
    if treatment.outcome in unknown:
        missing.append("outcome")
    return missing


def describe(treatment: PriorTreatment) -> str:
    """Name a trial the way a clinician says it: drug, dose, weeks, adherence, outcome."""
    name = treatment.drug or _KIND_NAMES.get(TreatmentKind(treatment.kind), treatment.kind)
    parts = [name if treatment.dose_mg is None else f"{name} {treatment.dose_mg:g} mg"]
    if treatment.weeks is not None:
        parts.append(f"{treatment.weeks} week" + ("" if treatment.weeks == 1 else "s"))
    if treatment.adherence not in (None, Adherence.unknown.value):
        parts.append(f"{treatment.adherence} adherence")
    if treatment.outcome not in (None, TreatmentOutcome.unknown.value):
        parts.append(_words(treatment.outcome))
    return ", ".join(parts)


def _words(value: str | None) -> str:
    return (value or "").replace("_", " ")
