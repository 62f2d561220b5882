"""Psychotherapy process notes: their author, and colleagues the author names, read them; to
everyone else they do not exist, in reads, lists and inboxes; every read is audited."""

import uuid

import pytest
from sqlalchemy import select

from openkap.core.audit.chain import AuditEvent
from openkap.core.errors import Forbidden
from openkap.therapy.errors import InvalidGrant, NoteNotFound
from openkap.therapy.models import NoteType
from openkap.therapy.notes import access, service
from tests.fixtures.factories import bearer
from tests.therapy.builders import audit_actions, draft, make_clinic

PROCESS = NoteType.psychotherapy_process


@pytest.fixture
def clinic(db):
    return make_clinic(db)


@pytest.fixture
def process_note(db, clinic):
    return draft(db, clinic.episode, clinic.therapist, note_type=PROCESS)


def _read(db, note, by):
    return service.get_note(db, note_id=note.id, by=by)


def test_the_author_reads_their_process_note_and_the_read_is_audited(db, clinic, process_note):
    assert _read(db, process_note, clinic.therapist) is process_note
    assert "process_note.read" in audit_actions(db, by=clinic.therapist)


@pytest.mark.parametrize("reader", ["colleague", "prescriber", "nurse"])
def test_other_clinicians_are_told_it_does_not_exist(db, clinic, process_note, reader):
    by = getattr(clinic, reader)
    with pytest.raises(NoteNotFound) as hidden:
        _read(db, process_note, by)
    with pytest.raises(NoteNotFound) as missing:
        service.get_note(db, note_id=uuid.uuid4(), by=by)
    assert hidden.value.message == missing.value.message


def test_an_admin_is_refused_every_note(db, clinic, process_note):
    with pytest.raises(Forbidden):
        _read(db, process_note, clinic.admin)


def test_a_colleague_the_author_names_reads_it_until_access_is_revoked(db, clinic, process_note):
    access.grant_access(
        db,
        note=process_note,
        user_id=clinic.colleague.user.id,
        reason="Clinical supervision",
        by=clinic.therapist,
    )
    assert _read(db, process_note, clinic.colleague) is process_note
    assert audit_actions(db, by=clinic.colleague) == ["process_note.read"]
    access.revoke_access(
        db, note=process_note, user_id=clinic.colleague.user.id, by=clinic.therapist
    )
    with pytest.raises(NoteNotFound):
        _read(db, process_note, clinic.colleague)
    [grant] = access.list_grants(db, note=process_note, by=clinic.therapist)
    assert grant.revoked_at is not None


def test_process_notes_are_left_out_of_other_clinicians_lists(db, clinic, process_note):
    record = draft(db, clinic.episode, clinic.therapist)
    seen_by_prescriber, _ = service.list_notes(
        db, episode=clinic.episode, by=clinic.prescriber, limit=10
    )
    seen_by_author, _ = service.list_notes(
        db, episode=clinic.episode, by=clinic.therapist, limit=10
    )
    assert [n.id for n in seen_by_prescriber] == [record.id]
    assert {n.id for n in seen_by_author} == {record.id, process_note.id}


def test_the_clinics_unsigned_notes_never_include_a_process_note(db, clinic, process_note):
    record = draft(db, clinic.episode, clinic.therapist)
    org = clinic.org.id
    clinic_inbox = service.unsigned_notes(db, organization_id=org, author_id=None, limit=10)
    own_inbox = service.unsigned_notes(
        db, organization_id=org, author_id=clinic.therapist.user.id, limit=10
    )
    assert [n.id for n in clinic_inbox] == [record.id]
    assert {n.id for n in own_inbox} == {record.id, process_note.id}


def test_access_is_never_granted_to_an_admin(db, clinic, process_note):
    with pytest.raises(InvalidGrant):
        access.grant_access(
            db,
            note=process_note,
            user_id=clinic.admin.user.id,
            reason="Audit review",
            by=clinic.therapist,
        )


def test_only_the_author_shares_a_process_note(db, clinic, process_note):
    access.grant_access(
        db,
        note=process_note,
        user_id=clinic.colleague.user.id,
        reason="Supervision",
        by=clinic.therapist,
    )
    with pytest.raises(Forbidden):
        access.grant_access(
            db,
            note=process_note,
            user_id=clinic.prescriber.user.id,
            reason="Passing it on",
            by=clinic.colleague,
        )


def test_record_notes_take_no_access_grants(db, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    with pytest.raises(InvalidGrant):
        access.grant_access(
            db,
            note=note,
            user_id=clinic.colleague.user.id,
            reason="Supervision",
            by=clinic.therapist,
        )


def test_through_the_api_a_hidden_process_note_answers_like_a_missing_one(
    db, client, clinic, process_note
):
    colleague = bearer(db, clinic.colleague.user)
    hidden = client.get(f"/api/v1/notes/{process_note.id}", headers=colleague)
    missing = client.get(f"/api/v1/notes/{uuid.uuid4()}", headers=colleague)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    admin = client.get(f"/api/v1/notes/{process_note.id}", headers=bearer(db, clinic.admin.user))
    assert admin.status_code == 403
    listed = client.get(f"/api/v1/episodes/{clinic.episode.id}/notes", headers=colleague)
    assert listed.json()["items"] == []
    page = client.get(f"/api/v1/notes/{process_note.id}", headers=bearer(db, clinic.therapist.user))
    assert page.status_code == 200
    assert page.json()["is_process_note"] is True


def test_every_read_through_the_api_leaves_an_audit_event(db, client, clinic, process_note):
    author = bearer(db, clinic.therapist.user)
    for _ in range(2):
        assert client.get(f"/api/v1/notes/{process_note.id}", headers=author).status_code == 200
    events = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "process_note.read",
            AuditEvent.resource_id == str(process_note.id),
        )
    ).all()
    assert [e.user_id for e in events] == [clinic.therapist.user.id] * 2
