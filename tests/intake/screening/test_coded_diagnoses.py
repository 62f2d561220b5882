"""Screening reads the coded diagnoses: a matching ICD-10-CM code triggers its rule."""

import pytest

from openkap.core.models import Role
from openkap.intake.models import Diagnosis, RuleResult
from openkap.intake.screening.coded_diagnoses import RULE_CODES
from openkap.intake.screening.rules import CATALOGUE
from openkap.intake.screening.service import record_of, run_screening
from tests.fixtures.factories import bearer, make_org, make_user
from tests.intake.screening_builders import as_principal, screening_episode

# One recorded code per rule (from the clinic's list) and the outcome it must give alone.
CODED = [
    ("aneurysmal_vascular_disease", "I71.40", "ineligible"),
    ("aneurysmal_vascular_disease", "I67.1", "ineligible"),
    ("arteriovenous_malformation", "Q28.2", "ineligible"),
    ("intracerebral_haemorrhage", "I61.9", "ineligible"),
    ("pregnancy_or_breastfeeding", "Z33.1", "needs_review"),
    ("pregnancy_or_breastfeeding", "O99.340", "needs_review"),
    ("psychosis", "F20.9", "needs_review"),
    ("psychosis", "F25.0", "needs_review"),
    ("mania", "F31.2", "needs_review"),
    ("raised_intracranial_pressure", "G93.2", "needs_review"),
    ("interstitial_cystitis", "N30.10", "needs_review"),
    ("ketamine_hypersensitivity", "Z88.4", "ineligible"),
    ("ketamine_hypersensitivity", "T41.295A", "ineligible"),
]


@pytest.fixture
def org(db):
    return make_org(db)


def _diagnose(db, intake, code, label="Recorded at the intake", status="active"):
    db.add(
        Diagnosis(
            organization_id=intake.organization_id,
            intake_id=intake.id,
            code=code,
            label=label,
            status=status,
        )
    )
    db.flush()


def _result(db, run, rule_id):
    return next(r for r in record_of(db, run=run).results if r.rule_id == rule_id)


@pytest.mark.parametrize(("rule_id", "code", "outcome"), CODED)
def test_a_coded_diagnosis_triggers_its_rule_although_the_history_says_no(
    db, org, rule_id, code, outcome
):
    episode, intake = screening_episode(db, org)
    _diagnose(db, intake, code)
    nurse = as_principal(make_user(db, org, Role.nurse))
    run = run_screening(db, episode=episode, by=nurse)
    assert run.outcome == outcome
    result = _result(db, run, rule_id)
    assert result.triggered is True
    assert f"history says no, but diagnosis {code} (Recorded at the intake) is recorded" in (
        result.explanation
    )
    assert result.inputs["diagnoses"] == [{"code": code, "label": "Recorded at the intake"}]


def test_a_diagnosis_entered_in_error_triggers_nothing(db, org):
    episode, intake = screening_episode(db, org)
    _diagnose(db, intake, "I71.40", status="entered-in-error")
    run = run_screening(db, episode=episode, by=as_principal(make_user(db, org, Role.nurse)))
    assert run.outcome == "eligible"


def test_a_depression_code_triggers_no_rule(db, org):
    episode, intake = screening_episode(db, org)
    _diagnose(db, intake, "F33.2")
    run = run_screening(db, episode=episode, by=as_principal(make_user(db, org, Role.nurse)))
    assert run.outcome == "eligible"


def test_every_coded_rule_cites_the_code_list(db):
    for rule_id, codes in RULE_CODES.items():
        assert "ICD-10-CM" in CATALOGUE[rule_id].source
        assert codes.source in CATALOGUE[rule_id].source


def test_the_api_screening_shows_the_contradiction(db, client, org):
    episode, _ = screening_episode(db, org, psychosis="none")
    headers = bearer(db, make_user(db, org, Role.prescriber))
    added = client.post(
        f"/api/v1/episodes/{episode.id}/intake/diagnoses",
        json={"code": "F20.0"},
        headers=headers,
    )
    assert added.status_code == 201, added.text
    response = client.post(f"/api/v1/episodes/{episode.id}/screenings", headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["outcome"] == "needs_review"
    psychosis = next(r for r in body["results"] if r["rule_id"] == "psychosis")
    assert psychosis["status"] == "triggered"
    assert (
        "history says no, but diagnosis F20.0 (Paranoid schizophrenia) is recorded"
        in (psychosis["explanation"])
    )
    assert db.query(RuleResult).count() == len(body["results"])


@pytest.mark.parametrize("allergies", ["Ketamine (hives, 2019)", "esketamine nasal spray: rash"])
def test_allergies_naming_ketamine_trigger_the_hypersensitivity_rule(db, org, allergies):
    episode, intake = screening_episode(db, org)
    intake.allergies = allergies
    db.flush()
    run = run_screening(db, episode=episode, by=as_principal(make_user(db, org, Role.nurse)))
    assert run.outcome == "ineligible"
    result = _result(db, run, "ketamine_hypersensitivity")
    assert result.triggered is True
    assert "the recorded allergies do" in result.explanation


def test_other_allergies_do_not(db, org):
    episode, intake = screening_episode(db, org)
    intake.allergies = "Penicillin (rash)."
    db.flush()
    run = run_screening(db, episode=episode, by=as_principal(make_user(db, org, Role.nurse)))
    assert _result(db, run, "ketamine_hypersensitivity").triggered is False
