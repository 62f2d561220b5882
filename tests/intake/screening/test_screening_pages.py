"""The screening page of an episode and the administrators' rule set page."""

import re

from sqlalchemy import select

from openkap.core.models import Role
from openkap.intake.models import ScreeningOverride
from openkap.intake.screening.rules import CATALOGUE
from openkap.intake.screening.rulesets import current_rule_set, default_entries, update_rule_set
from openkap.intake.screening.service import run_screening
from tests.fixtures.factories import make_org, make_user, web_login
from tests.intake.screening_builders import as_principal, screening_episode

REASON = "Past psychosis was one drug-induced episode in 2009; discussed with the patient."


def _row(html, rule_id):
    match = re.search(rf'<tr id="rule-{rule_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, rule_id
    return match.group(0)


def test_a_nurse_runs_the_screening_and_sees_every_rule_with_its_result(db, client):
    org = make_org(db)
    episode, _ = screening_episode(db, org, psychosis="past", pregnant=None)
    csrf = web_login(client, make_user(db, org, Role.nurse).email)
    before = client.get(f"/episodes/{episode.id}/screening")
    assert "This episode has not been screened yet." in before.text
    response = client.post(
        f"/episodes/{episode.id}/screening", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    for rule_id in CATALOGUE:
        assert f'id="rule-{rule_id}"' in page
    assert 'data-status="triggered"' in _row(page, "psychosis")
    assert "Ketamine can provoke or worsen psychotic symptoms" in _row(page, "psychosis")
    assert 'data-status="missing"' in _row(page, "pregnancy_or_breastfeeding")
    assert 'data-status="clear"' in _row(page, "interstitial_cystitis")
    assert "Sanacora" in _row(page, "psychosis")
    assert re.search(r'id="missing".*?<li>pregnancy status</li>', page, re.S)
    assert "Run the screening again" in page
    assert 'id="override"' not in page


def test_a_therapist_reads_the_screening_but_cannot_run_it(db, client):
    org = make_org(db)
    episode, _ = screening_episode(db, org)
    run_screening(db, episode=episode, by=as_principal(make_user(db, org, Role.nurse)))
    web_login(client, make_user(db, org, Role.therapist).email)
    page = client.get(f"/episodes/{episode.id}/screening").text
    assert "Eligible: no contraindication found." in page
    assert "Run the screening" not in page


def _needs_review(db, org):
    episode, _ = screening_episode(db, org, psychosis="past")
    run = run_screening(db, episode=episode, by=as_principal(make_user(db, org, Role.nurse)))
    return episode, run


def test_a_prescriber_overrides_from_the_page_and_the_override_stays_visible(db, client):
    org = make_org(db)
    episode, run = _needs_review(db, org)
    prescriber = make_user(db, org, Role.prescriber)
    csrf = web_login(client, prescriber.email)
    page = client.get(f"/episodes/{episode.id}/screening").text
    assert '<label for="f-justification">' in page
    response = client.post(
        f"/episodes/{episode.id}/screenings/{run.id}/override",
        data={"csrf_token": csrf, "justification": REASON},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(f"/episodes/{episode.id}/screening").text
    assert "Overridden from needs review to eligible" in page
    assert f"by {prescriber.full_name}" in page
    assert REASON in page
    assert "This screening was already overridden." in page
    assert db.scalars(select(ScreeningOverride.justification)).all() == [REASON]


def test_a_short_justification_is_shown_again_with_an_inline_error(db, client):
    org = make_org(db)
    episode, run = _needs_review(db, org)
    csrf = web_login(client, make_user(db, org, Role.prescriber).email)
    response = client.post(
        f"/episodes/{episode.id}/screenings/{run.id}/override",
        data={"csrf_token": csrf, "justification": "seems fine"},
    )
    assert response.status_code == 422
    assert 'id="e-justification"' in response.text
    assert 'aria-describedby="e-justification"' in response.text
    assert ">seems fine</textarea>" in response.text
    assert db.scalars(select(ScreeningOverride)).all() == []


def test_a_nurse_cannot_post_an_override(db, client):
    org = make_org(db)
    episode, run = _needs_review(db, org)
    csrf = web_login(client, make_user(db, org, Role.nurse).email)
    response = client.post(
        f"/episodes/{episode.id}/screenings/{run.id}/override",
        data={"csrf_token": csrf, "justification": REASON},
    )
    assert response.status_code == 403
    assert db.scalars(select(ScreeningOverride)).all() == []


def test_an_override_of_another_episodes_screening_is_not_found(db, client):
    org = make_org(db)
    _, run = _needs_review(db, org)
    other, _ = screening_episode(db, org)
    csrf = web_login(client, make_user(db, org, Role.prescriber).email)
    response = client.post(
        f"/episodes/{other.id}/screenings/{run.id}/override",
        data={"csrf_token": csrf, "justification": REASON},
    )
    assert response.status_code == 404


def test_running_a_screening_too_late_explains_why_on_the_page(db, client):
    org = make_org(db)
    episode, _ = screening_episode(db, org, state="on_hold")
    csrf = web_login(client, make_user(db, org, Role.prescriber).email)
    response = client.post(f"/episodes/{episode.id}/screening", data={"csrf_token": csrf})
    assert response.status_code == 409
    assert "An episode in on hold cannot be screened" in response.text


def test_the_override_form_explains_why_an_incomplete_screening_cannot_be_overridden(db, client):
    org = make_org(db)
    episode, _ = screening_episode(db, org, psychosis="past", hypertension=None)
    run_screening(db, episode=episode, by=as_principal(make_user(db, org, Role.nurse)))
    web_login(client, make_user(db, org, Role.prescriber).email)
    page = client.get(f"/episodes/{episode.id}/screening").text
    assert "record hypertension status and run it again before overriding" in page
    assert 'name="justification"' not in page


def _rule_set_form(**changes):
    fields = {"base_version": "1", "change_note": "Change the systolic limit"}
    for entry in default_entries():
        if entry["enabled"]:
            fields[f"enabled.{entry['rule_id']}"] = "on"
        for name, value in entry["params"].items():
            fields[f"{entry['rule_id']}.{name}"] = str(value)
    fields.update(changes)
    return fields


def test_an_administrator_changes_a_threshold_and_sees_the_new_version(db, client):
    org = make_org(db)
    csrf = web_login(client, make_user(db, org, Role.admin).email)
    page = client.get("/admin/rule-set").text
    assert 'name="uncontrolled_hypertension.sbp_above"' in page
    assert 'name="enabled.psychosis"' in page
    assert 'type="checkbox" name="enabled.intracerebral_haemorrhage"' not in page
    assert "Always" in _row(page, "intracerebral_haemorrhage")
    form = _rule_set_form(**{"uncontrolled_hypertension.sbp_above": "130", "csrf_token": csrf})
    del form["enabled.medication_lamotrigine"]
    response = client.post("/admin/rule-set", data=form, follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Saved as version 2." in page
    assert "Uncontrolled hypertension: systolic limit 140 → 130" in page
    assert "Taking lamotrigine: turned off" in page
    stored = {e["rule_id"]: e for e in current_rule_set(db, organization_id=org.id).rules}
    assert stored["uncontrolled_hypertension"]["params"]["sbp_above"] == 130
    assert stored["medication_lamotrigine"]["enabled"] is False


def test_an_out_of_range_threshold_is_shown_inline_and_nothing_is_saved(db, client):
    org = make_org(db)
    csrf = web_login(client, make_user(db, org, Role.admin).email)
    form = _rule_set_form(**{"under_minimum_age.min_age": "12", "csrf_token": csrf})
    response = client.post("/admin/rule-set", data=form)
    assert response.status_code == 422
    assert 'id="e-under_minimum_age.min_age"' in response.text
    assert "Minimum age must be between 18 and 100 years, not 12" in response.text
    assert 'value="12"' in response.text
    assert current_rule_set(db, organization_id=org.id).version == 1


def test_an_absolute_rule_cannot_be_turned_off_from_the_page(db, client):
    org = make_org(db)
    csrf = web_login(client, make_user(db, org, Role.admin).email)
    form = _rule_set_form(csrf_token=csrf)
    del form["enabled.aneurysmal_vascular_disease"]
    response = client.post("/admin/rule-set", data=form)
    assert response.status_code == 422
    assert "cannot be turned off" in response.text
    assert current_rule_set(db, organization_id=org.id).version == 1


def test_a_missing_change_note_is_shown_inline(db, client):
    org = make_org(db)
    csrf = web_login(client, make_user(db, org, Role.admin).email)
    response = client.post("/admin/rule-set", data=_rule_set_form(change_note="", csrf_token=csrf))
    assert response.status_code == 422
    assert 'id="e-change_note"' in response.text


def test_a_prescriber_reads_the_rules_and_their_history_without_a_form(db, client):
    org = make_org(db)
    admin = as_principal(make_user(db, org, Role.admin))
    update_rule_set(db, entries=default_entries(), change_note="Reviewed, no change", by=admin)
    web_login(client, make_user(db, org, Role.prescriber).email)
    page = client.get("/admin/rule-set").text
    assert "Systolic limit: 140 mmHg" in page
    assert "Reviewed, no change" in page
    assert admin.user.full_name in page
    assert 'action="/admin/rule-set"' not in page


def test_a_prescriber_cannot_post_a_rule_set_change(db, client):
    org = make_org(db)
    csrf = web_login(client, make_user(db, org, Role.prescriber).email)
    response = client.post("/admin/rule-set", data=_rule_set_form(csrf_token=csrf))
    assert response.status_code == 403
    assert current_rule_set(db, organization_id=org.id).version == 1
