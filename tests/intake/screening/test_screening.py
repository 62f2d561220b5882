"""Running a screening: what it stores, how it moves the episode, and what it refuses."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.episodes.models import EpisodeTransition
from openkap.intake.errors import ScreeningNotAllowed
from openkap.intake.models import RuleResult
from openkap.intake.screening.decisions import latest_decision
from openkap.intake.screening.rules import CATALOGUE
from openkap.intake.screening.ruleset_approval import approve_rule_set
from openkap.intake.screening.rulesets import default_entries, update_rule_set
from openkap.intake.screening.service import run_screening
from openkap.patients.models import Patient
from tests.fixtures.factories import make_episode, make_org, make_user
from tests.intake.screening_builders import (
    ABSOLUTE,
    DRUG_CLASSES,
    TRIGGERS,
    add_cssrs,
    add_medication,
    add_substance_use,
    as_principal,
    now,
    screening_episode,
)


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def nurse(db, org):
    return as_principal(make_user(db, org, Role.nurse))


def _results(db, run):
    return {r.rule_id: r for r in db.scalars(select(RuleResult).where(RuleResult.run_id == run.id))}


def _episode_for(db, org, rule_id):
    """One patient per default rule: an episode whose intake triggers just that rule."""
    if rule_id in TRIGGERS:
        return screening_episode(db, org, **TRIGGERS[rule_id])[0]
    if rule_id == "under_minimum_age":
        return screening_episode(db, org, birth_date=utcnow().date() - timedelta(days=365 * 17))[0]
    episode, intake = screening_episode(db, org)
    if rule_id == "substance_use_disorder":
        add_substance_use(db, intake, "ketamine", "current_use_disorder")
    else:
        add_medication(db, intake, "Medicine", rule_id.removeprefix("medication_"))
    return episode


EXPECTED = {"absolute": "ineligible", "relative": "needs_review", "flag": "eligible"}


@pytest.mark.parametrize("rule_id", list(CATALOGUE))
def test_one_patient_per_rule_triggers_that_rule_only_and_moves_the_episode(
    db, org, nurse, rule_id
):
    episode = _episode_for(db, org, rule_id)
    run = run_screening(db, episode=episode, by=nurse)
    results = _results(db, run)
    assert {r for r, result in results.items() if result.triggered} == {rule_id}
    assert run.outcome == EXPECTED[CATALOGUE[rule_id].category]
    assert episode.state == run.outcome
    assert run.missing == []


def test_a_run_stores_the_rule_set_version_and_every_rules_inputs_result_and_source(db, org, nurse):
    episode, _ = screening_episode(db, org, baseline_sbp=150, baseline_dbp=85)
    run = run_screening(db, episode=episode, by=nurse)
    results = _results(db, run)
    assert (run.rule_set_version, run.outcome) == (1, "needs_review")
    assert set(results) == set(CATALOGUE)
    bp = results["uncontrolled_hypertension"]
    assert bp.inputs == {"hypertension": "none", "baseline_sbp": 150, "baseline_dbp": 85}
    assert (bp.triggered, bp.category) == (True, "relative")
    assert bp.explanation.startswith("Baseline blood pressure 150/85 is above 140/90.")
    assert "Spravato" in bp.source
    assert results["psychosis"].triggered is False
    assert "Uncontrolled hypertension" in run.explanation
    assert "Rule set version 1" in run.explanation
    assert run.created_by_id == nurse.user.id


def test_missing_intake_data_gives_incomplete_naming_each_input_and_stays_in_screening(
    db, org, nurse
):
    episode, _ = screening_episode(db, org, baseline_sbp=None, baseline_dbp=None, pregnant=None)
    run = run_screening(db, episode=episode, by=nurse)
    assert run.outcome == "incomplete"
    assert run.missing == ["baseline blood pressure", "pregnancy status"]
    assert episode.state == "screening"
    assert _results(db, run)["pregnancy_or_breastfeeding"].triggered is None
    assert "record baseline blood pressure, pregnancy status" in run.explanation


def test_an_episode_without_an_intake_is_screened_incomplete_and_says_so(db, org, nurse):
    episode = make_episode(db, org, state="screening")
    run = run_screening(db, episode=episode, by=nurse)
    assert run.outcome == "incomplete"
    assert run.explanation.startswith("No intake is recorded for this episode.")
    assert "history of aneurysmal vascular disease" in run.missing
    assert "medication list" not in run.missing


def test_an_unfinished_intake_without_substance_use_rows_has_not_recorded_them(db, org, nurse):
    episode, _ = screening_episode(db, org, completed=False)
    run = run_screening(db, episode=episode, by=nurse)
    assert run.outcome == "incomplete"
    assert run.missing == ["substance use history"]


def test_a_substance_use_row_on_an_unfinished_intake_counts_as_recorded(db, org, nurse):
    episode, intake = screening_episode(db, org, completed=False)
    add_substance_use(db, intake, "alcohol", "in_remission")
    assert run_screening(db, episode=episode, by=nurse).outcome == "eligible"


def test_entries_marked_in_error_are_ignored(db, org, nurse):
    episode, intake = screening_episode(db, org)
    add_medication(db, intake, "Lorazepam", "benzodiazepine", status="entered-in-error")
    run = run_screening(db, episode=episode, by=nurse)
    assert _results(db, run)["medication_benzodiazepine"].triggered is False


@pytest.mark.parametrize("drug_class", DRUG_CLASSES)
def test_flagged_medications_are_kept_by_name_and_leave_the_patient_eligible(
    db, org, nurse, drug_class
):
    episode, intake = screening_episode(db, org)
    add_medication(db, intake, "Named drug", drug_class)
    run = run_screening(db, episode=episode, by=nurse)
    flag = _results(db, run)[f"medication_{drug_class}"]
    assert flag.inputs == {"active_medications": [{"name": "Named drug", "drug_class": drug_class}]}
    assert run.outcome == "eligible"


def test_a_recent_high_risk_c_ssrs_of_the_patient_needs_review(db, org, nurse):
    episode, _ = screening_episode(db, org)
    patient = db.get(Patient, (org.id, episode.patient_id))
    add_cssrs(db, patient, risk_level="high", completed_at=now())
    run = run_screening(db, episode=episode, by=nurse)
    suicidal = _results(db, run)["recent_suicidal_behaviour"]
    assert suicidal.triggered is True
    assert suicidal.inputs["cssrs_risk_level"] == "high"
    assert run.outcome == "needs_review"


def test_editing_a_threshold_changes_new_runs_but_not_old_ones(db, org, nurse):
    admin = as_principal(make_user(db, org, Role.admin))
    episode, _ = screening_episode(db, org, baseline_sbp=145)
    first = run_screening(db, episode=episode, by=nurse)
    entries = [
        {**e, "params": {"sbp_above": 150}} if e["rule_id"] == "uncontrolled_hypertension" else e
        for e in default_entries()
    ]
    raised = update_rule_set(db, entries=entries, change_note="Raise limit", by=admin)
    # Raising the limit loosens it: it applies once a second prescriber approves.
    assert run_screening(db, episode=episode, by=nurse).rule_set_version == 1
    prescriber = as_principal(make_user(db, org, Role.prescriber))
    approve_rule_set(db, version=raised.version, by=prescriber)
    second = run_screening(db, episode=episode, by=nurse)
    assert (first.outcome, first.rule_set_version) == ("needs_review", 1)
    assert (second.outcome, second.rule_set_version) == ("eligible", 2)
    assert _results(db, first)["uncontrolled_hypertension"].triggered is True
    assert episode.state == "eligible"


def test_a_disabled_rule_is_not_run(db, org, nurse):
    admin = as_principal(make_user(db, org, Role.admin))
    entries = [{**e, "enabled": e["rule_id"] != "interstitial_cystitis"} for e in default_entries()]
    off = update_rule_set(db, entries=entries, change_note="Not relevant here", by=admin)
    # Turning a relative contraindication off applies once a second prescriber approves.
    approve_rule_set(db, version=off.version, by=as_principal(make_user(db, org, Role.prescriber)))
    episode, _ = screening_episode(db, org, interstitial_cystitis=True)
    run = run_screening(db, episode=episode, by=nurse)
    assert "interstitial_cystitis" not in _results(db, run)
    assert run.outcome == "eligible"


def test_the_move_is_recorded_with_the_outcome_and_rule_set_version(db, org, nurse):
    episode, _ = screening_episode(db, org, aneurysmal_vascular_disease=True)
    run_screening(db, episode=episode, by=nurse)
    step = db.scalars(
        select(EpisodeTransition).where(EpisodeTransition.episode_id == episode.id)
    ).one()
    assert (step.from_state, step.to_state) == ("screening", "ineligible")
    assert step.reason == "Screening outcome ineligible (rule set version 1)."
    assert step.by_id == nurse.user.id


def test_a_rerun_after_the_intake_is_corrected_moves_an_ineligible_episode_to_eligible(
    db, org, nurse
):
    episode, intake = screening_episode(db, org, ketamine_hypersensitivity=True)
    assert run_screening(db, episode=episode, by=nurse).outcome == "ineligible"
    intake.ketamine_hypersensitivity = False
    db.flush()
    assert run_screening(db, episode=episode, by=nurse).outcome == "eligible"
    assert episode.state == "eligible"


def test_a_rerun_that_loses_data_moves_the_episode_back_to_screening(db, org, nurse):
    episode, intake = screening_episode(db, org)
    run_screening(db, episode=episode, by=nurse)
    intake.hypertension = None
    db.flush()
    assert run_screening(db, episode=episode, by=nurse).outcome == "incomplete"
    assert episode.state == "screening"


def test_a_rerun_during_preparation_that_stays_eligible_keeps_the_preparation(db, org, nurse):
    episode, _ = screening_episode(db, org, state="preparing")
    assert run_screening(db, episode=episode, by=nurse).outcome == "eligible"
    assert episode.state == "preparing"


def test_a_rerun_during_preparation_that_finds_a_contraindication_moves_the_episode_back(
    db, org, nurse
):
    episode, _ = screening_episode(db, org, state="preparing", pregnant=True)
    assert run_screening(db, episode=episode, by=nurse).outcome == "needs_review"
    assert episode.state == "needs_review"


@pytest.mark.parametrize("state", ["referred", "intake", "on_hold", "withdrawn", "completed"])
def test_screening_is_refused_before_screening_and_outside_active_states(db, org, nurse, state):
    episode, _ = screening_episode(db, org, state=state)
    with pytest.raises(ScreeningNotAllowed):
        run_screening(db, episode=episode, by=nurse)
    assert latest_decision(db, episode=episode) is None


@pytest.mark.parametrize("role", [Role.therapist, Role.admin, Role.front_desk, Role.researcher])
def test_only_prescribers_and_nurses_may_run_a_screening(db, org, role):
    episode, _ = screening_episode(db, org)
    with pytest.raises(Forbidden):
        run_screening(db, episode=episode, by=as_principal(make_user(db, org, role)))
    assert episode.state == "screening"


def test_the_newest_run_is_the_decision_the_pathway_reads(db, org, nurse):
    episode, intake = screening_episode(db, org)
    run_screening(db, episode=episode, by=nurse)
    intake.intracerebral_haemorrhage = True
    db.flush()
    newest = run_screening(db, episode=episode, by=nurse)
    decision = latest_decision(db, episode=episode)
    assert decision.run.id == newest.id
    assert not decision.cleared_to_treat


@pytest.mark.parametrize("rule_id", sorted(ABSOLUTE))
def test_every_absolute_contraindication_blocks_treatment(db, org, nurse, rule_id):
    episode, _ = screening_episode(db, org, **TRIGGERS[rule_id])
    run_screening(db, episode=episode, by=nurse)
    assert latest_decision(db, episode=episode).cleared_to_treat is False
