"""The notes API: drafts changed with If-Match, signing, refusals after signing, addenda,
co-signature, entered-in-error, templates and supervision."""

import uuid
from datetime import date

import pytest
from sqlalchemy import update

from openkap.therapy.models import TherapyNote
from tests.fixtures.factories import bearer
from tests.therapy.builders import complete_sections, make_clinic

ATTEST = {"attest": True}


@pytest.fixture
def clinic(db):
    return make_clinic(db)


@pytest.fixture
def therapist(db, clinic):
    return bearer(db, clinic.therapist.user)


def _create(client, clinic, headers, **body):
    response = client.post(
        f"/api/v1/episodes/{clinic.episode.id}/notes",
        json={"note_type": "integration", "sections": complete_sections(), **body},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response


def _sign(client, note_id, headers, version):
    return client.post(
        f"/api/v1/notes/{note_id}/sign",
        json=ATTEST,
        headers={**headers, "If-Match": f'"{version}"'},
    )


def test_a_draft_is_created_linked_to_a_dosing_session_with_its_version_as_etag(
    client, clinic, therapist
):
    response = _create(client, clinic, therapist, dosing_session_id=str(clinic.dosing.id))
    body = response.json()
    assert response.headers["ETag"] == '"1"'
    assert response.headers["Location"] == f"/api/v1/notes/{body['id']}"
    assert body["status"] == "draft"
    assert body["dosing_session_id"] == str(clinic.dosing.id)
    assert body["template"]["form"] == "dap"
    assert body["content_verified"] is None


def test_a_draft_change_needs_if_match_and_a_stale_one_gets_409(client, clinic, therapist):
    note_id = _create(client, clinic, therapist).json()["id"]
    change = {"sections": {"homework": "Walk daily, journal three lines."}}
    missing = client.patch(f"/api/v1/notes/{note_id}", json=change, headers=therapist)
    assert missing.status_code == 428
    done = client.patch(
        f"/api/v1/notes/{note_id}", json=change, headers={**therapist, "If-Match": '"1"'}
    )
    assert done.status_code == 200
    assert done.headers["ETag"] == '"2"'
    stale = client.patch(
        f"/api/v1/notes/{note_id}", json=change, headers={**therapist, "If-Match": '"1"'}
    )
    assert stale.status_code == 409
    assert stale.json()["error"] == "NoteChanged"


def test_a_section_that_does_not_fit_the_template_gets_422_naming_it(client, clinic, therapist):
    note_id = _create(client, clinic, therapist).json()["id"]
    response = client.patch(
        f"/api/v1/notes/{note_id}",
        json={"sections": {"risk_assessment": {"suicidal_ideation": "maybe"}}},
        headers={**therapist, "If-Match": '"1"'},
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "sections.risk_assessment.suicidal_ideation"


@pytest.mark.figure("R5")
def test_after_signing_the_api_refuses_every_change_and_keeps_the_signed_content(
    client, clinic, therapist
):
    note_id = _create(client, clinic, therapist).json()["id"]
    assert _sign(client, note_id, therapist, 1).status_code == 200
    signed = client.get(f"/api/v1/notes/{note_id}", headers=therapist).json()
    assert signed["status"] == "signed"
    assert signed["content_verified"] is True
    [signature] = signed["signatures"]
    assert signature["meaning"] == "I attest this note is accurate and complete."
    version = signed["version"]
    patch = client.patch(
        f"/api/v1/notes/{note_id}",
        json={"sections": {"plan": "Rewritten."}},
        headers={**therapist, "If-Match": f'"{version}"'},
    )
    assert patch.status_code == 409
    assert patch.json()["error"] == "NoteLocked"
    assert _sign(client, note_id, therapist, version).status_code == 409
    after = client.get(f"/api/v1/notes/{note_id}", headers=therapist).json()
    assert after["sections"] == signed["sections"]
    assert after["version"] == version


def test_signing_needs_if_match_and_the_attestation(client, clinic, therapist):
    note_id = _create(client, clinic, therapist).json()["id"]
    no_version = client.post(f"/api/v1/notes/{note_id}/sign", json=ATTEST, headers=therapist)
    assert no_version.status_code == 428
    no_attest = client.post(
        f"/api/v1/notes/{note_id}/sign",
        json={"attest": False},
        headers={**therapist, "If-Match": '"1"'},
    )
    assert no_attest.status_code == 422


def test_an_addendum_by_another_clinician_is_signed_and_listed(db, client, clinic, therapist):
    note_id = _create(client, clinic, therapist).json()["id"]
    _sign(client, note_id, therapist, 1)
    nurse = bearer(db, clinic.nurse.user)
    added = client.post(
        f"/api/v1/notes/{note_id}/addenda", json={"text": "Called: slept well."}, headers=nurse
    )
    assert added.status_code == 201
    assert added.json()["content_verified"] is True
    [addendum] = client.get(f"/api/v1/notes/{note_id}", headers=therapist).json()["addenda"]
    assert addendum["text"] == "Called: slept well."
    assert addendum["author_id"] == str(clinic.nurse.user.id)


def test_a_note_altered_in_the_database_reads_as_not_verified(db, client, clinic, therapist):
    note_id = _create(client, clinic, therapist).json()["id"]
    _sign(client, note_id, therapist, 1)
    table = TherapyNote.__table__
    db.execute(
        update(table).where(table.c.id == uuid.UUID(note_id)).values(session_on=date(2001, 1, 1))
    )
    body = client.get(f"/api/v1/notes/{note_id}", headers=therapist).json()
    assert body["content_verified"] is False


def test_entered_in_error_keeps_the_note_readable_with_its_reason(db, client, clinic, therapist):
    note_id = _create(client, clinic, therapist).json()["id"]
    prescriber = bearer(db, clinic.prescriber.user)
    marked = client.post(
        f"/api/v1/notes/{note_id}/entered-in-error",
        json={"reason": "Wrong patient selected."},
        headers=prescriber,
    )
    assert marked.status_code == 200
    body = client.get(f"/api/v1/notes/{note_id}", headers=therapist).json()
    assert body["status"] == "entered_in_error"
    assert body["error_reason"] == "Wrong patient selected."
    assert body["sections"]["data"] == complete_sections()["data"]


def test_an_admin_names_a_supervisor_who_then_cosigns(db, client, clinic, therapist):
    admin = bearer(db, clinic.admin.user)
    trainee, supervisor = clinic.colleague.user, clinic.therapist.user
    named = client.put(f"/api/v1/users/{trainee.id}/supervisor/{supervisor.id}", headers=admin)
    assert named.status_code == 200
    trainee_headers = bearer(db, trainee)
    note_id = _create(client, clinic, trainee_headers).json()["id"]
    waiting = _sign(client, note_id, trainee_headers, 1).json()
    assert waiting["status"] == "awaiting_cosignature"
    refused = client.post(
        f"/api/v1/notes/{note_id}/cosign", json=ATTEST, headers=bearer(db, clinic.prescriber.user)
    )
    assert refused.status_code == 403
    cosigned = client.post(f"/api/v1/notes/{note_id}/cosign", json=ATTEST, headers=therapist)
    assert cosigned.status_code == 200
    assert [s["kind"] for s in cosigned.json()["signatures"]] == ["author", "cosign"]
    ended = client.delete(f"/api/v1/users/{trainee.id}/supervisor", headers=admin)
    assert ended.json()["ended_at"] is not None
    assert client.get("/api/v1/supervisions", headers=admin).json() == []


def test_templates_are_listed_for_clinicians_and_versioned_by_admins(db, client, clinic, therapist):
    listed = client.get("/api/v1/note-templates", headers=therapist).json()
    assert sorted(t["note_type"] for t in listed) == sorted(
        [
            "preparation",
            "dosing_support",
            "post_session_processing",
            "integration",
            "follow_up",
            "psychotherapy_process",
        ]
    )
    integration = next(t for t in listed if t["key"] == "integration")
    url = f"/api/v1/note-templates/{integration['id']}/versions"
    change = {"name": "Integration (DAP, clinic form)", "change_note": "Clinic's own wording."}
    assert client.post(url, json=change, headers=therapist).status_code == 403
    admin = bearer(db, clinic.admin.user)
    saved = client.post(url, json=change, headers=admin)
    assert saved.status_code == 201
    assert saved.json()["version"] == 2
    assert client.post(url, json=change, headers=admin).status_code == 409


def test_a_template_version_without_the_sections_of_its_form_is_refused(db, client, clinic):
    admin = bearer(db, clinic.admin.user)
    listed = client.get("/api/v1/note-templates", headers=admin).json()
    follow_up = next(t for t in listed if t["key"] == "follow_up")
    response = client.post(
        f"/api/v1/note-templates/{follow_up['id']}/versions",
        json={
            "sections": [{"key": "subjective", "label": "Subjective"}],
            "change_note": "Shorter form.",
        },
        headers=admin,
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "sections"
    assert "objective" in response.json()["detail"]
