"""Plan, preparation, template and consent-document pages: forms, inline errors, roles."""

import re

import pytest
from sqlalchemy import select

from openkap.core.models import Role
from openkap.plans.models import Consent, ConsentDocument, PreparationCheck, TreatmentPlan
from tests.fixtures.factories import make_org, make_patient, make_user, web_login
from tests.plans.builders import NEXT_MONDAY, TODAY, make_plan, screened_episode, weigh

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def clinic(db):
    org = make_org(db)
    prescriber = make_user(db, org, Role.prescriber)
    patient = make_patient(db, org)
    weigh(db, patient, "71.3")
    return org, prescriber, screened_episode(db, org, patient=patient)


def test_prescriber_sees_each_protocols_dose_with_its_inputs(db, client, clinic):
    _, prescriber, episode = clinic
    web_login(client, prescriber.email)
    page = client.get(f"/episodes/{episode.id}/plan")
    assert page.status_code == 200
    assert "0.5 mg/kg x 71.3 kg" in page.text
    assert "rounded half-up to 0.5 mg: 35.5 mg" in page.text
    assert "2 devices" in page.text
    assert 'name="template_key"' in page.text


def test_plan_page_says_why_a_weight_based_dose_cannot_be_computed(db, client):
    org = make_org(db)
    prescriber = make_user(db, org, Role.prescriber)
    episode = screened_episode(db, org)
    web_login(client, prescriber.email)
    page = client.get(f"/episodes/{episode.id}/plan")
    assert "Cannot compute: no weight recorded in the last 30 days" in page.text


def test_plan_is_created_signed_and_revised_from_the_page(db, client, clinic):
    _, prescriber, episode = clinic
    csrf = web_login(client, prescriber.email)
    created = client.post(
        f"/episodes/{episode.id}/plan",
        data={
            "template_key": "iv_racemic",
            "start_on": NEXT_MONDAY.isoformat(),
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = client.get(f"/episodes/{episode.id}/plan")
    assert "Sign plan version 1" in page.text
    assert page.text.count("<td>dosing</td>") == 6
    plan = db.scalars(select(TreatmentPlan).where(TreatmentPlan.episode_id == episode.id)).one()
    signed = client.post(
        f"/episodes/{episode.id}/plan/{plan.id}/sign",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert "version 1 · signed" in client.get(f"/episodes/{episode.id}/plan").text
    revised = client.post(
        f"/episodes/{episode.id}/plan/{plan.id}/revise",
        data={"change_reason": "Nausea at 0.5", "dose_per_kg": "0.4", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert revised.status_code == 303
    page = client.get(f"/episodes/{episode.id}/plan").text
    assert "version 2 · draft" in page
    assert "Nausea at 0.5" in page


def test_dose_outside_the_protocol_is_shown_again_with_the_bound_and_values_kept(
    db, client, clinic
):
    _, prescriber, episode = clinic
    csrf = web_login(client, prescriber.email)
    response = client.post(
        f"/episodes/{episode.id}/plan",
        data={
            "template_key": "iv_racemic",
            "start_on": NEXT_MONDAY.isoformat(),
            "dose_per_kg": "1.5",
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 422
    assert 'id="e-dose_per_kg"' in response.text
    assert "max_dose 1 mg/kg" in response.text
    assert 'value="1.5"' in response.text


def test_therapist_reads_the_plan_but_cannot_sign_or_create(db, client, clinic):
    org, prescriber, episode = clinic
    plan = make_plan(db, prescriber, episode)
    therapist = make_user(db, org, Role.therapist)
    csrf = web_login(client, therapist.email)
    page = client.get(f"/episodes/{episode.id}/plan")
    assert "Waiting for a prescriber" in page.text
    assert "Sign plan" not in page.text
    assert "Revise the plan" not in page.text
    refused = client.post(f"/episodes/{episode.id}/plan/{plan.id}/sign", data={"csrf_token": csrf})
    assert refused.status_code == 403


def consent_form(csrf, witness, **changes):
    return {
        "consent-document_key": "iv_racemic",
        "consent-method": "typed",
        "consent-signed_name": "Ada Okonkwo",
        "consent-signed_at": TODAY.isoformat() + "T00:00",
        "consent-witness_id": str(witness.id),
        "csrf_token": csrf,
        **changes,
    }


def test_typed_consent_is_recorded_from_the_preparation_page(db, client, clinic):
    org, prescriber, episode = clinic
    make_plan(db, prescriber, episode)
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, nurse.email)
    page = client.get(f"/episodes/{episode.id}/preparation")
    assert "How it is given" in page.text
    assert re.search(r'<option value="iv_racemic" selected>', page.text)
    response = client.post(
        f"/episodes/{episode.id}/preparation/consents",
        data=consent_form(csrf, prescriber),
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(f"/episodes/{episode.id}/preparation").text
    assert "typed signature" in page
    assert "signed consent for" not in page


def test_consent_without_a_witness_is_shown_again_with_the_field_marked(db, client, clinic):
    org, prescriber, episode = clinic
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, nurse.email)
    response = client.post(
        f"/episodes/{episode.id}/preparation/consents",
        data=consent_form(csrf, prescriber, **{"consent-witness_id": ""}),
    )
    assert response.status_code == 422
    assert 'id="e-consent-witness_id"' in response.text
    assert 'value="Ada Okonkwo"' in response.text
    assert db.scalars(select(Consent).where(Consent.episode_id == episode.id)).first() is None


def test_scanned_consent_is_uploaded_and_downloaded(db, client, clinic):
    org, prescriber, episode = clinic
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, nurse.email)
    response = client.post(
        f"/episodes/{episode.id}/preparation/consents",
        data=consent_form(csrf, prescriber, **{"consent-method": "scan"}),
        files={"consent-scan": ("signed.png", PNG, "image/png")},
        follow_redirects=False,
    )
    assert response.status_code == 303
    stored = db.scalars(select(Consent).where(Consent.episode_id == episode.id)).one()
    assert stored.scan_filename == "signed.png"
    download = client.get(f"/episodes/{episode.id}/preparation/consents/{stored.id}/scan")
    assert download.content == PNG


def test_scan_method_without_a_file_marks_the_scan_field(db, client, clinic):
    org, prescriber, episode = clinic
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, nurse.email)
    response = client.post(
        f"/episodes/{episode.id}/preparation/consents",
        data=consent_form(csrf, prescriber, **{"consent-method": "scan"}),
    )
    assert response.status_code == 422
    assert 'id="e-consent-scan"' in response.text


def test_checks_rems_and_sessions_are_recorded_from_the_page(db, client, clinic):
    org, _, episode = clinic
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, nurse.email)
    base = f"/episodes/{episode.id}/preparation"
    posts = [
        (
            f"{base}/checks/pdmp",
            {"pdmp-performed_on": TODAY.isoformat(), "pdmp-result": "no_concerns"},
        ),
        (
            f"{base}/checks/urine_drug_screen",
            {
                "urine_drug_screen-performed_on": TODAY.isoformat(),
                "urine_drug_screen-result": "positive",
                "urine_drug_screen-substances": "THC, benzodiazepines",
            },
        ),
        (
            f"{base}/rems",
            {"rems-rems_patient_id": "REMS-77", "rems-enrolled_on": TODAY.isoformat()},
        ),
        (f"{base}/sessions", {"session-scheduled_for": TODAY.isoformat() + "T15:30"}),
    ]
    for path, data in posts:
        response = client.post(path, data={**data, "csrf_token": csrf}, follow_redirects=False)
        assert response.status_code == 303, (path, response.text)
    page = client.get(base).text
    assert "positive: THC, benzodiazepines" in page
    assert "REMS-77" in page
    assert "15:30 UTC" in page
    screen = db.scalars(
        select(PreparationCheck).where(PreparationCheck.kind == "urine_drug_screen")
    ).one()
    assert screen.findings == {"substances": ["THC", "benzodiazepines"]}


def test_pdmp_concerns_without_details_are_marked_inline(db, client, clinic):
    org, _, episode = clinic
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, nurse.email)
    response = client.post(
        f"/episodes/{episode.id}/preparation/checks/pdmp",
        data={
            "pdmp-performed_on": TODAY.isoformat(),
            "pdmp-result": "concerns",
            "csrf_token": csrf,
        },
    )
    assert response.status_code == 422
    assert 'id="e-pdmp-details"' in response.text


def test_template_page_saves_a_new_version(db, client):
    admin = make_user(db, make_org(db), Role.admin)
    web_login(client, admin.email)
    listing = client.get("/protocol-templates").text
    path = re.search(r'href="(/protocol-templates/[0-9a-f-]+)">IV racemic', listing).group(1)
    page = client.get(path).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    fields = dict(
        re.findall(r'<input id="f-[^"]+" name="([^"]+)" type="[^"]+" value="([^"]*)"', page)
    )
    fields.update(
        {
            "csrf_token": csrf,
            "weight_based": "1",
            "bounds_unit": "mg_per_kg",
            "change_note": "Cap at 0.8 mg/kg",
            "max_dose": "0.8",
            "source": "Clinic policy",
        }
    )
    saved = client.post(f"{path}/versions", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    new_page = client.get(saved.headers["location"]).text
    assert "version 2" in new_page
    assert "0.1 to 0.8 mg/kg" in new_page
    bad = client.post(
        saved.headers["location"] + "/versions",
        data={**fields, "min_dose": "0.9", "change_note": "bad"},
    )
    assert bad.status_code == 422
    assert 'id="e-min_dose"' in bad.text


def test_admin_rewrites_a_consent_document_as_a_new_version(db, client):
    admin = make_user(db, make_org(db), Role.admin)
    csrf = web_login(client, admin.email)
    listing = client.get("/consent-documents").text
    path = re.search(r'href="(/consent-documents/[0-9a-f-]+)">Consent: Esketamine', listing).group(
        1
    )
    long_body = "Plain words. " * 400
    saved = client.post(
        f"{path}/versions",
        data={
            "title": "Esketamine consent",
            "body": long_body,
            "routes": "intranasal",
            "drugs": "esketamine",
            "csrf_token": csrf,
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    stored = db.scalars(
        select(ConsentDocument).where(
            ConsentDocument.key == "intranasal_esketamine", ConsentDocument.version == 2
        )
    ).one()
    assert stored.body == long_body.strip()
    assert stored.title == "Esketamine consent"


def test_consent_document_without_a_route_is_refused_inline(db, client):
    admin = make_user(db, make_org(db), Role.admin)
    csrf = web_login(client, admin.email)
    listing = client.get("/consent-documents").text
    path = re.search(r'href="(/consent-documents/[0-9a-f-]+)"', listing).group(1)
    response = client.post(
        f"{path}/versions",
        data={"title": "T", "body": "x" * 30, "drugs": "esketamine", "csrf_token": csrf},
    )
    assert response.status_code == 422
    assert 'id="e-routes"' in response.text


def test_a_refused_revision_on_the_page_leaves_the_plan_as_it_was(db, client, clinic):
    _, prescriber, episode = clinic
    plan = make_plan(db, prescriber, episode)
    csrf = web_login(client, prescriber.email)
    response = client.post(
        f"/episodes/{episode.id}/plan/{plan.id}/revise",
        data={"change_reason": "Big jump", "dose_per_kg": "1.0", "csrf_token": csrf},
    )
    assert response.status_code == 422
    assert "max_step" in response.text
    db.expire_all()
    versions = db.scalars(select(TreatmentPlan).where(TreatmentPlan.episode_id == episode.id))
    assert [(p.plan_version, p.status) for p in versions] == [(1, "draft")]
