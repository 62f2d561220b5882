"""The suitability screening rule catalogue: what each rule reads, decides and cites.

The defaults follow the OpenKAP clinical reference, "Suitability screening (defaults)". A
clinic's rule set is data (which rules apply, with which parameters); the rules themselves, and
their sources, are code.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from openkap.intake.models import ScreeningOutcome
from openkap.intake.screening.coded_diagnoses import RULE_CODES, coded
from openkap.intake.screening.rule_checks import (
    Category,
    Facts,
    Finding,
    Param,
    Params,
    check_age,
    check_blood_pressure,
    check_pregnancy,
    check_substance_use,
    check_suicidal_behaviour,
    label,
    medication_of_class,
    recorded_one_of,
    recorded_yes,
)


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    category: Category
    inputs: tuple[str, ...]
    explanation: str
    source: str
    check: Callable[[Facts, Params], Finding] = field(repr=False)
    params: tuple[Param, ...] = ()

    def defaults(self) -> dict[str, int]:
        return {p.name: p.default for p in self.params}


CLINICAL = "OpenKAP clinical reference, Suitability screening (defaults)"
SPRAVATO = "Spravato (esketamine) nasal spray, US prescribing information (Janssen)"
KETALAR = "Ketalar (ketamine hydrochloride) injection, US prescribing information"
CONSENSUS = (
    "Sanacora G, Frye MA, McDonald W, et al. A consensus statement on the use of ketamine in "
    "the treatment of mood disorders. JAMA Psychiatry. 2017;74(4):399-405"
)
REMS_FORM = "Spravato REMS Patient Monitoring Form (concomitant medications)"


def _cite(*parts: str) -> str:
    return "; ".join((CLINICAL, *parts)) + "."


def _absolute(rule_id: str, title: str, why: str) -> Rule:
    return Rule(
        id=rule_id,
        title=title,
        category=Category.absolute,
        inputs=(rule_id,),
        explanation=why,
        source=_cite(f"{SPRAVATO}, section 4 Contraindications", KETALAR, CONSENSUS),
        check=recorded_yes(rule_id),
    )


def _medication_flag(drug_class: str, name: str, why: str, *sources: str) -> Rule:
    return Rule(
        id=f"medication_{drug_class}",
        title=f"Taking {name}",
        category=Category.flag,
        inputs=("active_medications",),
        explanation=why,
        source=_cite(*sources),
        check=medication_of_class(drug_class, name),
    )


_RAISES_BP = "Ketamine raises blood pressure for about an hour after a dose."
ABSOLUTE_RULES = (
    _absolute(
        "aneurysmal_vascular_disease",
        "Aneurysmal vascular disease",
        f"{_RAISES_BP} In aneurysmal vascular disease (aortic, intracranial or peripheral "
        "arterial) the rise can cause a rupture, so treatment is contraindicated.",
    ),
    _absolute(
        "arteriovenous_malformation",
        "Arteriovenous malformation",
        f"{_RAISES_BP} An arteriovenous malformation may bleed, so treatment is contraindicated.",
    ),
    _absolute(
        "intracerebral_haemorrhage",
        "History of intracerebral haemorrhage",
        f"{_RAISES_BP} After an intracerebral haemorrhage the rise risks a new bleed, so "
        "treatment is contraindicated.",
    ),
    _absolute(
        "ketamine_hypersensitivity",
        "Hypersensitivity to ketamine or esketamine",
        "A known hypersensitivity to ketamine or esketamine contraindicates both drugs.",
    ),
)

RELATIVE_RULES = (
    Rule(
        id="uncontrolled_hypertension",
        title="Uncontrolled hypertension",
        category=Category.relative,
        inputs=("hypertension", "baseline_sbp", "baseline_dbp"),
        explanation=f"{_RAISES_BP} Hypertension that is uncontrolled, or a baseline reading "
        "above the clinic's limit, needs a prescriber's review before treatment.",
        source=_cite(f"{SPRAVATO}, Warnings and Precautions: Increases in Blood Pressure", KETALAR),
        check=check_blood_pressure,
        params=(
            Param("sbp_above", "Systolic limit", 140, 100, 200, "mmHg"),
            Param("dbp_above", "Diastolic limit", 90, 60, 130, "mmHg"),
        ),
    ),
    Rule(
        id="unstable_cardiovascular_disease",
        title="Unstable cardiovascular disease",
        category=Category.relative,
        inputs=("cardiovascular_disease",),
        explanation="Rises in blood pressure and heart rate during treatment can strain an "
        "unstable heart or circulation.",
        source=_cite(SPRAVATO, CONSENSUS),
        check=recorded_one_of("cardiovascular_disease", frozenset({"unstable"})),
    ),
    Rule(
        id="psychosis",
        title="Current or past psychosis",
        category=Category.relative,
        inputs=("psychosis",),
        explanation="Ketamine can provoke or worsen psychotic symptoms in people with current "
        "or past psychosis or a schizophrenia-spectrum disorder.",
        source=_cite(CONSENSUS),
        check=recorded_one_of("psychosis", frozenset({"current", "past"})),
    ),
    Rule(
        id="mania",
        title="Current mania or bipolar I with recent mania",
        category=Category.relative,
        inputs=("mood_disorder",),
        explanation="Ketamine may precipitate mania during a manic episode or in bipolar I "
        "disorder with recent mania.",
        source=_cite(CONSENSUS),
        check=recorded_one_of(
            "mood_disorder", frozenset({"current_mania", "bipolar_i_recent_mania"})
        ),
    ),
    Rule(
        id="pregnancy_or_breastfeeding",
        title="Pregnancy or breastfeeding",
        category=Category.relative,
        inputs=("pregnant", "breastfeeding", "sex_at_birth"),
        explanation="Ketamine may harm a fetus and passes into breast milk; its safety in "
        "pregnancy and breastfeeding is not established. Pregnancy is not asked when the sex "
        "assigned at birth is male.",
        source=_cite(f"{SPRAVATO}, Use in Specific Populations", CONSENSUS),
        check=check_pregnancy,
    ),
    Rule(
        id="substance_use_disorder",
        title="Active substance use disorder",
        category=Category.relative,
        inputs=("substance_use",),
        explanation="Ketamine can be misused. An active substance use disorder needs review, "
        "above all with ketamine, PCP or other dissociatives, or opioids.",
        source=_cite(f"{SPRAVATO}, Warnings and Precautions: Abuse and Misuse", CONSENSUS),
        check=check_substance_use,
    ),
    Rule(
        id="raised_intracranial_pressure",
        title="Raised intracranial pressure",
        category=Category.relative,
        inputs=("raised_intracranial_pressure",),
        explanation="Ketamine may raise intracranial pressure further.",
        source=_cite(KETALAR, SPRAVATO),
        check=recorded_yes("raised_intracranial_pressure"),
    ),
    Rule(
        id="severe_hepatic_impairment",
        title="Severe hepatic impairment",
        category=Category.relative,
        inputs=("hepatic_impairment",),
        explanation="Ketamine is cleared by the liver; severe impairment prolongs and "
        "strengthens its effects.",
        source=_cite(f"{SPRAVATO}, Use in Specific Populations: Hepatic Impairment"),
        check=recorded_one_of("hepatic_impairment", frozenset({"severe"})),
    ),
    Rule(
        id="interstitial_cystitis",
        title="Interstitial cystitis",
        category=Category.relative,
        inputs=("interstitial_cystitis",),
        explanation="Ketamine is associated with ulcerative cystitis; existing bladder "
        "inflammation may get worse.",
        source=_cite(
            "Shahani R, et al. Ketamine-associated ulcerative cystitis: a new clinical entity. "
            "Urology. 2007;69(5):810-812"
        ),
        check=recorded_yes("interstitial_cystitis"),
    ),
    Rule(
        id="recent_suicidal_behaviour",
        title="Recent suicidal behaviour",
        category=Category.relative,
        inputs=(
            "recent_suicidal_behaviour",
            "last_suicide_attempt_on",
            "safety_plan_in_place",
            "cssrs_risk_level",
            "cssrs_completed_on",
            "screened_on",
        ),
        explanation="Recent suicidal behaviour is not an automatic exclusion: a prescriber "
        "reviews it together with the patient's written safety plan.",
        source=_cite(
            CONSENSUS,
            "Posner K, et al. The Columbia-Suicide Severity Rating Scale. Am J Psychiatry. "
            "2011;168(12):1266-1277 (behaviour within 3 months counts as high risk)",
        ),
        check=check_suicidal_behaviour,
        params=(Param("within_months", "Attempt counts as recent within", 3, 1, 120, "months"),),
    ),
    Rule(
        id="under_minimum_age",
        title="Under the minimum age",
        category=Category.relative,
        inputs=("age_years",),
        explanation="Ketamine treatment for depression is studied and labelled for adults; "
        "a younger patient needs a prescriber's review.",
        source=_cite(f"{SPRAVATO}, Indications (adults)", CONSENSUS),
        check=check_age,
        params=(Param("min_age", "Minimum age", 18, 18, 100, "years"),),
    ),
)

_BLUNTS = "may blunt the antidepressant response to ketamine"
FLAG_RULES = (
    _medication_flag(
        "benzodiazepine",
        "benzodiazepine",
        f"Benzodiazepines {_BLUNTS}, and add to sedation. The esketamine REMS form asks.",
        "Frye MA, Blier P, Tye SJ. Concomitant benzodiazepine use attenuates ketamine response. "
        "J Clin Psychopharmacol. 2015;35(3):334-336",
        REMS_FORM,
    ),
    _medication_flag(
        "lamotrigine",
        "lamotrigine",
        f"Lamotrigine {_BLUNTS}.",
        "Anand A, et al. Attenuation of the neuropsychiatric effects of ketamine with "
        "lamotrigine. Arch Gen Psychiatry. 2000;57(3):270-276",
    ),
    _medication_flag(
        "maoi",
        "MAOI",
        "Monoamine oxidase inhibitors with ketamine may raise blood pressure further. "
        "The esketamine REMS form asks.",
        f"{SPRAVATO}, Drug Interactions",
        REMS_FORM,
    ),
    _medication_flag(
        "stimulant",
        "psychostimulant",
        "Psychostimulants with ketamine may raise blood pressure further. "
        "The esketamine REMS form asks.",
        f"{SPRAVATO}, Drug Interactions",
        REMS_FORM,
    ),
    _medication_flag(
        "opioid",
        "opioid",
        "Opioids add to sedation and respiratory depression. The esketamine REMS form asks.",
        f"{SPRAVATO}, Drug Interactions",
        REMS_FORM,
    ),
    _medication_flag(
        "sedative_hypnotic",
        "sedative-hypnotic",
        "Non-benzodiazepine sedative-hypnotics add to sedation. The esketamine REMS form asks.",
        f"{SPRAVATO}, Drug Interactions",
        REMS_FORM,
    ),
)


def _reads_codes(rule: Rule) -> Rule:
    """Let a rule with ICD-10-CM codes read the coded diagnoses too, and cite the code list."""
    codes = RULE_CODES.get(rule.id)
    if codes is None:
        return rule
    return replace(
        rule,
        inputs=(*rule.inputs, "diagnoses"),
        source=f"{rule.source.removesuffix('.')}; {codes.source}.",
        check=coded(rule.id, rule.check),
    )


CATALOGUE: dict[str, Rule] = {
    r.id: _reads_codes(r) for r in (*ABSOLUTE_RULES, *RELATIVE_RULES, *FLAG_RULES)
}


def configured(entries: Sequence[Mapping[str, Any]]) -> list[tuple[Rule, dict[str, int]]]:
    """Return the enabled rules of a stored rule set with their parameters, in catalogue order.

    A rule added to the catalogue after the set was stored applies with its defaults: a new
    safety check must not stay off silently because nobody had a chance to choose.
    """
    stored = {entry["rule_id"]: entry for entry in entries}
    chosen = []
    for rule in CATALOGUE.values():
        entry = stored.get(rule.id, {"enabled": True, "params": {}})
        if entry["enabled"]:
            chosen.append((rule, {**rule.defaults(), **entry.get("params", {})}))
    return chosen


@dataclass(frozen=True)
class RuleOutcome:
    """One rule applied to one patient's facts."""

    rule: Rule
    finding: Finding
    inputs: dict[str, object]

    @property
    def explanation(self) -> str:
        if self.finding.triggered is None:
            return f"{self.finding.detail} Record it and run the screening again."
        if self.finding.triggered:
            return f"{self.finding.detail} {self.rule.explanation}"
        return self.finding.detail


def _json_safe(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    return value


def evaluate(rule: Rule, params: Mapping[str, int], facts: Facts) -> RuleOutcome:
    """Apply one rule to the facts and keep what it read."""
    inputs = {key: _json_safe(facts.get(key)) for key in rule.inputs}
    return RuleOutcome(rule=rule, finding=rule.check(facts, params), inputs=inputs)


@dataclass(frozen=True)
class Decision:
    outcome: ScreeningOutcome
    missing: list[str]
    explanation: str


def _titles(outcomes: Sequence[RuleOutcome], category: Category) -> list[str]:
    return [o.rule.title for o in outcomes if o.rule.category == category and o.finding.triggered]


def decide(outcomes: Sequence[RuleOutcome]) -> Decision:
    """Combine the rules: absolute beats relative beats missing data; flags change nothing."""
    deciding = [o for o in outcomes if o.rule.category != Category.flag]
    missing = list(
        dict.fromkeys(
            label(key) for o in deciding if o.finding.triggered is None for key in o.finding.missing
        )
    )
    absolute, relative = _titles(outcomes, Category.absolute), _titles(outcomes, Category.relative)
    if absolute:
        outcome, text = ScreeningOutcome.ineligible, "Ineligible: " + "; ".join(absolute) + "."
    elif relative:
        outcome = ScreeningOutcome.needs_review
        text = "Needs a prescriber's review: " + "; ".join(relative) + "."
    elif missing:
        outcome = ScreeningOutcome.incomplete
        text = f"Incomplete: record {', '.join(missing)}, then run the screening again."
    else:
        outcome, text = ScreeningOutcome.eligible, "Eligible: no contraindication found."
    if missing and outcome != ScreeningOutcome.incomplete:
        text += " Still to record before any override: " + ", ".join(missing) + "."
    flags = _titles(outcomes, Category.flag)
    if flags:
        text += " Medication flags: " + "; ".join(flags) + "."
    return Decision(outcome=outcome, missing=missing, explanation=text)
