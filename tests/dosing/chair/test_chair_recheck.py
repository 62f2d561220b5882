"""The chair re-checks the screening: what was recorded since it holds dosing until it is re-run."""

import pytest

from openkap.core.models import Role
from openkap.dosing.chair import pre_dose
from openkap.dosing.chair.pre_dose import StopKey
from openkap.dosing.errors import HardStopsUnresolved, SessionStateRefused
from openkap.intake.models import Diagnosis, ScreeningRun
from openkap.intake.screening.service import override_screening, run_screening
from tests.dosing.builders import as_role, cleared, ready_episode
from tests.fixtures.factories import bearer, make_user
from tests.intake.screening_builders import add_medication, make_intake

RECHECK = StopKey.screening_recheck_needed
REASON = "Reviewed the new finding in person with the patient; benefit outweighs the risk."


def _screened_course(db, org):
    """A ready course whose intake clears every rule, screened with it."""
    episode = ready_episode(db, org)
    intake = make_intake(db, episode)
    run_screening(db, episode=episode, by=as_role(db, org, Role.nurse))
    assert episode.state == "ready"
    return episode, intake


def _stop(db, dosing, key=RECHECK):
    return next((s for s in pre_dose.pre_dose_hard_stops(db, dosing=dosing) if s.key == key), None)


def test_a_screening_that_still_stands_raises_no_stop(db, org):
    episode, _ = _screened_course(db, org)
    dosing = cleared(db, episode, as_role(db, org, Role.nurse))
    assert _stop(db, dosing) is None


def test_a_new_interacting_medication_holds_dosing_until_the_screening_is_rerun(db, org):
    episode, intake = _screened_course(db, org)
    nurse = as_role(db, org, Role.nurse)
    dosing = cleared(db, episode, nurse)
    add_medication(db, intake, "alprazolam", "benzodiazepine")
    stop = _stop(db, dosing)
    assert stop is not None
    assert stop.blocking
    assert not stop.overridable
    assert "new interacting medication: Active benzodiazepine: alprazolam." in stop.message
    with pytest.raises(HardStopsUnresolved, match="screening_recheck_needed"):
        pre_dose.start_dosing(db, dosing=dosing, by=nurse)
    run_screening(db, episode=episode, by=nurse)
    assert _stop(db, dosing) is None
    assert pre_dose.start_dosing(db, dosing=dosing, by=nurse).state == "dosing"


def test_a_new_absolute_contraindication_needs_a_rerun_and_two_prescribers(db, org):
    episode, intake = _screened_course(db, org)
    nurse = as_role(db, org, Role.nurse)
    dosing = cleared(db, episode, nurse)
    db.add(
        Diagnosis(
            organization_id=org.id, intake_id=intake.id, code="I71.40", label="Aortic aneurysm"
        )
    )
    db.flush()
    assert "new absolute contraindication" in _stop(db, dosing).message
    run = run_screening(db, episode=episode, by=nurse)
    assert (run.outcome, episode.state) == ("ineligible", "ready")
    assert "the newest screening is ineligible" in _stop(db, dosing).message
    override_screening(db, run=run, justification=REASON, by=as_role(db, org, Role.prescriber))
    assert "waits for a second prescriber" in _stop(db, dosing).message
    override_screening(db, run=run, justification=REASON, by=as_role(db, org, Role.prescriber))
    assert _stop(db, dosing) is None


def test_a_changed_history_makes_the_screening_stale_at_the_chair(db, org):
    episode, intake = _screened_course(db, org)
    dosing = cleared(db, episode, as_role(db, org, Role.nurse))
    intake.hypertension = "controlled"
    db.flush()
    assert "read changed" in _stop(db, dosing).message


def test_no_role_overrides_the_recheck_at_the_chair(db, org):
    episode, intake = _screened_course(db, org)
    dosing = cleared(db, episode, as_role(db, org, Role.nurse))
    add_medication(db, intake, "phenelzine", "maoi")
    with pytest.raises(SessionStateRefused, match="cannot be overridden"):
        pre_dose.override_hard_stop(
            db, dosing=dosing, key=RECHECK, reason=REASON, by=as_role(db, org, Role.prescriber)
        )


def test_an_episode_without_a_screening_is_held(db, org):
    episode = ready_episode(db, org)
    dosing = cleared(db, episode, as_role(db, org, Role.nurse))
    # An imported or hand-made course that never went through screening.
    db.query(ScreeningRun).filter_by(episode_id=episode.id).delete()
    assert "no suitability screening is recorded" in _stop(db, dosing).message


def test_the_api_refuses_to_start_and_to_override_the_recheck(db, client, org):
    episode, intake = _screened_course(db, org)
    dosing = cleared(db, episode, as_role(db, org, Role.nurse))
    add_medication(db, intake, "oxycodone", "opioid")
    nurse = bearer(db, make_user(db, org, Role.nurse))
    prescriber = bearer(db, make_user(db, org, Role.prescriber))
    path = f"/api/v1/dosing-sessions/{dosing.id}"
    held = client.post(f"{path}/start", headers=nurse)
    assert held.status_code == 409
    assert "screening_recheck_needed" in held.json()["detail"]
    assert "oxycodone" in held.json()["detail"]
    body = {"stop_key": RECHECK.value, "reason": REASON}
    refused = client.post(f"{path}/overrides", json=body, headers=prescriber)
    assert refused.status_code == 409
    assert "cannot be overridden" in refused.json()["detail"]
    rerun = client.post(f"/api/v1/episodes/{episode.id}/screenings", headers=prescriber)
    assert rerun.status_code == 201, rerun.text
    assert client.post(f"{path}/start", headers=nurse).status_code == 200
