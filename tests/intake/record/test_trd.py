"""The TRD derivation, on hand-computed cases: which trials count, and the reasoning shown."""

import uuid

import pytest

from openkap.intake.models import PriorTreatment
from openkap.intake.record.trd import TrdCriteria, TrdStatus, Verdict, derive_trd


def trial(**fields) -> PriorTreatment:
    """An adequate failed antidepressant trial of the current episode, unless told otherwise."""
    values = {
        "id": uuid.uuid4(),
        "kind": "antidepressant",
        "drug": "sertraline",
        "dose_mg": 200.0,
        "adequate_dose": True,
        "weeks": 8,
        "adherence": "good",
        "outcome": "no_response",
        "in_current_episode": True,
        "status": "active",
    }
    return PriorTreatment(**{**values, **fields})


def test_no_trials_is_not_treatment_resistant():
    result = derive_trd([])
    assert result.status == TrdStatus.not_treatment_resistant
    assert result.adequate_failed_trials == 0
    assert result.findings == ()


def test_one_failed_trial_is_not_enough():
    result = derive_trd([trial()])
    assert result.status == TrdStatus.not_treatment_resistant
    assert result.adequate_failed_trials == 1


def test_two_adequate_failed_trials_make_depression_treatment_resistant():
    result = derive_trd([trial(), trial(drug="escitalopram", dose_mg=20.0, weeks=6)])
    assert result.status == TrdStatus.treatment_resistant
    assert result.adequate_failed_trials == 2
    assert [f.verdict for f in result.findings] == [Verdict.counts, Verdict.counts]


def test_three_failed_trials_count_three_including_a_partial_response():
    trials = [
        trial(),
        trial(drug="venlafaxine", outcome="partial_response"),
        trial(drug="bupropion"),
    ]
    result = derive_trd(trials)
    assert result.status == TrdStatus.treatment_resistant
    assert result.adequate_failed_trials == 3


def test_reasoning_names_drug_dose_weeks_adherence_and_outcome():
    result = derive_trd([trial()])
    assert result.findings[0].reasoning == (
        "sertraline 200 mg, 8 weeks, good adherence, no response: counts"
    )


def test_a_trial_shorter_than_the_minimum_does_not_count_and_says_why():
    result = derive_trd([trial(), trial(weeks=3)])
    assert result.status == TrdStatus.not_treatment_resistant
    assert result.adequate_failed_trials == 1
    assert result.findings[1].reasoning == (
        "sertraline 200 mg, 3 weeks, good adherence, no response: too short (needs 6)"
    )


def test_six_weeks_is_long_enough_by_default_and_five_is_not():
    assert derive_trd([trial(weeks=6)]).adequate_failed_trials == 1
    assert derive_trd([trial(weeks=5)]).adequate_failed_trials == 0


def test_a_clinic_using_four_weeks_counts_a_four_week_trial():
    criteria = TrdCriteria(min_weeks=4)
    result = derive_trd([trial(weeks=4), trial(weeks=5)], criteria=criteria)
    assert result.status == TrdStatus.treatment_resistant
    assert "needs 4" not in result.findings[0].reasoning


def test_a_clinic_may_require_three_failed_trials():
    result = derive_trd([trial(), trial()], criteria=TrdCriteria(min_failed_trials=3))
    assert result.status == TrdStatus.not_treatment_resistant


def test_poor_adherence_does_not_count_but_partial_adherence_does():
    result = derive_trd([trial(adherence="poor"), trial(adherence="partial")])
    assert [f.verdict for f in result.findings] == [Verdict.does_not_count, Verdict.counts]
    assert result.findings[0].reasoning.endswith(": poor adherence")


def test_an_inadequate_dose_does_not_count():
    result = derive_trd([trial(adequate_dose=False, dose_mg=25.0), trial()])
    assert result.adequate_failed_trials == 1
    assert result.findings[0].reasoning.endswith(
        "sertraline 25 mg, 8 weeks, good adherence, no response: dose not adequate"
    )


def test_a_trial_in_a_previous_episode_does_not_count():
    result = derive_trd([trial(in_current_episode=False), trial()])
    assert result.status == TrdStatus.not_treatment_resistant
    assert result.findings[0].reasoning.endswith(": in a previous episode")


def test_ect_is_not_an_antidepressant_medication_trial():
    ect = trial(kind="ect", drug="", dose_mg=None, weeks=4, adequate_dose=None)
    result = derive_trd([ect, trial()])
    assert result.status == TrdStatus.not_treatment_resistant
    assert result.findings[0].reasoning == (
        "ECT, 4 weeks, good adherence, no response: ECT is not an antidepressant medication trial"
    )


@pytest.mark.parametrize("kind", ["tms", "esketamine", "ketamine", "augmentation"])
def test_other_treatments_do_not_count_as_antidepressant_trials(kind):
    result = derive_trd([trial(kind=kind), trial(kind=kind)])
    assert result.adequate_failed_trials == 0


@pytest.mark.parametrize("outcome", ["response", "remission", "not_tolerated"])
def test_a_trial_that_worked_or_was_not_tolerated_is_not_a_failed_trial(outcome):
    result = derive_trd([trial(outcome=outcome), trial()])
    assert result.status == TrdStatus.not_treatment_resistant
    assert result.findings[0].verdict == Verdict.does_not_count


def test_entered_in_error_trials_are_left_out():
    result = derive_trd([trial(status="entered-in-error"), trial()])
    assert result.adequate_failed_trials == 1
    assert len(result.findings) == 1


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ({"adequate_dose": None}, "dose adequacy"),
        ({"weeks": None}, "duration"),
        ({"adherence": None}, "adherence"),
        ({"adherence": "unknown"}, "adherence"),
        ({"outcome": None}, "outcome"),
    ],
)
def test_missing_details_that_could_decide_the_result_make_it_undetermined(missing, named):
    result = derive_trd([trial(), trial(**missing)])
    assert result.status == TrdStatus.undetermined
    assert result.adequate_failed_trials == 1
    assert result.undetermined_trials == 1
    assert result.findings[1].verdict == Verdict.unknown
    assert f"{named} not recorded" in result.findings[1].reasoning


def test_missing_details_do_not_matter_once_two_trials_count():
    result = derive_trd([trial(), trial(), trial(weeks=None)])
    assert result.status == TrdStatus.treatment_resistant


def test_missing_details_that_cannot_reach_the_threshold_leave_it_not_resistant():
    result = derive_trd([trial(weeks=None)])
    assert result.status == TrdStatus.not_treatment_resistant


def test_a_known_disqualifier_wins_over_missing_details():
    result = derive_trd([trial(weeks=2, outcome=None), trial()])
    assert result.status == TrdStatus.not_treatment_resistant
    assert result.findings[0].verdict == Verdict.does_not_count


def test_summary_states_the_count_against_the_threshold():
    assert derive_trd([trial(), trial()]).summary == (
        "Treatment-resistant: 2 adequate failed trial(s) of 2 needed."
    )
