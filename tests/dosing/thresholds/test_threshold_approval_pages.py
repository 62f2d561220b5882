"""Loosening a threshold through the API and the page: pending, approved by a second prescriber."""

from openkap.core.models import Role
from openkap.dosing.thresholds import service as threshold_settings
from openkap.dosing.thresholds.rules import DEFAULT_THRESHOLDS
from tests.fixtures.factories import bearer, make_org, make_user, web_login

API = "/api/v1/dosing-thresholds"
PAGE = "/admin/dosing-thresholds"
REASON = "Medical director widened the heart-rate alert."


def _put(client, headers, **changes):
    values = {**DEFAULT_THRESHOLDS.model_dump(mode="json"), **changes}
    body = {"values": values, "reason": REASON}
    return client.put(API, json=body, headers=headers)


def test_the_api_saves_a_tightening_in_force(db, client):
    org = make_org(db)
    response = _put(client, bearer(db, make_user(db, org, Role.admin)), alert_hr_above=100)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["version"], body["values"]["alert_hr_above"]) == (1, 100)
    assert body["saved"]["approval"] == "none"


def test_the_api_keeps_a_loosening_pending_until_a_second_prescriber_approves(db, client):
    org = make_org(db)
    proposer = make_user(db, org, Role.admin, Role.prescriber)
    response = _put(client, bearer(db, proposer), min_hours_between_doses=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["version"], body["values"]["min_hours_between_doses"]) == (0, 44)
    assert body["saved"]["approval"] == "pending"
    assert "min_hours_between_doses 44 → 30" in body["saved"]["loosening"]
    approve = f"{API}/{body['saved']['set_version']}/approve"
    own = client.post(approve, headers=bearer(db, proposer))
    assert own.status_code == 403
    assert own.json()["error"] == "ApprovalRefused"
    nurse = client.post(approve, headers=bearer(db, make_user(db, org, Role.nurse)))
    assert nurse.status_code == 403
    assert threshold_settings.current_version(db, organization_id=org.id) == 0
    approved = client.post(approve, headers=bearer(db, make_user(db, org, Role.prescriber)))
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert (body["version"], body["values"]["min_hours_between_doses"]) == (1, 30)
    assert body["saved"]["approval"] == "approved"


def test_the_api_refuses_a_loosening_past_the_guard_rail_naming_the_bound(db, client):
    org = make_org(db)
    response = _put(client, bearer(db, make_user(db, org, Role.admin)), alert_rr_below=6)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "OutsideGuardRail"
    assert "alert_rr_below 6" in body["detail"]
    assert "not below 8 /min" in body["detail"]
    assert "Chair guard-rails" in body["detail"]
    assert threshold_settings.current_version(db, organization_id=org.id) == 0
    history = client.get(API, headers=bearer(db, make_user(db, org, Role.admin))).json()["history"]
    assert history == []


def test_the_api_refuses_to_approve_a_stale_pending_version(db, client):
    org = make_org(db)
    admin = bearer(db, make_user(db, org, Role.admin))
    pending = _put(client, admin, alert_hr_above=120).json()["saved"]["set_version"]
    assert _put(client, admin, alert_hr_above=105).status_code == 200
    prescriber = bearer(db, make_user(db, org, Role.prescriber))
    response = client.post(f"{API}/{pending}/approve", headers=prescriber)
    assert response.status_code == 409
    assert response.json()["error"] == "ProposalStale"
    assert threshold_settings.clinic_thresholds(db, organization_id=org.id).alert_hr_above == 105


def _form(csrf, **changes):
    form = {name: str(value) for name, value in DEFAULT_THRESHOLDS.model_dump().items()}
    form = {k: v for k, v in form.items() if not k.endswith("_plausible")}
    return {**form, "reason": REASON, "base_version": "0", "csrf_token": csrf, **changes}


def test_the_page_shows_a_pending_loosening_and_a_second_prescriber_approves_it(db, client):
    org = make_org(db)
    proposer = make_user(db, org, Role.admin, Role.prescriber)
    csrf = web_login(client, proposer.email)
    assert 'name="min_hours_between_doses"' in client.get(PAGE).text
    saved = client.post(PAGE, data=_form(csrf, alert_hr_above="120"), follow_redirects=False)
    assert saved.status_code == 303
    page = client.get(saved.headers["location"]).text
    assert "Saved as version 1, pending" in page
    assert "Pending approval by a second prescriber." in page
    assert "alert_hr_above 110 → 120" in page
    assert "Approve version 1" not in page
    own = client.post(f"{PAGE}/1/approve", data={"csrf_token": csrf})
    assert own.status_code == 403
    assert "cannot approve their own loosening" in own.text
    client.cookies.clear()
    csrf = web_login(client, make_user(db, org, Role.prescriber).email)
    assert "Approve version 1" in client.get(PAGE).text
    approved = client.post(f"{PAGE}/1/approve", data={"csrf_token": csrf}, follow_redirects=False)
    assert approved.status_code == 303
    page = client.get(approved.headers["location"]).text
    assert "Approved: version 1 is in force." in page
    assert threshold_settings.clinic_thresholds(db, organization_id=org.id).alert_hr_above == 120


def test_the_page_refuses_a_loosening_past_the_guard_rail_beside_its_field(db, client):
    org = make_org(db)
    csrf = web_login(client, make_user(db, org, Role.admin).email)
    response = client.post(PAGE, data=_form(csrf, min_hours_between_doses="12"))
    assert response.status_code == 422
    assert 'id="e-min_hours_between_doses"' in response.text
    assert "not below 20 hours" in response.text
    assert threshold_settings.current_version(db, organization_id=org.id) == 0
