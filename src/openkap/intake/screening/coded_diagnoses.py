"""Coded diagnoses a screening rule reads besides the history answers (ICD-10-CM prefixes).

A recorded diagnosis whose code starts with one of a rule's prefixes triggers that rule even
when the history answer says no, and the rule's explanation names the contradiction. A code
prefix is the category or subcategory as printed in the tabular list: "I71" covers I71.0-I71.9.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from openkap.intake.screening.rule_checks import Facts, Finding, Params

Check = Callable[[Facts, Params], Finding]

ICD10CM = "ICD-10-CM Tabular List of Diseases and Injuries, FY2024 (CDC/NCHS)"


@dataclass(frozen=True)
class RuleCodes:
    """The code prefixes that trigger a rule, and where they come from."""

    prefixes: tuple[str, ...]
    source: str


RULE_CODES: dict[str, RuleCodes] = {
    "aneurysmal_vascular_disease": RuleCodes(
        ("I71", "I67.1", "I72"),
        f"{ICD10CM}: I71 aortic aneurysm and dissection, I67.1 cerebral aneurysm "
        "nonruptured, I72 other aneurysm",
    ),
    "arteriovenous_malformation": RuleCodes(
        ("Q28.2", "Q28.3"),
        f"{ICD10CM}: Q28.2 arteriovenous malformation of cerebral vessels, Q28.3 other "
        "malformations of cerebral vessels",
    ),
    "intracerebral_haemorrhage": RuleCodes(
        ("I61", "I62"),
        f"{ICD10CM}: I61 nontraumatic intracerebral hemorrhage, I62 other nontraumatic "
        "intracranial hemorrhage",
    ),
    "pregnancy_or_breastfeeding": RuleCodes(
        ("O", "Z33.1"),
        f"{ICD10CM}: chapter 15 O00-O9A pregnancy, childbirth and the puerperium, Z33.1 "
        "pregnant state, incidental",
    ),
    "psychosis": RuleCodes(
        ("F2",),
        f"{ICD10CM}: F20-F29 schizophrenia, schizotypal, delusional and other non-mood "
        "psychotic disorders",
    ),
    "mania": RuleCodes(
        ("F30", "F31.1", "F31.2"),
        f"{ICD10CM}: F30 manic episode, F31.1-F31.2 bipolar disorder, current episode manic",
    ),
    "raised_intracranial_pressure": RuleCodes(
        ("G93.2",), f"{ICD10CM}: G93.2 benign intracranial hypertension"
    ),
    "interstitial_cystitis": RuleCodes(("N30.1",), f"{ICD10CM}: N30.1 interstitial cystitis"),
    # The stricter reading: any recorded allergy to an anaesthetic agent, or an adverse effect of
    # a general anaesthetic other than the listed ones (ketamine's code), holds the course.
    "ketamine_hypersensitivity": RuleCodes(
        ("Z88.4", "T41.29"),
        f"{ICD10CM}: Z88.4 allergy status to anesthetic agent, T41.29- other general "
        "anesthetics (poisoning, adverse effect, underdosing), which include ketamine",
    ),
}
# Names of the drugs in a free-text allergy entry that trigger the hypersensitivity rule.
ALLERGY_NAMES = ("ketamin", "esketamin", "spravato", "ketalar")


def matching(rule_id: str, diagnoses: object) -> list[Mapping[str, object]]:
    """Return the recorded diagnoses whose codes trigger the rule."""
    codes = RULE_CODES.get(rule_id)
    if codes is None or not isinstance(diagnoses, Sequence):
        return []
    return [
        row
        for row in diagnoses
        if isinstance(row, Mapping) and str(row.get("code", "")).startswith(codes.prefixes)
    ]


def _named(rows: list[Mapping[str, object]]) -> str:
    return ", ".join(f"{row['code']} ({row.get('label', '')})" for row in rows)


def with_diagnoses(rule_id: str, finding: Finding, diagnoses: object) -> Finding:
    """Return the history finding, triggered and explained by any matching coded diagnosis."""
    rows = matching(rule_id, diagnoses)
    if not rows:
        return finding
    noun, verb = ("diagnoses", "are") if len(rows) > 1 else ("diagnosis", "is")
    if finding.triggered is True:
        return Finding(True, f"{finding.detail} Coded {noun} recorded too: {_named(rows)}.")
    history = "history says no" if finding.triggered is False else "history is not recorded"
    return Finding(
        True,
        f"{finding.detail} Contradiction: {history}, but {noun} {_named(rows)} {verb} recorded.",
    )


def with_allergy(rule_id: str, finding: Finding, allergies: object) -> Finding:
    """Trigger the hypersensitivity rule when the recorded allergies name ketamine or esketamine."""
    text = allergies.lower() if isinstance(allergies, str) else ""
    if rule_id != "ketamine_hypersensitivity" or not any(name in text for name in ALLERGY_NAMES):
        return finding
    if finding.triggered is True:
        return Finding(True, f"{finding.detail} The recorded allergies name it too.")
    return Finding(
        True,
        f"{finding.detail} Contradiction: the history does not say so, but the recorded "
        f"allergies do: {allergies!s:.120}.",
    )


def coded(rule_id: str, check: Check) -> Check:
    """Wrap a rule's check so that a matching coded diagnosis (or allergy entry) triggers it."""

    def with_codes(facts: Facts, params: Params) -> Finding:
        finding = with_diagnoses(rule_id, check(facts, params), facts.get("diagnoses"))
        return with_allergy(rule_id, finding, facts.get("allergies"))

    return with_codes
