"""The screening rule catalogue, applied to facts without a database: one patient per rule."""

from datetime import date

import pytest

from openkap.intake.models import ScreeningOutcome
from openkap.intake.screening.rule_checks import Category
from openkap.intake.screening.rules import CATALOGUE, configured, decide, evaluate
from openkap.intake.screening.rulesets import default_entries
from tests.intake.screening_builders import ABSOLUTE, CLEAR_INTAKE, DRUG_CLASSES, TRIGGERS

TODAY = date(2026, 3, 15)
E, R, INE, INC = (
    ScreeningOutcome.eligible,
    ScreeningOutcome.needs_review,
    ScreeningOutcome.ineligible,
    ScreeningOutcome.incomplete,
)


def facts(**changes):
    """The facts of a 40-year-old woman with every input recorded and nothing to flag."""
    base = {
        **CLEAR_INTAKE,
        "last_suicide_attempt_on": None,
        "screened_on": TODAY,
        "age_years": 40,
        "sex_at_birth": "female",
        "active_medications": [],
        "substance_use": [],
        "cssrs_risk_level": None,
        "cssrs_completed_on": None,
    }
    return {**base, **changes}


def screen(found, entries=None):
    outcomes = [evaluate(r, p, found) for r, p in configured(entries or default_entries())]
    return decide(outcomes), {o.rule.id: o for o in outcomes}


def triggered(by_rule):
    return {rule_id for rule_id, o in by_rule.items() if o.finding.triggered}


# One patient per default rule: the change that makes that rule, and no other, trigger.
ONE_PER_RULE = {
    **{rule_id: facts(**change) for rule_id, change in TRIGGERS.items()},
    "substance_use_disorder": facts(
        substance_use=[{"substance": "alcohol", "pattern": "current_use_disorder"}]
    ),
    "under_minimum_age": facts(age_years=17),
    **{
        f"medication_{cls}": facts(active_medications=[{"name": "Drug", "drug_class": cls}])
        for cls in DRUG_CLASSES
    },
}


def test_the_catalogue_holds_every_default_rule_of_clinical_md_in_its_category():
    by_category = {c: {r.id for r in CATALOGUE.values() if r.category == c} for c in Category}
    assert by_category[Category.absolute] == ABSOLUTE
    assert by_category[Category.relative] == set(TRIGGERS) - ABSOLUTE | {
        "substance_use_disorder",
        "under_minimum_age",
    }
    assert by_category[Category.flag] == {f"medication_{cls}" for cls in DRUG_CLASSES}


def test_every_rule_has_a_title_an_explanation_and_a_cited_source():
    for rule in CATALOGUE.values():
        assert rule.title, rule.id
        assert len(rule.explanation) > 20, rule.id
        assert rule.source.startswith("OpenKAP clinical reference"), rule.id
        assert rule.inputs, rule.id


def test_a_patient_with_every_input_clear_is_eligible():
    decision, by_rule = screen(facts())
    assert decision.outcome == E
    assert decision.missing == []
    assert triggered(by_rule) == set()


@pytest.mark.parametrize("rule_id", sorted(ONE_PER_RULE))
def test_each_default_rule_triggers_alone_and_gives_its_outcome(rule_id):
    decision, by_rule = screen(ONE_PER_RULE[rule_id])
    assert triggered(by_rule) == {rule_id}
    expected = {Category.absolute: INE, Category.relative: R, Category.flag: E}
    assert decision.outcome == expected[CATALOGUE[rule_id].category]
    assert decision.missing == []
    assert CATALOGUE[rule_id].title in decision.explanation


def test_every_rule_of_the_catalogue_has_its_own_patient():
    assert set(ONE_PER_RULE) == set(CATALOGUE)


def test_an_absolute_contraindication_beats_a_relative_one():
    decision, by_rule = screen(facts(intracerebral_haemorrhage=True, psychosis="current"))
    assert triggered(by_rule) == {"intracerebral_haemorrhage", "psychosis"}
    assert decision.outcome == INE


def test_several_relative_contraindications_need_review_and_are_all_named():
    decision, _ = screen(facts(psychosis="current", interstitial_cystitis=True, age_years=16))
    assert decision.outcome == R
    for title in ("Current or past psychosis", "Interstitial cystitis", "Under the minimum age"):
        assert title in decision.explanation


def test_medication_flags_alone_leave_the_patient_eligible_and_are_named():
    meds = [
        {"name": n, "drug_class": c}
        for n, c in [("Lorazepam", "benzodiazepine"), ("Lamictal", "lamotrigine")]
    ]
    decision, by_rule = screen(facts(active_medications=meds))
    assert decision.outcome == E
    assert triggered(by_rule) == {"medication_benzodiazepine", "medication_lamotrigine"}
    assert "Medication flags: Taking benzodiazepine; Taking lamotrigine." in decision.explanation
    assert "Lorazepam" in by_rule["medication_benzodiazepine"].explanation


def test_a_flag_with_a_relative_contraindication_still_needs_review():
    meds = [{"name": "Adderall", "drug_class": "stimulant"}]
    decision, _ = screen(facts(active_medications=meds, hypertension="uncontrolled"))
    assert decision.outcome == R


REQUIRED = {
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
    "substance_use": "substance use history",
    "raised_intracranial_pressure": "raised intracranial pressure",
    "hepatic_impairment": "hepatic impairment status",
    "interstitial_cystitis": "interstitial cystitis",
    "recent_suicidal_behaviour": "recent suicidal behaviour",
}


@pytest.mark.parametrize("key", sorted(REQUIRED))
def test_a_missing_required_input_makes_the_screening_incomplete_and_names_it(key):
    decision, _ = screen(facts(**{key: None}))
    assert decision.outcome == INC
    assert decision.missing == [REQUIRED[key]]
    assert REQUIRED[key] in decision.explanation


@pytest.mark.parametrize("rule_id", sorted(ABSOLUTE))
def test_an_unrecorded_absolute_contraindication_never_gives_eligible(rule_id):
    decision, by_rule = screen(facts(**{rule_id: None}))
    assert by_rule[rule_id].finding.triggered is None
    assert decision.outcome == INC


def test_nothing_recorded_names_every_missing_input_once():
    decision, _ = screen(facts(**dict.fromkeys(REQUIRED)))
    assert decision.outcome == INC
    assert decision.missing == list(
        dict.fromkeys(REQUIRED[k] for k in REQUIRED if k != "baseline_dbp")
    )


def test_missing_data_beside_a_relative_contraindication_is_still_named():
    decision, _ = screen(facts(psychosis="past", pregnant=None))
    assert decision.outcome == R
    assert decision.missing == ["pregnancy status"]
    assert "Still to record before any override: pregnancy status." in decision.explanation


def test_an_unrecorded_medication_list_leaves_flags_undecided_but_does_not_block():
    decision, by_rule = screen(facts(active_medications=None))
    assert by_rule["medication_opioid"].finding.triggered is None
    assert decision.outcome == E
    assert decision.missing == []


def _bp(found, entries=None):
    return screen(found, entries)[1]["uncontrolled_hypertension"].finding


@pytest.mark.parametrize(
    ("sbp", "dbp", "expected"),
    [(140, 90, False), (141, 80, True), (130, 91, True), (180, 100, True), (100, 60, False)],
)
def test_baseline_blood_pressure_above_140_over_90_triggers_review(sbp, dbp, expected):
    assert _bp(facts(baseline_sbp=sbp, baseline_dbp=dbp)).triggered is expected


def test_uncontrolled_hypertension_triggers_even_without_a_reading():
    finding = _bp(facts(hypertension="uncontrolled", baseline_sbp=None, baseline_dbp=None))
    assert finding.triggered is True
    assert finding.missing == ()


def test_a_high_reading_triggers_even_when_the_hypertension_status_is_missing():
    assert _bp(facts(hypertension=None, baseline_sbp=165)).triggered is True


def test_blood_pressure_thresholds_come_from_the_rule_set():
    entries = [
        {**e, "params": {"sbp_above": 150, "dbp_above": 95}}
        if e["rule_id"] == "uncontrolled_hypertension"
        else e
        for e in default_entries()
    ]
    found = facts(baseline_sbp=148, baseline_dbp=93)
    assert _bp(found).triggered is True
    assert _bp(found, entries).triggered is False
    assert "limit 150/95" in _bp(found, entries).detail


def test_controlled_hypertension_with_a_normal_reading_is_clear():
    assert _bp(facts(hypertension="controlled")).triggered is False


def _rule(found, rule_id, entries=None):
    return screen(found, entries)[1][rule_id].finding


@pytest.mark.parametrize(
    ("mood", "expected"),
    [
        ("none", False),
        ("bipolar_ii", False),
        ("bipolar_i_remote", False),
        ("bipolar_i_recent_mania", True),
        ("current_mania", True),
    ],
)
def test_only_current_mania_or_bipolar_i_with_recent_mania_triggers(mood, expected):
    assert _rule(facts(mood_disorder=mood), "mania").triggered is expected


@pytest.mark.parametrize(
    ("psychosis", "expected"), [("none", False), ("past", True), ("current", True)]
)
def test_current_or_past_psychosis_triggers(psychosis, expected):
    assert _rule(facts(psychosis=psychosis), "psychosis").triggered is expected


@pytest.mark.parametrize(
    ("status", "expected"), [("none", False), ("stable", False), ("unstable", True)]
)
def test_only_unstable_cardiovascular_disease_triggers(status, expected):
    finding = _rule(facts(cardiovascular_disease=status), "unstable_cardiovascular_disease")
    assert finding.triggered is expected


@pytest.mark.parametrize(
    ("status", "expected"), [("mild", False), ("moderate", False), ("severe", True)]
)
def test_only_severe_hepatic_impairment_triggers(status, expected):
    assert (
        _rule(facts(hepatic_impairment=status), "severe_hepatic_impairment").triggered is expected
    )


def test_breastfeeding_triggers_the_pregnancy_rule():
    finding = _rule(facts(breastfeeding=True), "pregnancy_or_breastfeeding")
    assert finding.triggered is True
    assert finding.detail == "Breastfeeding status: yes."


def test_pregnancy_is_not_asked_of_a_patient_male_at_birth():
    found = facts(sex_at_birth="male", pregnant=None)
    assert _rule(found, "pregnancy_or_breastfeeding").triggered is False
    assert screen(found)[0].outcome == E


def test_breastfeeding_is_still_asked_of_a_patient_male_at_birth():
    finding = _rule(
        facts(sex_at_birth="male", pregnant=None, breastfeeding=None), "pregnancy_or_breastfeeding"
    )
    assert finding.triggered is None
    assert finding.missing == ("breastfeeding",)


def test_a_recorded_pregnancy_counts_whatever_the_sex_recorded():
    found = facts(sex_at_birth="male", pregnant=True)
    assert _rule(found, "pregnancy_or_breastfeeding").triggered is True


@pytest.mark.parametrize("substance", ["ketamine", "phencyclidine", "other_dissociative", "opioid"])
def test_use_disorders_of_dissociatives_and_opioids_are_named_of_particular_concern(substance):
    rows = [{"substance": substance, "pattern": "current_use_disorder"}]
    finding = _rule(facts(substance_use=rows), "substance_use_disorder")
    assert finding.triggered is True
    assert "Of particular concern: " + substance.replace("_", " ") in finding.detail


@pytest.mark.parametrize("pattern", ["past_use_disorder", "in_remission", "occasional_use"])
def test_substance_use_that_is_not_a_current_disorder_does_not_trigger(pattern):
    rows = [{"substance": "ketamine", "pattern": pattern}]
    assert _rule(facts(substance_use=rows), "substance_use_disorder").triggered is False


def test_recent_suicidal_behaviour_without_a_safety_plan_says_one_is_needed():
    finding = _rule(facts(recent_suicidal_behaviour=True), "recent_suicidal_behaviour")
    assert finding.triggered is True
    assert "No safety plan is recorded: one is needed before treatment." in finding.detail


def test_recent_suicidal_behaviour_with_a_safety_plan_still_needs_review():
    found = facts(recent_suicidal_behaviour=True, safety_plan_in_place=True)
    finding = _rule(found, "recent_suicidal_behaviour")
    assert finding.triggered is True
    assert "A safety plan is recorded." in finding.detail
    assert screen(found)[0].outcome == R


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [(date(2026, 1, 20), True), (date(2025, 12, 16), True), (date(2025, 12, 15), False)],
)
def test_a_suicide_attempt_within_three_months_counts_as_recent(attempt, expected):
    found = facts(last_suicide_attempt_on=attempt)
    assert _rule(found, "recent_suicidal_behaviour").triggered is expected


def test_the_recent_window_comes_from_the_rule_set():
    entries = [
        {**e, "params": {"within_months": 12}} if e["rule_id"] == "recent_suicidal_behaviour" else e
        for e in default_entries()
    ]
    found = facts(last_suicide_attempt_on=date(2025, 6, 1))
    assert _rule(found, "recent_suicidal_behaviour").triggered is False
    assert _rule(found, "recent_suicidal_behaviour", entries).triggered is True


def test_a_recent_high_risk_c_ssrs_triggers_even_when_the_intake_is_silent():
    found = facts(
        recent_suicidal_behaviour=None, cssrs_risk_level="high", cssrs_completed_on=date(2026, 3, 1)
    )
    finding = _rule(found, "recent_suicidal_behaviour")
    assert finding.triggered is True
    assert "C-SSRS" in finding.detail


def test_an_old_high_risk_c_ssrs_does_not_count_as_recent():
    found = facts(cssrs_risk_level="high", cssrs_completed_on=date(2025, 1, 1))
    assert _rule(found, "recent_suicidal_behaviour").triggered is False


@pytest.mark.parametrize(("age", "expected"), [(17, True), (18, False), (65, False)])
def test_patients_under_18_need_review(age, expected):
    assert _rule(facts(age_years=age), "under_minimum_age").triggered is expected


def test_the_minimum_age_comes_from_the_rule_set():
    entries = [
        {**e, "params": {"min_age": 21}} if e["rule_id"] == "under_minimum_age" else e
        for e in default_entries()
    ]
    assert _rule(facts(age_years=19), "under_minimum_age", entries).triggered is True


def test_a_disabled_rule_is_not_evaluated():
    entries = [{**e, "enabled": e["rule_id"] != "psychosis"} for e in default_entries()]
    decision, by_rule = screen(facts(psychosis="current"), entries)
    assert "psychosis" not in by_rule
    assert decision.outcome == E


def test_a_rule_missing_from_a_stored_set_applies_with_its_defaults():
    entries = [e for e in default_entries() if e["rule_id"] != "interstitial_cystitis"]
    decision, by_rule = screen(facts(interstitial_cystitis=True), entries)
    assert by_rule["interstitial_cystitis"].finding.triggered is True
    assert decision.outcome == R


def test_inputs_are_kept_as_json_safe_values():
    found = facts(last_suicide_attempt_on=date(2025, 1, 2))
    outcome = screen(found)[1]["recent_suicidal_behaviour"]
    assert outcome.inputs["last_suicide_attempt_on"] == "2025-01-02"
    assert outcome.inputs["screened_on"] == TODAY.isoformat()
