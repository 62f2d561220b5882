"""The intake through the JSON API: fields with bounds, lists, corrections, TRD, completion."""

import uuid

import pytest
from sqlalchemy import select

from openkap.core.audit.chain import AuditEvent
from openkap.core.models import Role
from tests.fixtures.factories import bearer, make_episode, make_org, make_user
from tests.intake.builders import add_trial, make_intake, make_ready_intake


@pytest.fixture
def clinic(db):
    org = make_org(db)
    episode = make_episode(db, org, state="intake")
    return org, episode, bearer(db, make_user(db, org, Role.nurse))


def _url(episode, tail=""):
    return f"/api/v1/episodes/{episode.id}/intake{tail}"


def _patch(client, episode, headers, body, version=1):
    return client.patch(_url(episode), json=body, headers={**headers, "If-Match": f'"{version}"'})


def _field_messages(response):
    assert response.status_code == 422, response.text
    return {field["name"]: field["message"] for field in response.json()["fields"]}


def test_first_read_starts_an_empty_intake_with_version_etag_and_what_is_missing(client, clinic):
    _, episode, headers = clinic
    response = client.get(_url(episode), headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["episode_id"] == str(episode.id)
    assert body["version"] == 1
    assert response.headers["etag"] == '"1"'
    assert body["psychosis"] is None
    assert body["completed"] is False
    assert "a primary diagnosis" in body["missing_for_completion"]
    again = client.get(_url(episode), headers=headers).json()
    assert again["id"] == body["id"]


def test_update_with_current_version_changes_only_the_fields_sent(client, clinic):
    _, episode, headers = clinic
    client.get(_url(episode), headers=headers)
    response = _patch(
        client, episode, headers, {"psychosis": "none", "baseline_sbp": 128, "baseline_dbp": 82}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["psychosis"], body["baseline_sbp"], body["baseline_dbp"]) == ("none", 128, 82)
    assert body["mood_disorder"] is None
    assert body["version"] == 2
    assert response.headers["etag"] == '"2"'


def test_stale_version_is_a_409_and_keeps_the_first_change(client, clinic):
    _, episode, headers = clinic
    client.get(_url(episode), headers=headers)
    assert _patch(client, episode, headers, {"pregnant": False}).status_code == 200
    stale = _patch(client, episode, headers, {"pregnant": True})
    assert stale.status_code == 409
    assert stale.json()["error"] == "VersionMismatch"
    assert client.get(_url(episode), headers=headers).json()["pregnant"] is False


def test_update_without_if_match_is_refused_with_428(client, clinic):
    _, episode, headers = clinic
    response = client.patch(_url(episode), json={"seizures": False}, headers=headers)
    assert response.status_code == 428


@pytest.mark.parametrize(
    ("field", "value", "bound"),
    [
        ("baseline_sbp", 59, "systolic blood pressure must be between 60 and 260 mmHg"),
        ("baseline_sbp", 261, "systolic blood pressure must be between 60 and 260 mmHg"),
        ("baseline_dbp", 29, "diastolic blood pressure must be between 30 and 160 mmHg"),
        ("baseline_dbp", 161, "diastolic blood pressure must be between 30 and 160 mmHg"),
        ("baseline_hr", 24, "heart rate must be between 25 and 220 beats per minute"),
        ("baseline_hr", 221, "heart rate must be between 25 and 220 beats per minute"),
        ("baseline_spo2", 49, "oxygen saturation must be between 50 and 100 %"),
        ("baseline_spo2", 101, "oxygen saturation must be between 50 and 100 %"),
        ("height_cm", 99, "height must be between 100 and 250 cm"),
        ("height_cm", 251, "height must be between 100 and 250 cm"),
    ],
)
def test_vitals_outside_physiological_bounds_are_refused_naming_the_bound(
    client, clinic, field, value, bound
):
    _, episode, headers = clinic
    client.get(_url(episode), headers=headers)
    messages = _field_messages(_patch(client, episode, headers, {field: value}))
    assert bound in messages[field]


@pytest.mark.parametrize(
    ("field", "value"),
    [("baseline_sbp", 60), ("baseline_sbp", 260), ("baseline_spo2", 100), ("height_cm", 250)],
)
def test_vitals_on_the_bound_are_accepted(client, clinic, field, value):
    _, episode, headers = clinic
    client.get(_url(episode), headers=headers)
    assert _patch(client, episode, headers, {field: value}).status_code == 200


def test_diastolic_at_or_above_systolic_is_refused(client, clinic):
    _, episode, headers = clinic
    client.get(_url(episode), headers=headers)
    response = _patch(client, episode, headers, {"baseline_sbp": 100, "baseline_dbp": 100})
    assert "below the systolic" in _field_messages(response)["baseline_dbp"]


def test_values_outside_the_model_enums_and_unknown_fields_are_named(client, clinic):
    _, episode, headers = clinic
    client.get(_url(episode), headers=headers)
    response = _patch(
        client,
        episode,
        headers,
        {"psychosis": "maybe", "hypertension": "high", "suicide_attempts": -1, "mood": "low"},
    )
    assert {"psychosis", "hypertension", "suicide_attempts", "mood"} <= set(
        _field_messages(response)
    )


def test_an_attempt_date_with_no_attempts_is_refused(client, clinic):
    _, episode, headers = clinic
    client.get(_url(episode), headers=headers)
    response = _patch(
        client, episode, headers, {"suicide_attempts": 0, "last_suicide_attempt_on": "2024-03-01"}
    )
    assert "suicide_attempts" in _field_messages(response)


def test_diagnosis_is_stored_with_the_catalogue_code_and_label(client, clinic):
    _, episode, headers = clinic
    response = client.post(
        _url(episode, "/diagnoses"), json={"code": "f332", "is_primary": True}, headers=headers
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["code"] == "F33.2"
    assert body["label"] == "Major depressive disorder, recurrent severe without psychotic features"
    assert body["status"] == "active"


def test_diagnosis_outside_the_list_is_refused_naming_the_code(client, clinic):
    _, episode, headers = clinic
    response = client.post(_url(episode, "/diagnoses"), json={"code": "F99.9"}, headers=headers)
    assert "not in the clinic's ICD-10-CM list" in _field_messages(response)["code"]


def test_the_same_diagnosis_twice_is_a_conflict(client, clinic):
    _, episode, headers = clinic
    client.post(_url(episode, "/diagnoses"), json={"code": "F43.12"}, headers=headers)
    again = client.post(_url(episode, "/diagnoses"), json={"code": "F43.12"}, headers=headers)
    assert again.status_code == 409


def test_a_new_primary_diagnosis_makes_the_previous_one_secondary(client, clinic):
    _, episode, headers = clinic
    url = _url(episode, "/diagnoses")
    client.post(url, json={"code": "F33.1", "is_primary": True}, headers=headers)
    client.post(url, json={"code": "F43.10", "is_primary": True}, headers=headers)
    listed = {d["code"]: d["is_primary"] for d in client.get(url, headers=headers).json()}
    assert listed == {"F33.1": False, "F43.10": True}


@pytest.mark.parametrize(
    ("name", "drug_class"),
    [("Klonopin", "benzodiazepine"), ("lamotrigine", "lamotrigine"), ("sertraline", None)],
)
def test_medication_class_is_set_from_the_name(client, clinic, name, drug_class):
    _, episode, headers = clinic
    response = client.post(
        _url(episode, "/medications"), json={"name": name, "dose": "1 mg"}, headers=headers
    )
    assert response.status_code == 201
    assert response.json()["drug_class"] == drug_class


def test_an_unknown_drug_takes_the_class_given_but_a_known_one_cannot_be_contradicted(
    client, clinic
):
    _, episode, headers = clinic
    url = _url(episode, "/medications")
    new_drug = client.post(url, json={"name": "Newdrug", "drug_class": "opioid"}, headers=headers)
    assert new_drug.json()["drug_class"] == "opioid"
    wrong = client.post(url, json={"name": "zolpidem", "drug_class": "opioid"}, headers=headers)
    assert "zolpidem is a sedative_hypnotic" in _field_messages(wrong)["drug_class"]


def test_substance_use_keeps_substance_pattern_and_recency(client, clinic):
    _, episode, headers = clinic
    url = _url(episode, "/substance-use")
    body = {"substance": "ketamine", "pattern": "in_remission", "last_use_on": "2023-05-01"}
    assert client.post(url, json=body, headers=headers).status_code == 201
    future = client.post(url, json={**body, "last_use_on": "2999-01-01"}, headers=headers)
    assert "future" in _field_messages(future)["last_use_on"]
    bad_pattern = client.post(url, json={**body, "pattern": "weekends"}, headers=headers)
    assert "pattern" in _field_messages(bad_pattern)
    listed = client.get(url, headers=headers).json()
    assert [(s["substance"], s["pattern"]) for s in listed] == [("ketamine", "in_remission")]


def test_a_dose_outside_bounds_is_refused_naming_the_bound(client, clinic):
    _, episode, headers = clinic
    body = {"kind": "antidepressant", "drug": "sertraline", "dose_mg": 5000, "weeks": 8}
    response = client.post(_url(episode, "/prior-treatments"), json=body, headers=headers)
    assert "between 0.1 and 3000 mg" in _field_messages(response)["dose_mg"]


def test_a_medication_trial_must_name_its_drug_but_ect_need_not(client, clinic):
    _, episode, headers = clinic
    url = _url(episode, "/prior-treatments")
    nameless = client.post(url, json={"kind": "antidepressant", "weeks": 8}, headers=headers)
    assert "drug" in _field_messages(nameless)
    ect = client.post(url, json={"kind": "ect", "weeks": 4}, headers=headers)
    assert ect.status_code == 201
    assert ect.json()["drug"] == ""


def test_trd_is_derived_from_prior_treatments_with_one_reason_per_trial(client, clinic):
    _, episode, headers = clinic
    url = _url(episode, "/prior-treatments")
    trial = {
        "kind": "antidepressant",
        "drug": "sertraline",
        "dose_mg": 200,
        "adequate_dose": True,
        "weeks": 8,
        "adherence": "good",
        "outcome": "no_response",
    }
    client.post(url, json=trial, headers=headers)
    client.post(url, json={**trial, "drug": "venlafaxine", "dose_mg": 225}, headers=headers)
    client.post(url, json={**trial, "drug": "mirtazapine", "weeks": 3}, headers=headers)
    trd = client.get(f"/api/v1/episodes/{episode.id}/trd", headers=headers).json()
    assert trd["status"] == "treatment_resistant"
    assert trd["adequate_failed_trials"] == 2
    assert (trd["min_weeks"], trd["min_failed_trials"]) == (6, 2)
    assert [t["reasoning"] for t in trd["trials"]] == [
        "sertraline 200 mg, 8 weeks, good adherence, no response: counts",
        "venlafaxine 225 mg, 8 weeks, good adherence, no response: counts",
        "mirtazapine 200 mg, 3 weeks, good adherence, no response: too short (needs 6)",
    ]
    assert "ELEKT-D" in trd["source"]


def test_trd_without_an_intake_is_not_treatment_resistant(client, clinic):
    _, episode, headers = clinic
    trd = client.get(f"/api/v1/episodes/{episode.id}/trd", headers=headers).json()
    assert trd["status"] == "not_treatment_resistant"
    assert trd["trials"] == []


def test_entered_in_error_keeps_the_entry_with_its_reason_and_drops_it_from_trd(db, client, clinic):
    org, episode, headers = clinic
    intake = make_intake(db, org, episode)
    first, _ = add_trial(db, intake), add_trial(db, intake, drug="escitalopram", dose_mg=20.0)
    marked = client.post(
        f"/api/v1/intake-items/prior-treatments/{first.id}/entered-in-error",
        json={"reason": "belongs to another patient"},
        headers=headers,
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["status"] == "entered-in-error"
    listed = client.get(_url(episode, "/prior-treatments"), headers=headers).json()
    assert [t["error_reason"] for t in listed] == ["belongs to another patient", None]
    trd = client.get(f"/api/v1/episodes/{episode.id}/trd", headers=headers).json()
    assert trd["adequate_failed_trials"] == 1
    again = client.post(
        f"/api/v1/intake-items/prior-treatments/{first.id}/entered-in-error",
        json={"reason": "twice"},
        headers=headers,
    )
    assert again.status_code == 409


def test_entered_in_error_of_an_unknown_entry_or_wrong_kind_is_404(db, client, clinic):
    org, episode, headers = clinic
    trial = add_trial(db, make_intake(db, org, episode))
    for path in (f"goals/{trial.id}", f"prior-treatments/{uuid.uuid4()}"):
        response = client.post(
            f"/api/v1/intake-items/{path}/entered-in-error",
            json={"reason": "x" * 5},
            headers=headers,
        )
        assert response.status_code == 404


def test_goal_needs_the_patients_words_and_how_progress_is_judged(client, clinic):
    _, episode, headers = clinic
    url = _url(episode, "/goals")
    missing = client.post(url, json={"goal": "Sleep through the night"}, headers=headers)
    assert "measure_of_progress" in _field_messages(missing)
    ok = client.post(
        url,
        json={"goal": "Sleep through the night", "measure_of_progress": "Sleep diary, 5 of 7"},
        headers=headers,
    )
    assert ok.status_code == 201


def test_weight_is_recorded_in_the_patient_history_and_gives_the_bmi(db, client, clinic):
    org, episode, headers = clinic
    make_intake(db, org, episode, height_cm=180)
    response = client.post(
        _url(episode, "/weights"),
        json={"weight_kg": 81.0, "measured_on": "2026-01-09"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    assert response.json()["bmi"] == "25.0"
    history = client.get(f"/api/v1/patients/{episode.patient_id}/weights", headers=headers)
    assert [w["weight_kg"] for w in history.json()] == ["81.0"]
    intake = client.get(_url(episode), headers=headers).json()
    assert intake["body"]["bmi"] == "25.0"


def test_weight_outside_bounds_is_refused_naming_the_bound(client, clinic):
    _, episode, headers = clinic
    response = client.post(
        _url(episode, "/weights"),
        json={"weight_kg": 401, "measured_on": "2026-01-09"},
        headers=headers,
    )
    assert "400" in _field_messages(response)["weight_kg"]


def test_completion_names_what_is_missing_then_succeeds(db, client, clinic):
    org, episode, headers = clinic
    client.get(_url(episode), headers=headers)
    refused = client.post(_url(episode, "/complete"), headers=headers)
    assert refused.status_code == 409
    assert "presenting problem" in refused.json()["detail"]
    assert "weight" in refused.json()["detail"]
    ready = make_ready_intake(db, org)
    done = client.post(f"/api/v1/episodes/{ready.episode_id}/intake/complete", headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["completed"] is True
    assert done.json()["missing_for_completion"] == []


def test_a_closed_episode_takes_no_intake_changes(db, client):
    org = make_org(db)
    headers = bearer(db, make_user(db, org, Role.prescriber))
    intake = make_intake(db, org, make_episode(db, org, state="withdrawn"))
    response = client.patch(
        f"/api/v1/episodes/{intake.episode_id}/intake",
        json={"seizures": False},
        headers={**headers, "If-Match": '"1"'},
    )
    assert response.status_code == 409
    assert "withdrawn" in response.json()["detail"]


@pytest.mark.parametrize("role", [Role.front_desk, Role.researcher, Role.admin, Role.patient])
def test_roles_without_clinical_access_cannot_read_the_intake(db, client, role):
    org = make_org(db)
    intake = make_intake(db, org)
    response = client.get(
        f"/api/v1/episodes/{intake.episode_id}/intake", headers=bearer(db, make_user(db, org, role))
    )
    assert response.status_code == 403


def test_another_clinics_episode_is_not_found(db, client, clinic):
    _, episode, _ = clinic
    outsider = bearer(db, make_user(db, make_org(db), Role.prescriber))
    assert client.get(_url(episode), headers=outsider).status_code == 404


def test_reads_and_writes_are_audited_with_the_patient(db, client, clinic):
    org, episode, headers = clinic
    client.get(_url(episode), headers=headers)
    _patch(client, episode, headers, {"self_harm": True})
    client.post(
        _url(episode, "/goals"),
        json={"goal": "Feel calmer", "measure_of_progress": "GAD-7"},
        headers=headers,
    )
    events = db.scalars(select(AuditEvent).where(AuditEvent.organization_id == org.id)).all()
    actions = {e.action for e in events if e.patient_id == episode.patient_id}
    assert {"intake.create", "intake.read", "intake.update", "intake_item.create"} <= actions
    update = next(e for e in events if e.action == "intake.update")
    assert update.detail == "fields=self_harm"
