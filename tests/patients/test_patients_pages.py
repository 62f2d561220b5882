"""Patient pages: forms validate inline, conflicts are explained, roles shape the page."""

from sqlalchemy import select

from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.patients.models import Patient, WeightMeasurement
from tests.fixtures.factories import make_org, make_patient, make_user, web_login

FORM = {
    "family_name": "Reyes",
    "given_name": "Lucia",
    "birth_date": "1988-11-02",
    "sex_at_birth": "female",
    "phone": "",
    "email": "",
    "country": "",
}


def test_new_patient_form_creates_the_patient_and_opens_their_page(db, client):
    desk = make_user(db, make_org(db), Role.front_desk)
    csrf = web_login(client, desk.email)
    response = client.post(
        "/patients/new", data={**FORM, "csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Reyes, Lucia" in page.text
    stored = db.scalars(select(Patient).where(Patient.family_name == "Reyes")).one()
    assert stored.phone is None


def test_invalid_form_is_shown_again_with_inline_errors_and_the_values_kept(db, client):
    desk = make_user(db, make_org(db), Role.front_desk)
    csrf = web_login(client, desk.email)
    bad = {
        **FORM,
        "family_name": "",
        "birth_date": "2999-01-01",
        "email": "not-an-email",
        "csrf_token": csrf,
    }
    response = client.post("/patients/new", data=bad)
    assert response.status_code == 422
    assert 'id="e-birth_date"' in response.text
    assert "date of birth cannot be in the future" in response.text
    assert 'id="e-email"' in response.text
    assert 'value="Lucia"' in response.text
    assert db.scalars(select(Patient).where(Patient.given_name == "Lucia")).first() is None


def test_edit_based_on_an_old_version_explains_the_conflict(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, nurse.email)
    fields = {
        "family_name": patient.family_name,
        "given_name": patient.given_name,
        "birth_date": "1980-05-17",
        "sex_at_birth": "female",
        "csrf_token": csrf,
    }
    first = client.post(
        f"/patients/{patient.id}/edit",
        data={**fields, "pronouns": "she/her", "version": "1"},
        follow_redirects=False,
    )
    assert first.status_code == 303
    stale = client.post(
        f"/patients/{patient.id}/edit", data={**fields, "pronouns": "they/them", "version": "1"}
    )
    assert stale.status_code == 409
    assert "someone changed it since you opened it" in stale.text
    db.refresh(patient)
    assert patient.pronouns == "she/her"


def test_front_desk_sees_demographics_without_clinical_sections(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    desk = make_user(db, org, Role.front_desk)
    web_login(client, desk.email)
    page = client.get(f"/patients/{patient.id}")
    assert patient.mrn in page.text
    assert 'id="weights"' not in page.text


def test_nurse_records_a_weight_and_an_out_of_range_weight_is_explained(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, nurse.email)
    ok = client.post(
        f"/patients/{patient.id}/weights",
        data={"weight_kg": "72.4", "measured_on": "2026-02-01", "csrf_token": csrf},
    )
    assert "72.4" in ok.text
    bad = client.post(
        f"/patients/{patient.id}/weights",
        data={"weight_kg": "900", "measured_on": "2026-02-01", "csrf_token": csrf},
    )
    assert bad.status_code == 422
    assert "less than or equal to 400" in bad.text


def test_admin_sees_who_viewed_a_patient(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    therapist = make_user(db, org, Role.therapist)
    admin = make_user(db, org, Role.admin)
    web_login(client, therapist.email)
    client.get(f"/patients/{patient.id}")
    client.cookies.clear()
    web_login(client, admin.email)
    log = client.get(f"/admin/audit?patient_id={patient.id}")
    assert therapist.full_name in log.text
    assert "patient.read" in log.text


def test_admin_adds_a_user_with_roles(db, client):
    org = make_org(db)
    admin = make_user(db, org, Role.admin)
    csrf = web_login(client, admin.email)
    response = client.post(
        "/admin/users",
        data={
            "full_name": "Sam Rivera",
            "email": "sam.rivera@example.org",
            "password": "a long starter password",
            "roles": ["nurse", "therapist"],
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    listing = client.get("/admin/users").text
    assert "Sam Rivera" in listing
    missing_role = client.post(
        "/admin/users",
        data={
            "full_name": "No Role",
            "email": "norole@example.org",
            "password": "a long starter password",
            "csrf_token": csrf,
        },
    )
    assert missing_role.status_code == 422


def test_admin_cannot_remove_their_own_admin_role(db, client):
    org = make_org(db)
    admin = make_user(db, org, Role.admin)
    csrf = web_login(client, admin.email)
    response = client.post(
        f"/admin/users/{admin.id}", data={"roles": ["nurse"], "is_active": "on", "csrf_token": csrf}
    )
    assert response.status_code == 403
    assert "cannot change your own roles" in response.text


def test_blank_required_field_is_reported_as_required(db, client):
    desk = make_user(db, make_org(db), Role.front_desk)
    csrf = web_login(client, desk.email)
    response = client.post("/patients/new", data={**FORM, "given_name": "  ", "csrf_token": csrf})
    assert response.status_code == 422
    assert "This field is required." in response.text


def test_weight_page_names_a_questioned_change_and_takes_the_confirmation(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, nurse.email)
    day = utcnow().date().isoformat()
    url = f"/patients/{patient.id}/weights"
    client.post(url, data={"weight_kg": "70.0", "measured_on": day, "csrf_token": csrf})
    refused = client.post(url, data={"weight_kg": "154.3", "measured_on": day, "csrf_token": csrf})
    assert refused.status_code == 409
    assert 'id="weight-refusal"' in refused.text
    assert "pounds_typed_as_kilograms" in refused.text
    assert "154.3 kg" in refused.text
    assert "70.0 kg" in refused.text
    assert 'name="change_reason"' in refused.text
    assert 'value="154.3"' in refused.text
    confirmed = client.post(
        url,
        data={
            "weight_kg": "154.3",
            "measured_on": day,
            "confirm_change": "yes",
            "change_reason": "Weighed twice, the scale reads kilograms.",
            "csrf_token": csrf,
        },
    )
    assert confirmed.status_code == 200
    assert "change confirmed: Weighed twice, the scale reads kilograms." in confirmed.text
    rows = db.scalars(select(WeightMeasurement).where(WeightMeasurement.patient_id == patient.id))
    assert sorted(str(w.weight_kg) for w in rows) == ["154.3", "70.0"]


def test_height_is_recorded_and_the_bmi_shown_with_the_weights(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    therapist = make_user(db, org, Role.therapist)
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, nurse.email)
    day = utcnow().date().isoformat()
    client.post(
        f"/patients/{patient.id}/weights",
        data={"weight_kg": "70.0", "measured_on": day, "csrf_token": csrf},
    )
    csrf = web_login(client, therapist.email)
    bad = client.post(
        f"/patients/{patient.id}/height", data={"height_cm": "17", "csrf_token": csrf}
    )
    assert bad.status_code == 422
    assert "greater than or equal to 100" in bad.text
    page = client.post(
        f"/patients/{patient.id}/height", data={"height_cm": "175.0", "csrf_token": csrf}
    )
    assert "175.0 cm" in page.text
    assert "22.9 kg/m²" in page.text  # 70 / 1.75²
