"""The therapy pages: start a note, fill the template-driven editor, sign, and see it locked;
the page form refuses any change of a signed note; the integration plan page saves and shares."""

import re
import uuid

import pytest

from openkap.therapy.models import NoteStatus, NoteType, TherapyNote
from tests.fixtures.factories import web_login
from tests.therapy.builders import draft, make_clinic, signed

EDITOR = {
    "session_on": "2026-03-04",
    "s-data": "Revisited the image of the lake; cried, then laughed.",
    "s-themes": "grief\nbelonging",
    "s-emotions": "sadness\nrelief",
    "s-insights": "I can hold both.",
    "s-coping_techniques": "Box breathing",
    "s-assessment": "Integrating well.",
    "s-plan": "Next integration session in one week.",
    "s-homework": "Journal three lines a day.",
    "s-risk_assessment-suicidal_ideation": "none",
    "s-risk_assessment-protective_factors": "Sister nearby",
    "s-risk_assessment-action": "",
}


@pytest.fixture
def clinic(db):
    return make_clinic(db)


def _note_id(location: str) -> str:
    match = re.search(r"/notes/([0-9a-f-]{36})", location)
    assert match, location
    return match.group(1)


@pytest.mark.figure("R5")
def test_a_therapist_writes_signs_and_then_cannot_change_a_note_from_the_pages(db, client, clinic):
    csrf = web_login(client, clinic.therapist.user.email)
    listing = client.get(f"/episodes/{clinic.episode.id}/notes")
    assert listing.status_code == 200
    assert str(clinic.dosing.id) in listing.text
    created = client.post(
        f"/episodes/{clinic.episode.id}/notes",
        data={
            "csrf_token": csrf,
            "note_type": "integration",
            "dosing_session_id": str(clinic.dosing.id),
        },
        follow_redirects=False,
    )
    assert created.status_code == 303
    note_id = _note_id(created.headers["location"])
    editor = client.get(f"/notes/{note_id}/edit")
    assert 'name="s-risk_assessment-suicidal_ideation"' in editor.text
    saved = client.post(
        f"/notes/{note_id}/edit",
        data={
            "csrf_token": csrf,
            "version": "1",
            "dosing_session_id": str(clinic.dosing.id),
            **EDITOR,
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    signed_page = client.post(
        f"/notes/{note_id}/sign",
        data={"csrf_token": csrf, "sign-version": "2", "sign-attest": "yes"},
        follow_redirects=True,
    )
    assert signed_page.status_code == 200
    assert 'id="locked"' in signed_page.text
    assert "I attest this note is accurate and complete." in signed_page.text
    assert 'id="edit-link"' not in signed_page.text
    assert client.get(f"/notes/{note_id}/edit").status_code == 409
    refused = client.post(
        f"/notes/{note_id}/edit",
        data={"csrf_token": csrf, "version": "3", **EDITOR, "s-plan": "Changed after signing."},
    )
    assert refused.status_code == 409
    note = db.get(TherapyNote, (clinic.org.id, uuid.UUID(note_id)))
    db.refresh(note)
    assert note.status == NoteStatus.signed.value
    assert note.sections["plan"] == EDITOR["s-plan"]
    assert note.sections["themes"] == ["grief", "belonging"]


def test_signing_without_ticking_the_statement_is_refused_beside_it(db, client, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    csrf = web_login(client, clinic.therapist.user.email)
    response = client.post(f"/notes/{note.id}/sign", data={"csrf_token": csrf, "sign-version": "1"})
    assert response.status_code == 422
    assert 'id="e-sign-attest"' in response.text
    db.refresh(note)
    assert note.status == NoteStatus.draft.value


def test_an_addendum_is_added_from_the_note_page(db, client, clinic):
    note = signed(db, clinic.episode, clinic.therapist)
    csrf = web_login(client, clinic.nurse.user.email)
    page = client.post(
        f"/notes/{note.id}/addenda",
        data={"csrf_token": csrf, "addendum-text": "Follow-up call: sleeping better."},
        follow_redirects=True,
    )
    assert page.status_code == 200
    assert "Follow-up call: sleeping better." in page.text
    assert clinic.nurse.user.full_name in page.text


def test_the_editor_is_only_for_the_drafts_author(db, client, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    web_login(client, clinic.prescriber.user.email)
    assert client.get(f"/notes/{note.id}").status_code == 200
    assert client.get(f"/notes/{note.id}/edit").status_code == 403


def test_a_refused_risk_answer_is_shown_beside_its_field(db, client, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    csrf = web_login(client, clinic.therapist.user.email)
    response = client.post(
        f"/notes/{note.id}/edit",
        data={
            "csrf_token": csrf,
            "version": "1",
            **EDITOR,
            "s-risk_assessment-plan": "yes",
        },
    )
    assert response.status_code == 422
    assert 'id="e-s-risk_assessment-suicidal_ideation"' in response.text


def test_a_process_note_page_does_not_exist_for_a_colleague(db, client, clinic):
    note = draft(db, clinic.episode, clinic.therapist, note_type=NoteType.psychotherapy_process)
    web_login(client, clinic.colleague.user.email)
    assert client.get(f"/notes/{note.id}").status_code == 404


def test_the_integration_plan_page_saves_a_version_and_shares_it(db, client, clinic):
    csrf = web_login(client, clinic.therapist.user.email)
    url = f"/episodes/{clinic.episode.id}/integration-plan"
    assert 'id="no-plan"' in client.get(url).text
    saved = client.post(
        url,
        data={
            "csrf_token": csrf,
            "based_on": "0",
            "insights": "Rest is allowed\n",
            "warning_signs": "Sleeping past noon",
            "contact-0-name": "Sam Rivera",
            "contact-0-relationship": "sister",
            "contact-0-phone": "503 555 0100",
        },
        follow_redirects=True,
    )
    assert "Rest is allowed" in saved.text
    assert "Sam Rivera" in saved.text
    share_action = re.search(r'action="(/integration-plans/[0-9a-f-]+/share)"', saved.text)
    assert share_action
    shared = client.post(share_action.group(1), data={"csrf_token": csrf}, follow_redirects=True)
    assert "Shared with the patient" in shared.text


def test_starting_a_note_without_a_type_is_refused_beside_the_field(db, client, clinic):
    csrf = web_login(client, clinic.therapist.user.email)
    response = client.post(
        f"/episodes/{clinic.episode.id}/notes", data={"csrf_token": csrf, "note_type": ""}
    )
    assert response.status_code == 422
    assert 'id="e-note_type"' in response.text
