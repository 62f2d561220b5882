"""The checks behind the screening rules: pure functions of the recorded facts.

Every check is tri-state: triggered, clear, or undecided because an input is not recorded, in
which case it names the inputs it lacked instead of guessing.
"""

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from openkap.intake.models import Substance, SubstancePattern

Facts = Mapping[str, object]
Params = Mapping[str, int]


class Category(enum.StrEnum):
    absolute = "absolute"  # triggered: ineligible
    relative = "relative"  # triggered: needs a prescriber's review
    flag = "flag"  # informational: changes nothing


@dataclass(frozen=True)
class Param:
    name: str
    label: str
    default: int
    minimum: int
    maximum: int
    unit: str = ""


@dataclass(frozen=True)
class Finding:
    """What a check saw: triggered (None when undecided), in plain words, and what it lacked."""

    triggered: bool | None
    detail: str
    missing: tuple[str, ...] = ()


# Plain words for every input a rule reads; the screening names missing inputs with them.
INPUT_LABELS: dict[str, str] = {
    "aneurysmal_vascular_disease": "history of aneurysmal vascular disease",
    "arteriovenous_malformation": "history of arteriovenous malformation",
    "intracerebral_haemorrhage": "history of intracerebral haemorrhage",
    "ketamine_hypersensitivity": "hypersensitivity to ketamine or esketamine",
    "hypertension": "hypertension status",
    "baseline_sbp": "baseline blood pressure",
    "baseline_dbp": "baseline blood pressure",
    "cardiovascular_disease": "cardiovascular disease status",
    "psychosis": "psychosis history",
    "mood_disorder": "mood disorder history",
    "pregnant": "pregnancy status",
    "breastfeeding": "breastfeeding status",
    "sex_at_birth": "sex assigned at birth",
    "substance_use": "substance use history",
    "raised_intracranial_pressure": "raised intracranial pressure",
    "hepatic_impairment": "hepatic impairment status",
    "interstitial_cystitis": "interstitial cystitis",
    "recent_suicidal_behaviour": "recent suicidal behaviour",
    "last_suicide_attempt_on": "date of the last suicide attempt",
    "safety_plan_in_place": "safety plan",
    "cssrs_risk_level": "C-SSRS screener risk level",
    "cssrs_completed_on": "date of the C-SSRS screener",
    "age_years": "age (from the date of birth)",
    "screened_on": "date of the screening",
    "active_medications": "medication list",
    "diagnoses": "coded diagnoses",
}
VALUE_WORDS = {
    "bipolar_ii": "bipolar II",
    "bipolar_i_remote": "bipolar I without recent mania",
    "bipolar_i_recent_mania": "bipolar I with recent mania",
    "current_mania": "current mania",
}
# Substances the OpenKAP clinical reference singles out within substance use disorder.
HIGH_CONCERN_SUBSTANCES = frozenset(
    {Substance.ketamine, Substance.phencyclidine, Substance.other_dissociative, Substance.opioid}
)
SUD_PATTERN = SubstancePattern.current_use_disorder.value


def words(value: object) -> str:
    """Return a stored code as plain words."""
    return VALUE_WORDS.get(str(value), str(value).replace("_", " "))


def sentence(text: str) -> str:
    """Return the text with its first letter in capitals (the rest kept, unlike str.capitalize)."""
    return text[:1].upper() + text[1:]


def label(key: str) -> str:
    """Return the plain name of an input, as a list of missing data names it."""
    return INPUT_LABELS.get(key, key.replace("_", " "))


def reading_label(key: str) -> str:
    """Return the plain name of one stored input value (two inputs may share a label)."""
    return _READING_LABELS.get(key) or label(key)


_READING_LABELS = {
    "baseline_sbp": "baseline systolic pressure (mmHg)",
    "baseline_dbp": "baseline diastolic pressure (mmHg)",
}


def _undecided(*keys: str) -> Finding:
    names = ", ".join(dict.fromkeys(label(k) for k in keys))
    return Finding(None, f"Not recorded: {names}.", missing=keys)


def recorded_yes(key: str) -> Callable[[Facts, Params], Finding]:
    """A check triggered when a yes/no input is recorded as yes."""

    def check(facts: Facts, _params: Params) -> Finding:
        value = facts.get(key)
        if value is None:
            return _undecided(key)
        answer = "yes" if value else "no"
        return Finding(bool(value), f"{sentence(label(key))}: {answer}.")

    return check


def recorded_one_of(key: str, values: frozenset[str]) -> Callable[[Facts, Params], Finding]:
    """A check triggered when a coded input holds one of the given values."""

    def check(facts: Facts, _params: Params) -> Finding:
        value = facts.get(key)
        if value is None:
            return _undecided(key)
        return Finding(value in values, f"{sentence(label(key))}: {words(value)}.")

    return check


def check_blood_pressure(facts: Facts, params: Params) -> Finding:
    status, sbp, dbp = (
        facts.get("hypertension"),
        facts.get("baseline_sbp"),
        facts.get("baseline_dbp"),
    )
    limit = f"{params['sbp_above']}/{params['dbp_above']}"
    if status == "uncontrolled":
        return Finding(True, "Hypertension is recorded as uncontrolled.")
    high = (isinstance(sbp, int) and sbp > params["sbp_above"]) or (
        isinstance(dbp, int) and dbp > params["dbp_above"]
    )
    reading = f"{sbp if sbp is not None else '?'}/{dbp if dbp is not None else '?'}"
    if high:
        return Finding(True, f"Baseline blood pressure {reading} is above {limit}.")
    missing = [k for k in ("hypertension", "baseline_sbp", "baseline_dbp") if facts.get(k) is None]
    if missing:
        return _undecided(*missing)
    return Finding(
        False, f"Hypertension: {words(status)}; baseline blood pressure {reading} (limit {limit})."
    )


def check_pregnancy(facts: Facts, _params: Params) -> Finding:
    found = [k for k in ("pregnant", "breastfeeding") if facts.get(k) is True]
    if found:
        return Finding(True, sentence(" and ".join(label(k) for k in found)) + ": yes.")
    # Pregnancy cannot apply to a patient whose sex assigned at birth is male; a recorded "yes"
    # above still counts, whatever the sex.
    male = facts.get("sex_at_birth") == "male"
    missing = [k for k in ("pregnant", "breastfeeding") if facts.get(k) is None]
    if male and "pregnant" in missing:
        missing.remove("pregnant")
    if missing:
        return _undecided(*missing)
    return Finding(False, "Not pregnant and not breastfeeding.")


def check_substance_use(facts: Facts, _params: Params) -> Finding:
    rows = facts.get("substance_use")
    if not isinstance(rows, list):
        return _undecided("substance_use")
    disorders = [str(r["substance"]) for r in rows if r.get("pattern") == SUD_PATTERN]
    if not disorders:
        return Finding(False, "No active substance use disorder recorded.")
    concern = [words(s) for s in disorders if s in HIGH_CONCERN_SUBSTANCES]
    detail = "Active substance use disorder: " + ", ".join(words(s) for s in disorders) + "."
    if concern:
        detail += " Of particular concern: " + ", ".join(concern) + "."
    return Finding(True, detail)


def _within(facts: Facts, key: str, *, months: int) -> bool:
    """Tell whether the date under `key` lies less than `months` whole months before the run."""
    then, today = facts.get(key), facts.get("screened_on")
    if not (isinstance(then, date) and isinstance(today, date)):
        return False
    elapsed = (today.year - then.year) * 12 + today.month - then.month
    return elapsed - (1 if today.day < then.day else 0) < months


def check_suicidal_behaviour(facts: Facts, params: Params) -> Finding:
    reasons = []
    if facts.get("recent_suicidal_behaviour") is True:
        reasons.append("recent suicidal behaviour is recorded")
    window = params["within_months"]
    if _within(facts, "last_suicide_attempt_on", months=window):
        last = facts["last_suicide_attempt_on"]
        reasons.append(f"the last suicide attempt was within {window} months ({last})")
    # A high C-SSRS result speaks of the months before it was taken, so an old one is ignored.
    if facts.get("cssrs_risk_level") == "high" and _within(
        facts, "cssrs_completed_on", months=window
    ):
        reasons.append(f"a C-SSRS screener within {window} months gives high risk")
    plan = (
        "A safety plan is recorded."
        if facts.get("safety_plan_in_place")
        else "No safety plan is recorded: one is needed before treatment."
    )
    if reasons:
        return Finding(True, sentence("; ".join(reasons)) + ". " + plan)
    if facts.get("recent_suicidal_behaviour") is None:
        return _undecided("recent_suicidal_behaviour")
    return Finding(False, "No recent suicidal behaviour recorded.")


def check_age(facts: Facts, params: Params) -> Finding:
    age = facts.get("age_years")
    if not isinstance(age, int):
        return _undecided("age_years")
    minimum = params["min_age"]
    if age < minimum:
        return Finding(True, f"Age {age} is under the minimum of {minimum}.")
    return Finding(False, f"Age {age} (minimum {minimum}).")


def medication_of_class(drug_class: str, name: str) -> Callable[[Facts, Params], Finding]:
    """A flag raised by any active medication of one class."""

    def check(facts: Facts, _params: Params) -> Finding:
        rows = facts.get("active_medications")
        if not isinstance(rows, list):
            return _undecided("active_medications")
        names = [str(r["name"]) for r in rows if r.get("drug_class") == drug_class]
        if names:
            return Finding(True, f"Active {name}: " + ", ".join(names) + ".")
        return Finding(False, f"No active {name} recorded.")

    return check
