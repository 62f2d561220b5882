"""How the intake record is divided into sections, and how each field is asked on the page.

The API takes any field in one PATCH; the page saves one section at a time, so two clinicians can
fill in different sections without overwriting each other's unsaved answers.
"""

import enum
from dataclasses import dataclass, field

from openkap.intake.models import (
    Adherence,
    HepaticStatus,
    HypertensionStatus,
    MoodHistory,
    PsychosisHistory,
    Severity3,
    Substance,
    SubstancePattern,
    TreatmentKind,
    TreatmentOutcome,
)

TEXT_FIELDS = frozenset({"presenting_problem", "trauma_history", "allergies"})


class Section(enum.StrEnum):
    """The parts of the intake form; each is saved on its own."""

    presenting = "presenting"
    psychiatric = "psychiatric"
    medical = "medical"
    vitals = "vitals"


SECTION_FIELDS: dict[Section, tuple[str, ...]] = {
    Section.presenting: ("presenting_problem",),
    Section.psychiatric: (
        "psychosis",
        "mood_disorder",
        "suicide_attempts",
        "last_suicide_attempt_on",
        "recent_suicidal_behaviour",
        "safety_plan_in_place",
        "self_harm",
        "trauma_history",
    ),
    Section.medical: (
        "aneurysmal_vascular_disease",
        "arteriovenous_malformation",
        "intracerebral_haemorrhage",
        "ketamine_hypersensitivity",
        "cardiovascular_disease",
        "hypertension",
        "raised_intracranial_pressure",
        "hepatic_impairment",
        "interstitial_cystitis",
        "pregnant",
        "breastfeeding",
        "seizures",
        "allergies",
    ),
    Section.vitals: ("baseline_sbp", "baseline_dbp", "baseline_hr", "baseline_spo2", "height_cm"),
}

FIELD_LABELS: dict[str, str] = {
    "presenting_problem": "Presenting problem",
    "psychosis": "Psychosis",
    "mood_disorder": "Mania / bipolar disorder",
    "suicide_attempts": "Suicide attempts (lifetime number)",
    "last_suicide_attempt_on": "Most recent suicide attempt",
    "recent_suicidal_behaviour": "Suicidal behaviour in the past 3 months",
    "safety_plan_in_place": "Safety plan in place",
    "self_harm": "Self-harm",
    "trauma_history": "Trauma history",
    "aneurysmal_vascular_disease": "Aneurysmal vascular disease (aortic, intracranial, peripheral)",
    "arteriovenous_malformation": "Arteriovenous malformation",
    "intracerebral_haemorrhage": "History of intracerebral haemorrhage",
    "ketamine_hypersensitivity": "Hypersensitivity to ketamine or esketamine",
    "cardiovascular_disease": "Cardiovascular disease",
    "hypertension": "Hypertension",
    "raised_intracranial_pressure": "Raised intracranial pressure",
    "hepatic_impairment": "Hepatic impairment",
    "interstitial_cystitis": "Interstitial cystitis / urological disease",
    "pregnant": "Pregnant",
    "breastfeeding": "Breastfeeding",
    "seizures": "Seizures / epilepsy",
    "allergies": "Allergies",
    "baseline_sbp": "Systolic BP (mmHg)",
    "baseline_dbp": "Diastolic BP (mmHg)",
    "baseline_hr": "Heart rate (/min)",
    "baseline_spo2": "SpO2 (%)",
    "height_cm": "Height (cm)",
}

Choices = list[tuple[str, str]]
NOT_RECORDED = ("", "Not recorded")
YES_NO: Choices = [NOT_RECORDED, ("yes", "Yes"), ("no", "No")]
_ENUMS: dict[str, type[enum.StrEnum]] = {
    "psychosis": PsychosisHistory,
    "mood_disorder": MoodHistory,
    "cardiovascular_disease": Severity3,
    "hypertension": HypertensionStatus,
    "hepatic_impairment": HepaticStatus,
}
_WORDS = {
    "bipolar_ii": "Bipolar II",
    "bipolar_i_remote": "Bipolar I, no recent mania",
    "bipolar_i_recent_mania": "Bipolar I with recent mania",
    "current_mania": "Current mania",
}
_KIND_WORDS = {"antidepressant": "Antidepressant trial", "ect": "ECT", "tms": "TMS"}
# The bounds the schema enforces, repeated as input hints so nobody has to guess them.
_NUMBERS: dict[str, tuple[int, int, str]] = {
    "suicide_attempts": (0, 100, ""),
    "baseline_sbp": (60, 260, "60-260 mmHg"),
    "baseline_dbp": (30, 160, "30-160 mmHg"),
    "baseline_hr": (25, 220, "25-220 per minute"),
    "baseline_spo2": (50, 100, "50-100 %"),
    "height_cm": (100, 250, "100-250 cm"),
}


@dataclass(frozen=True, slots=True)
class Widget:
    """How one field is asked: kind is textarea, number, date or select."""

    kind: str
    choices: Choices = field(default_factory=list)
    hint: str = ""
    attrs: str = ""


def _choices(values: type[enum.StrEnum]) -> Choices:
    return [NOT_RECORDED] + [
        (v.value, _WORDS.get(v.value, v.value.replace("_", " ").capitalize())) for v in values
    ]


def widget_for(name: str) -> Widget:
    """Return how the page asks for an intake field."""
    if name in TEXT_FIELDS:
        return Widget("textarea")
    if name in _ENUMS:
        return Widget("select", _choices(_ENUMS[name]))
    if name in _NUMBERS:
        low, high, hint = _NUMBERS[name]
        return Widget("number", hint=hint, attrs=f'min="{low}" max="{high}" inputmode="numeric"')
    if name.endswith("_on"):
        return Widget("date")
    return Widget("select", YES_NO)


WIDGETS: dict[str, Widget] = {
    name: widget_for(name) for names in SECTION_FIELDS.values() for name in names
}


def _listed(values: type[enum.StrEnum]) -> Choices:
    return [(v.value, v.value.replace("_", " ").capitalize()) for v in values]


# Choices of the intake's lists (substance use, prior treatments), without a blank entry.
ITEM_CHOICES: dict[str, Choices] = {
    "substance": _listed(Substance),
    "pattern": _listed(SubstancePattern),
    "kind": [(k.value, _KIND_WORDS.get(k.value, k.value.capitalize())) for k in TreatmentKind],
    "adherence": _listed(Adherence),
    "outcome": _listed(TreatmentOutcome),
}
