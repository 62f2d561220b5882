"""Consent: versioned documents, typed and scanned signatures, witnesses, withdrawal."""

import base64
import hashlib
from datetime import timedelta

import pytest

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.plans import readiness
from openkap.plans.consent import service as consent
from openkap.plans.preparation.schemas import ConsentCreate
from tests.fixtures.factories import bearer, make_episode, make_org, make_user
from tests.plans.builders import now, principal

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def clinic(db):
    org = make_org(db)
    nurse = make_user(db, org, Role.nurse)
    witness = make_user(db, org, Role.front_desk)
    episode = make_episode(db, org, state="preparing")
    return org, nurse, witness, episode


def typed(witness, document_key="iv_racemic", **changes):
    return {
        "document_key": document_key,
        "method": "typed",
        "signed_name": "Ada Okonkwo",
        "signed_at": (now() - timedelta(minutes=2)).isoformat(),
        "witness_id": str(witness.id),
        **changes,
    }


def record(client, db, user, episode, body):
    return client.post(
        f"/api/v1/episodes/{episode.id}/consents", json=body, headers=bearer(db, user)
    )


def test_clinicians_see_the_four_default_consent_documents(db, client, clinic):
    _, nurse, _, _ = clinic
    listed = client.get("/api/v1/consent-documents", headers=bearer(db, nurse))
    assert listed.status_code == 200
    by_key = {d["key"]: d for d in listed.json()}
    assert set(by_key) == {
        "im_racemic",
        "intranasal_esketamine",
        "iv_racemic",
        "sublingual_racemic",
    }
    assert by_key["intranasal_esketamine"]["drugs"] == ["esketamine"]
    assert "REMS" in by_key["intranasal_esketamine"]["body"]
    assert by_key["iv_racemic"]["routes"] == ["iv"]


def test_admin_edits_make_a_new_version_and_new_consents_use_it(db, client, clinic):
    org, nurse, witness, episode = clinic
    admin = make_user(db, org, Role.admin)
    documents = client.get("/api/v1/consent-documents", headers=bearer(db, admin)).json()
    iv = next(d for d in documents if d["key"] == "iv_racemic")
    response = client.post(
        f"/api/v1/consent-documents/{iv['id']}/versions",
        json={"body": "Our clinic's own plain-language consent text for IV ketamine."},
        headers=bearer(db, admin),
    )
    assert response.status_code == 201
    assert response.json()["version"] == 2
    assert response.json()["title"] == iv["title"]
    old = client.get(f"/api/v1/consent-documents/{iv['id']}", headers=bearer(db, admin)).json()
    assert old["is_current"] is False
    assert old["body"] == iv["body"]
    signed = record(client, db, nurse, episode, typed(witness))
    assert signed.json()["document_version"] == 2


def test_a_prescriber_cannot_edit_consent_documents(db, client, clinic):
    org, _, _, _ = clinic
    prescriber = make_user(db, org, Role.prescriber)
    documents = client.get("/api/v1/consent-documents", headers=bearer(db, prescriber)).json()
    response = client.post(
        f"/api/v1/consent-documents/{documents[0]['id']}/versions",
        json={"title": "Changed"},
        headers=bearer(db, prescriber),
    )
    assert response.status_code == 403


def test_typed_consent_covers_its_route_and_drug_only(db, client, clinic):
    _, nurse, witness, episode = clinic
    response = record(client, db, nurse, episode, typed(witness))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["method"] == "typed"
    assert body["status"] == "signed"
    assert body["witness_id"] == str(witness.id)
    assert body["scan_sha256"] is None
    found = readiness.valid_consent(db, episode=episode, route="iv", drug="racemic_ketamine")
    assert found is not None
    assert str(found.id) == body["id"]
    assert readiness.valid_consent(db, episode=episode, route="im", drug="racemic_ketamine") is None
    assert (
        readiness.valid_consent(db, episode=episode, route="intranasal", drug="esketamine") is None
    )


def test_consent_needs_a_witness(db, client, clinic):
    _, nurse, witness, episode = clinic
    body = typed(witness)
    del body["witness_id"]
    response = record(client, db, nurse, episode, body)
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "witness_id"


@pytest.mark.parametrize("who", ["recorder", "other_clinic", "patient_role", "researcher"])
def test_the_witness_is_another_staff_member_of_the_clinic(db, client, clinic, who):
    org, nurse, _, episode = clinic
    witness = {
        "recorder": nurse,
        "other_clinic": make_user(db, make_org(db), Role.nurse),
        "patient_role": make_user(db, org, Role.patient),
        "researcher": make_user(db, org, Role.researcher),
    }[who]
    response = record(client, db, nurse, episode, typed(witness))
    assert response.status_code == 422
    assert response.json()["error"] == "InvalidWitness"
    assert response.json()["fields"][0]["name"] == "witness_id"


def test_scanned_consent_keeps_the_file_with_its_hash(db, client, clinic):
    org, nurse, witness, episode = clinic
    scan = {"filename": "consent.png", "content_base64": base64.b64encode(PNG).decode()}
    response = record(client, db, nurse, episode, typed(witness, method="scan", scan=scan))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["scan_sha256"] == hashlib.sha256(PNG).hexdigest()
    assert body["scan_size"] == len(PNG)
    assert body["scan_content_type"] == "image/png"
    therapist = make_user(db, org, Role.therapist)
    download = client.get(f"/api/v1/consents/{body['id']}/scan", headers=bearer(db, therapist))
    assert download.status_code == 200
    assert download.content == PNG
    assert download.headers["content-type"] == "image/png"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"just some text", "PDF, PNG or JPEG"),
        (b"%PDF-" + b"0" * (5 * 1024 * 1024), "larger than 5 MB"),
        (b"%PDF-" + b"0" * (5 * 1024 * 1024 - 4), "larger than 5 MB"),
    ],
)
def test_scans_that_are_not_documents_or_too_large_are_refused(
    db, client, clinic, content, message
):
    _, nurse, witness, episode = clinic
    scan = {"filename": "x.pdf", "content_base64": base64.b64encode(content).decode()}
    response = record(client, db, nurse, episode, typed(witness, method="scan", scan=scan))
    assert response.status_code == 422
    (field,) = response.json()["fields"]
    assert field["name"].startswith("scan")
    assert message in field["message"]


def test_scan_method_without_a_scan_is_refused_naming_the_scan(db, client, clinic):
    _, nurse, witness, episode = clinic
    response = record(client, db, nurse, episode, typed(witness, method="scan"))
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "scan"


def test_typed_consent_has_no_scan_to_download(db, client, clinic):
    _, nurse, witness, episode = clinic
    consent_id = record(client, db, nurse, episode, typed(witness)).json()["id"]
    response = client.get(f"/api/v1/consents/{consent_id}/scan", headers=bearer(db, nurse))
    assert response.status_code == 404


def test_consent_signed_in_the_future_is_refused(db, client, clinic):
    _, nurse, witness, episode = clinic
    future = (now() + timedelta(hours=2)).isoformat()
    response = record(client, db, nurse, episode, typed(witness, signed_at=future))
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "signed_at"


def test_withdrawn_consent_no_longer_counts_and_cannot_be_withdrawn_twice(db, client, clinic):
    _, nurse, witness, episode = clinic
    consent_id = record(client, db, nurse, episode, typed(witness)).json()["id"]
    path = f"/api/v1/consents/{consent_id}/withdraw"
    response = client.post(
        path, json={"reason": "Patient changed their mind"}, headers=bearer(db, nurse)
    )
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert response.json()["withdrawn_reason"] == "Patient changed their mind"
    assert readiness.valid_consent(db, episode=episode, route="iv", drug="racemic_ketamine") is None
    again = client.post(path, json={"reason": "again"}, headers=bearer(db, nurse))
    assert again.status_code == 409


def test_front_desk_cannot_record_consent_even_through_the_service(db, clinic):
    org, _, witness, episode = clinic
    desk = make_user(db, org, Role.front_desk)
    data = ConsentCreate.model_validate(typed(witness))
    with pytest.raises(Forbidden):
        consent.record_consent(db, episode=episode, data=data, scan=None, by=principal(desk))


def test_consent_on_a_closed_episode_is_refused(db, client, clinic):
    org, nurse, witness, _ = clinic
    closed = make_episode(db, org, state="withdrawn")
    response = record(client, db, nurse, closed, typed(witness))
    assert response.status_code == 409
    assert response.json()["error"] == "EpisodeClosed"


def test_consent_signed_before_2000_is_refused_not_a_server_error(db, client, clinic):
    _, nurse, witness, episode = clinic
    response = record(
        client, db, nurse, episode, typed(witness, signed_at="0001-01-01T00:30:00+01:00")
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "signed_at"
