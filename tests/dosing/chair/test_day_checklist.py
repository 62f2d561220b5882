"""The day's structured checklist: pregnancy status, medications since the visit, suicide risk."""

from datetime import timedelta

import pytest

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.chair import pre_dose
from openkap.dosing.chair.pre_dose import ChecklistKey, StopKey
from openkap.dosing.errors import (
    HardStopsUnresolved,
    InvalidSessionInput,
    SessionStateRefused,
)
from openkap.patients.models import Patient
from tests.dosing.builders import NORMAL, as_role, checked_in, cleared, reading, ready_episode
from tests.fixtures.factories import bearer, make_user
from tests.intake.screening_builders import add_cssrs

REASON = "Discussed with the patient; the dose is low and monitoring is in place."


def _answer(db, dosing, key, value, by):
    return pre_dose.record_checklist(db, dosing=dosing, key=ChecklistKey(key), value=value, by=by)


def _keys(db, dosing):
    return {stop.key for stop in pre_dose.pre_dose_hard_stops(db, dosing=dosing)}


def _patient(db, episode, *, sex, age):
    patient = db.get(Patient, (episode.organization_id, episode.patient_id))
    yesterday = utcnow().date() - timedelta(days=1)
    patient.sex_at_birth = sex
    # Born `age` years before yesterday: `age` years old today, on any day of the year.
    patient.birth_date = yesterday.replace(year=yesterday.year - age)
    db.flush()


def _only_the_fixed_items(db, dosing, by):
    for key in pre_dose.REQUIRED:
        value = "yes" if key in pre_dose.CONFIRMATIONS else "Reviewed with the patient."
        value = {"medications_since_last_visit": "none", "suicide_risk_check": "no_new_risk"}.get(
            key.value, value
        )
        _answer(db, dosing, key, value, by)


@pytest.mark.parametrize(
    ("sex", "age", "asked"),
    [
        ("female", 30, True),
        ("female", 12, True),
        ("female", 55, True),
        ("female", 56, False),
        ("female", 11, False),
        ("intersex", 30, True),
        ("unknown", 30, True),
        ("male", 30, False),
    ],
)
def test_pregnancy_status_is_required_for_a_patient_who_can_become_pregnant(
    db, org, nurse, sex, age, asked
):
    episode = ready_episode(db, org)
    _patient(db, episode, sex=sex, age=age)
    dosing = checked_in(db, episode, nurse)
    _only_the_fixed_items(db, dosing, nurse)
    stops = pre_dose.pre_dose_hard_stops(db, dosing=dosing)
    incomplete = [s.message for s in stops if s.key == StopKey.checklist_incomplete]
    assert bool(incomplete and "not recorded: pregnancy status" in incomplete[0]) is asked


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("pregnancy_status", "maybe"),
        ("pregnancy_status", "not_applicable"),
        ("pregnancy_status", "not_applicable: no"),
        ("medications_since_last_visit", "No changes."),
        ("medications_since_last_visit", "xanax, sertraline"),
        ("suicide_risk_check", "fine"),
    ],
)
def test_answers_outside_the_choices_are_refused(db, org, nurse, key, value):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    with pytest.raises(InvalidSessionInput, match=key):
        _answer(db, dosing, key, value, nurse)
    assert pre_dose.checklist_answers(db, dosing=dosing) == {}


def test_not_applicable_is_kept_with_its_reason(db, org, nurse):
    dosing = checked_in(db, ready_episode(db, org), nurse)
    item = _answer(db, dosing, "pregnancy_status", " not_applicable : hysterectomy 2019 ", nurse)
    assert item.value == "not_applicable: hysterectomy 2019"


def test_a_positive_pregnancy_test_holds_dosing_and_no_role_overrides_it(db, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    _answer(db, dosing, "pregnancy_status", "positive", nurse)
    assert StopKey.pregnancy_positive in _keys(db, dosing)
    prescriber = as_role(db, org, Role.prescriber)
    with pytest.raises(SessionStateRefused, match="cannot be overridden"):
        pre_dose.override_hard_stop(
            db, dosing=dosing, key=StopKey.pregnancy_positive, reason=REASON, by=prescriber
        )
    with pytest.raises(HardStopsUnresolved, match="pregnancy_positive"):
        pre_dose.start_dosing(db, dosing=dosing, by=nurse)


def test_an_interacting_medication_flags_until_a_prescriber_overrides(db, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    _answer(db, dosing, "medications_since_last_visit", "Xanax, other: sertraline", nurse)
    [stop] = [
        s
        for s in pre_dose.pre_dose_hard_stops(db, dosing=dosing)
        if s.key == StopKey.interacting_medication_reported
    ]
    assert "Xanax (benzodiazepine)" in stop.message
    assert "sertraline" not in stop.message
    with pytest.raises(HardStopsUnresolved, match="interacting_medication_reported"):
        pre_dose.start_dosing(db, dosing=dosing, by=nurse)
    key = StopKey.interacting_medication_reported
    with pytest.raises(Forbidden, match="prescriber"):
        pre_dose.override_hard_stop(db, dosing=dosing, key=key, reason=REASON, by=nurse)
    prescriber = as_role(db, org, Role.prescriber)
    pre_dose.override_hard_stop(db, dosing=dosing, key=key, reason=REASON, by=prescriber)
    assert pre_dose.start_dosing(db, dosing=dosing, by=nurse).state == "dosing"


def test_a_medication_outside_the_interacting_classes_raises_no_stop(db, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    _answer(db, dosing, "medications_since_last_visit", "lamotrigine, other: sertraline", nurse)
    assert StopKey.interacting_medication_reported not in _keys(db, dosing)


def test_a_new_suicide_risk_holds_dosing_until_a_risk_assessment_is_recorded(db, org, nurse):
    episode = ready_episode(db, org)
    dosing = cleared(db, episode, nurse)
    _answer(db, dosing, "suicide_risk_check", "new_risk_reported", nurse)
    assert StopKey.suicide_risk_reported in _keys(db, dosing)
    # Changing the answer back does not clear it: the report stands until it is assessed.
    _answer(db, dosing, "suicide_risk_check", "no_new_risk", nurse)
    assert StopKey.suicide_risk_reported in _keys(db, dosing)
    prescriber = as_role(db, org, Role.prescriber)
    with pytest.raises(SessionStateRefused, match="cannot be overridden"):
        pre_dose.override_hard_stop(
            db, dosing=dosing, key=StopKey.suicide_risk_reported, reason=REASON, by=prescriber
        )
    patient = db.get(Patient, (org.id, episode.patient_id))
    add_cssrs(db, patient, risk_level="low", completed_at=utcnow() + timedelta(seconds=1))
    assert StopKey.suicide_risk_reported not in _keys(db, dosing)


def test_the_api_holds_a_positive_pregnancy_and_refuses_bad_answers(db, client, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    headers = bearer(db, make_user(db, org, Role.nurse))
    prescriber = bearer(db, make_user(db, org, Role.prescriber))
    path = f"/api/v1/dosing-sessions/{dosing.id}"
    bad = client.post(
        f"{path}/checklist", json={"key": "pregnancy_status", "value": "unsure"}, headers=headers
    )
    assert bad.status_code == 422
    assert "negative_test_today, not_applicable, positive" in bad.json()["detail"]
    body = {"key": "pregnancy_status", "value": "positive"}
    assert client.post(f"{path}/checklist", json=body, headers=headers).status_code == 201
    held = client.post(f"{path}/start", headers=headers)
    assert held.status_code == 409
    assert "pregnancy_positive" in held.json()["detail"]
    override = {"stop_key": "pregnancy_positive", "reason": REASON}
    assert client.post(f"{path}/overrides", json=override, headers=prescriber).status_code == 409


def test_the_api_flags_an_interacting_medication_for_a_prescriber(db, client, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    headers = bearer(db, make_user(db, org, Role.nurse))
    prescriber = bearer(db, make_user(db, org, Role.prescriber))
    path = f"/api/v1/dosing-sessions/{dosing.id}"
    body = {"key": "medications_since_last_visit", "value": "tramadol"}
    assert client.post(f"{path}/checklist", json=body, headers=headers).status_code == 201
    held = client.post(f"{path}/start", headers=headers)
    assert held.status_code == 409
    assert "interacting_medication_reported" in held.json()["detail"]
    override = {"stop_key": "interacting_medication_reported", "reason": REASON}
    assert client.post(f"{path}/overrides", json=override, headers=headers).status_code == 403
    assert client.post(f"{path}/overrides", json=override, headers=prescriber).status_code == 201
    assert client.post(f"{path}/start", headers=headers).status_code == 200


def test_the_api_holds_a_new_suicide_risk(db, client, org, nurse):
    dosing = cleared(db, ready_episode(db, org), nurse)
    headers = bearer(db, make_user(db, org, Role.nurse))
    path = f"/api/v1/dosing-sessions/{dosing.id}"
    body = {"key": "suicide_risk_check", "value": "new_risk_reported"}
    assert client.post(f"{path}/checklist", json=body, headers=headers).status_code == 201
    held = client.post(f"{path}/start", headers=headers)
    assert held.status_code == 409
    assert "suicide_risk_reported" in held.json()["detail"]


def test_the_chair_page_offers_the_choices_and_keeps_the_reason(db, client, org, nurse):
    from tests.fixtures.factories import csrf_from, web_login

    dosing = checked_in(db, ready_episode(db, org), nurse)
    reading(dosing, nurse, db, reading_id="pre", **NORMAL)
    user = make_user(db, org, Role.nurse)
    web_login(client, user.email)
    page = client.get(f"/dosing-sessions/{dosing.id}").text
    for value in ("negative_test_today", "not_applicable", "positive", "new_risk_reported"):
        assert f'value="{value}"' in page
    assert 'list="medication-catalogue"' in page
    assert '<option value="alprazolam">' in page
    form = {
        "csrf_token": csrf_from(page),
        "checklist-pregnancy_status": "not_applicable",
        "checklist-pregnancy_reason": "Post-menopausal for ten years.",
    }
    sent = client.post(f"/dosing-sessions/{dosing.id}/checklist", data=form)
    assert sent.status_code in (200, 303), sent.text
    assert pre_dose.checklist_answers(db, dosing=dosing)["pregnancy_status"] == (
        "not_applicable: Post-menopausal for ten years."
    )


def test_the_chair_page_sends_a_recheck_to_the_screening(db, client, org, nurse):
    from openkap.intake.models import ScreeningRun
    from tests.fixtures.factories import web_login

    episode = ready_episode(db, org)
    db.query(ScreeningRun).filter_by(episode_id=episode.id).delete()
    dosing = cleared(db, episode, nurse)
    web_login(client, make_user(db, org, Role.nurse).email)
    page = client.get(f"/dosing-sessions/{dosing.id}").text
    assert 'id="stop-screening_recheck_needed"' in page
    assert f'href="/episodes/{episode.id}/screening"' in page
