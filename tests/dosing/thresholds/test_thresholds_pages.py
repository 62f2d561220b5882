"""The thresholds page and API: administrators change them, prescribers read them."""

from openkap.core.models import Role
from openkap.dosing.thresholds import service as threshold_settings
from openkap.dosing.thresholds.rules import DEFAULT_THRESHOLDS
from tests.fixtures.factories import bearer, make_org, make_user, web_login

PAGE = "/admin/dosing-thresholds"
REASON = "Medical director lowered the heart-rate alert."


def _form(csrf, **changes):
    form = {name: str(value) for name, value in DEFAULT_THRESHOLDS.model_dump().items()}
    form = {k: v for k, v in form.items() if not k.endswith("_plausible")}
    return {**form, "reason": REASON, "base_version": "0", "csrf_token": csrf, **changes}


def test_an_administrator_saves_a_new_version_from_the_page(db, client):
    org = make_org(db)
    csrf = web_login(client, make_user(db, org, Role.admin).email)
    assert "uses the OpenKAP defaults" in client.get(PAGE).text
    response = client.post(PAGE, data=_form(csrf, alert_hr_above="105"), follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "Saved as version 1." in page
    assert REASON in page
    assert threshold_settings.clinic_thresholds(db, organization_id=org.id).alert_hr_above == 105


def test_an_invalid_threshold_is_shown_beside_its_field_and_nothing_is_saved(db, client):
    org = make_org(db)
    csrf = web_login(client, make_user(db, org, Role.admin).email)
    response = client.post(PAGE, data=_form(csrf, alert_spo2_below="abc"))
    assert response.status_code == 422
    assert 'id="e-alert_spo2_below"' in response.text
    assert 'value="abc"' in response.text
    assert threshold_settings.current_version(db, organization_id=org.id) == 0


def test_inconsistent_thresholds_are_refused_with_the_reason(db, client):
    org = make_org(db)
    csrf = web_login(client, make_user(db, org, Role.admin).email)
    response = client.post(PAGE, data=_form(csrf, pre_dose_sbp_above="185"))
    assert response.status_code == 422
    assert "pre-dose systolic hold must be below the in-session alert" in response.text
    assert threshold_settings.current_version(db, organization_id=org.id) == 0


def test_a_stale_edit_is_refused_with_a_conflict(db, client):
    org = make_org(db)
    csrf = web_login(client, make_user(db, org, Role.admin).email)
    assert client.post(PAGE, data=_form(csrf), follow_redirects=False).status_code == 303
    response = client.post(PAGE, data=_form(csrf, alert_hr_above="100"))
    assert response.status_code == 409
    assert "reload and make your change again" in response.text
    assert threshold_settings.current_version(db, organization_id=org.id) == 1


def test_a_prescriber_reads_the_thresholds_without_a_form(db, client):
    org = make_org(db)
    web_login(client, make_user(db, org, Role.prescriber).email)
    page = client.get(PAGE).text
    assert "Thresholds in force" in page
    assert 'name="reason"' not in page


def test_the_api_saves_and_returns_every_version(db, client):
    org = make_org(db)
    headers = bearer(db, make_user(db, org, Role.admin))
    values = {**DEFAULT_THRESHOLDS.model_dump(mode="json"), "alert_rr_below": 12}
    body = {"values": values, "reason": REASON, "base_version": 0}
    saved = client.put("/api/v1/dosing-thresholds", json=body, headers=headers)
    assert saved.status_code == 200
    assert saved.json()["version"] == 1
    read = client.get("/api/v1/dosing-thresholds", headers=headers).json()
    assert read["values"]["alert_rr_below"] == 12
    assert [h["set_version"] for h in read["history"]] == [1]


def test_the_api_refuses_an_unknown_threshold_naming_it(db, client):
    org = make_org(db)
    headers = bearer(db, make_user(db, org, Role.admin))
    body = {"values": {"alert_temperature_above": 38}, "reason": REASON}
    response = client.put("/api/v1/dosing-thresholds", json=body, headers=headers)
    assert response.status_code == 422
    assert "alert_temperature_above" in response.text
