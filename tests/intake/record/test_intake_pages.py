"""The intake page: sections save on their own, errors show inline, results and risks are shown."""

import re

import pytest
from sqlalchemy import select

from openkap.core.models import Role
from openkap.intake.models import Intake, Medication, TreatmentGoal
from tests.fixtures.factories import make_episode, make_org, make_user, web_login
from tests.intake.builders import (
    add_response,
    add_trial,
    add_weight,
    make_intake,
    make_ready_intake,
)


@pytest.fixture
def signed_in(db, client):
    """A nurse signed in, and an episode in intake; returns (clinic, episode, csrf token)."""
    org = make_org(db)
    nurse = make_user(db, org, Role.nurse)
    episode = make_episode(db, org, state="intake")
    return org, episode, web_login(client, nurse.email)


def _page(episode):
    return f"/episodes/{episode.id}/intake"


def _intake(db, episode):
    return db.scalars(select(Intake).where(Intake.episode_id == episode.id)).one()


def test_every_input_of_the_page_has_a_label(client, signed_in):
    _, episode, _ = signed_in
    html = client.get(_page(episode)).text
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', html)
    assert len(ids) > 40
    for control in ids:
        assert f'for="{control}"' in html, control
    assert len(ids) == len(set(ids)), "ids must be unique on the page"


def test_a_section_saves_only_its_own_fields(db, client, signed_in):
    _, episode, csrf = signed_in
    client.get(_page(episode))
    response = client.post(
        _page(episode) + "/sections/psychiatric",
        data={
            "csrf_token": csrf,
            "version": "1",
            "psychosis": "none",
            "self_harm": "yes",
            "suicide_attempts": "1",
            "last_suicide_attempt_on": "2019-04-02",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].endswith("#psychiatric")
    intake = _intake(db, episode)
    db.refresh(intake)
    assert (intake.psychosis, intake.self_harm, intake.suicide_attempts) == ("none", True, 1)
    assert intake.baseline_sbp is None
    assert intake.version == 2


def test_a_vital_out_of_bounds_is_shown_inline_with_the_bound_and_the_values_kept(
    db, client, signed_in
):
    _, episode, csrf = signed_in
    client.get(_page(episode))
    response = client.post(
        _page(episode) + "/sections/vitals",
        data={"csrf_token": csrf, "version": "1", "baseline_sbp": "300", "baseline_dbp": "80"},
    )
    assert response.status_code == 422
    assert 'id="e-baseline_sbp"' in response.text
    assert "systolic blood pressure must be between 60 and 260 mmHg" in response.text
    assert 'value="300"' in response.text
    assert _intake(db, episode).baseline_dbp is None


def test_a_stale_section_form_explains_the_conflict(db, client, signed_in):
    _, episode, csrf = signed_in
    client.get(_page(episode))
    fields = {"csrf_token": csrf, "version": "1", "presenting_problem": "Low mood"}
    client.post(_page(episode) + "/sections/presenting", data=fields)
    stale = client.post(_page(episode) + "/sections/presenting", data={**fields, "version": "1"})
    assert stale.status_code == 409
    assert "someone changed it since you opened it" in stale.text


def test_a_medication_added_on_the_page_shows_its_flag(db, client, signed_in):
    _, episode, csrf = signed_in
    response = client.post(
        _page(episode) + "/items/medications",
        data={"csrf_token": csrf, "name": "Ativan", "dose": "0.5 mg at night", "drug_class": ""},
        follow_redirects=False,
    )
    assert response.status_code == 303
    stored = db.scalars(select(Medication)).all()
    assert [(m.name, m.drug_class) for m in stored] == [("Ativan", "benzodiazepine")]
    assert "benzodiazepine</span>" in client.get(_page(episode)).text


def test_an_invalid_entry_is_shown_inline_on_its_own_form(client, signed_in):
    _, episode, csrf = signed_in
    response = client.post(
        _page(episode) + "/items/prior-treatments",
        data={
            "csrf_token": csrf,
            "kind": "antidepressant",
            "drug": "sertraline",
            "dose_mg": "9000",
            "in_current_episode": "yes",
        },
    )
    assert response.status_code == 422
    assert 'id="e-dose_mg"' in response.text
    assert "between 0.1 and 3000 mg" in response.text
    assert 'value="sertraline"' in response.text


def test_an_entry_marked_in_error_stays_visible_with_its_reason(db, client, signed_in):
    org, episode, csrf = signed_in
    intake = make_intake(db, org, episode)
    goal = TreatmentGoal(
        organization_id=intake.organization_id,
        intake_id=intake.id,
        goal="Wrong patient's goal",
        measure_of_progress="n/a",
    )
    db.add(goal)
    db.flush()
    response = client.post(
        f"{_page(episode)}/items/goals/{goal.id}/entered-in-error",
        data={"csrf_token": csrf, "reason": "recorded on the wrong chart"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(_page(episode)).text
    assert "entered in error</span> recorded on the wrong chart" in page


def test_the_trd_panel_shows_the_result_and_each_trials_reasoning(db, client, signed_in):
    org, episode, _ = signed_in
    intake = make_intake(db, org, episode)
    add_trial(db, intake)
    add_trial(db, intake, drug="duloxetine", dose_mg=60.0)
    add_trial(db, intake, drug="bupropion", dose_mg=300.0, adherence="poor")
    page = client.get(_page(episode)).text
    assert "Treatment resistance: treatment resistant" in page
    assert "duloxetine 60 mg, 8 weeks, good adherence, no response: counts" in page
    assert "bupropion 300 mg, 8 weeks, poor adherence, no response: poor adherence" in page


def test_a_suicide_risk_flag_is_shown_at_the_top_of_the_page(db, client, signed_in):
    _, episode, _ = signed_in
    add_response(db, episode, flags=["suicide_risk"])
    page = client.get(_page(episode)).text
    alert = page.index('id="suicide-risk"')
    assert alert < page.index('id="presenting"')
    assert "No safety plan is recorded" in page


def test_weight_and_bmi_are_recorded_from_the_vitals_section(db, client, signed_in):
    org, episode, csrf = signed_in
    make_intake(db, org, episode, height_cm=160)
    response = client.post(
        _page(episode) + "/weight",
        data={"csrf_token": csrf, "weight_kg": "64.0", "measured_on": "2026-01-08"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "25.0 kg/m²" in client.get(_page(episode)).text


def test_a_therapist_writes_the_intake_but_is_not_offered_the_weight_form(db, client):
    org = make_org(db)
    episode = make_episode(db, org, state="intake")
    web_login(client, make_user(db, org, Role.therapist).email)
    page = client.get(_page(episode))
    assert page.status_code == 200
    assert "/sections/psychiatric" in page.text
    assert f'action="/episodes/{episode.id}/intake/weight"' not in page.text


def test_an_instrument_is_scored_from_its_form_and_listed(db, client, signed_in):
    _, episode, csrf = signed_in
    form = client.get(_page(episode) + "/instruments/gad7")
    assert form.status_code == 200
    assert 'for="f-item_7"' in form.text
    answers = {f"item_{n}": "2" for n in range(1, 8)}
    response = client.post(
        _page(episode) + "/instruments/gad7",
        data={"csrf_token": csrf, "completed_by": "patient", **answers},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(_page(episode)).text
    assert "GAD-7 <span" in page
    assert "<td>14</td>" in page


def test_an_unanswered_safety_item_is_shown_on_that_item(client, signed_in):
    _, episode, csrf = signed_in
    answers = {f"item_{n}": "1" for n in range(1, 9)}
    response = client.post(
        _page(episode) + "/instruments/phq9",
        data={"csrf_token": csrf, "completed_by": "patient", **answers},
    )
    assert response.status_code == 422
    assert 'id="e-item_9"' in response.text
    assert 'aria-describedby="e-item_9"' in response.text


def test_a_clinician_rated_scale_is_not_offered_to_the_patient(client, signed_in):
    _, episode, _ = signed_in
    form = client.get(_page(episode) + "/instruments/madrs").text
    assert '<input type="hidden" name="completed_by" value="clinician">' in form


def test_an_instrument_that_is_not_a_baseline_instrument_has_no_page(client, signed_in):
    _, episode, _ = signed_in
    assert client.get(_page(episode) + "/instruments/cadss").status_code == 404


def test_completion_lists_what_is_missing_then_marks_the_intake_complete(db, client, signed_in):
    org, episode, csrf = signed_in
    refused = client.post(_page(episode) + "/complete", data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert "still missing" in refused.text
    ready = make_ready_intake(db, org)
    done = client.post(
        f"/episodes/{ready.episode_id}/intake/complete",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "intake complete</span>" in client.get(f"/episodes/{ready.episode_id}/intake").text


def test_the_page_shows_the_newest_weight_even_when_recorded_elsewhere(db, client, signed_in):
    org, episode, _ = signed_in
    make_intake(db, org, episode, height_cm=175)
    add_weight(db, episode, kg="80.0")
    assert "26.1 kg/m²" in client.get(_page(episode)).text


def test_front_desk_cannot_open_the_intake(db, client):
    org = make_org(db)
    episode = make_episode(db, org, state="intake")
    web_login(client, make_user(db, org, Role.front_desk).email)
    assert client.get(_page(episode)).status_code == 403
