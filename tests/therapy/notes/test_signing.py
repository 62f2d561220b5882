"""Signing locks a note, records the meaning, signer and time, and only addenda follow."""

from datetime import date

import pytest
from sqlalchemy import update

from openkap.core.errors import Forbidden
from openkap.therapy.errors import (
    IncompleteNote,
    NoteChanged,
    NoteLocked,
    NoteNotSignable,
)
from openkap.therapy.models import NoteStatus, NoteType, TherapyNote
from openkap.therapy.notes import service, signing
from openkap.therapy.schemas import NoteUpdate
from tests.therapy.builders import audit_actions, draft, make_clinic, signed, supervise


@pytest.fixture
def clinic(db):
    return make_clinic(db)


def test_signing_locks_the_note_and_records_meaning_signer_time_and_content_hash(db, clinic):
    note = draft(db, clinic.episode, clinic.therapist, dosing=clinic.dosing)
    signing.sign_note(db, note=note, expected_version=1, by=clinic.therapist)
    assert note.status == NoteStatus.signed.value
    assert note.is_locked
    assert note.signed_at == note.locked_at
    [signature] = signing.signatures_of(db, note=note)
    assert signature.signer_id == clinic.therapist.user.id
    assert signature.signer_name == clinic.therapist.user.full_name
    assert signature.meaning == "I attest this note is accurate and complete."
    assert signature.signed_at == note.signed_at
    assert signature.content_hash == note.content_hash == signing.content_hash(note)
    assert signing.content_verified(note) is True
    assert "note.sign" in audit_actions(db, by=clinic.therapist)


@pytest.mark.figure("R5")
def test_a_signed_note_refuses_every_service_change(db, clinic):
    note = signed(db, clinic.episode, clinic.therapist)
    with pytest.raises(NoteLocked):
        service.update_note(
            db,
            note=note,
            data=NoteUpdate(sections={"data": "Rewritten after signing."}),
            expected_version=note.version,
            by=clinic.therapist,
        )
    with pytest.raises(NoteLocked):
        signing.sign_note(db, note=note, expected_version=note.version, by=clinic.therapist)


@pytest.mark.figure("R5")
def test_the_orm_guard_refuses_a_content_change_of_a_signed_note_on_any_path(db, clinic):
    note = signed(db, clinic.episode, clinic.therapist)
    note.sections = {**note.sections, "data": "Changed behind the service's back."}
    with pytest.raises(NoteLocked, match="sections"):
        db.flush()
    db.rollback()


@pytest.mark.figure("R5")
def test_the_orm_guard_cannot_be_opened_by_resetting_the_status_in_the_same_flush(db, clinic):
    note = signed(db, clinic.episode, clinic.therapist)
    note.status = NoteStatus.draft.value
    note.sections = {**note.sections, "plan": "Quietly changed."}
    with pytest.raises(NoteLocked):
        db.flush()
    db.rollback()


@pytest.mark.figure("R5")
def test_content_changed_in_the_database_after_signing_shows_as_not_verified(db, clinic):
    note = signed(db, clinic.episode, clinic.therapist)
    db.flush()
    table = TherapyNote.__table__
    # A direct table update, as a tampering database user would make, bypasses every ORM rule.
    db.execute(update(table).where(table.c.id == note.id).values(session_on=date(2020, 1, 1)))
    db.expire(note)
    assert signing.content_verified(note) is False


def test_only_the_author_signs_their_note(db, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    with pytest.raises(Forbidden):
        signing.sign_note(db, note=note, expected_version=1, by=clinic.prescriber)
    assert note.status == NoteStatus.draft.value


def test_signing_with_a_stale_version_is_refused(db, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    service.update_note(
        db,
        note=note,
        data=NoteUpdate(sections={"plan": "Next week."}),
        expected_version=1,
        by=clinic.therapist,
    )
    with pytest.raises(NoteChanged):
        signing.sign_note(db, note=note, expected_version=1, by=clinic.therapist)
    assert note.status == NoteStatus.draft.value


def test_a_note_missing_a_required_section_cannot_be_signed(db, clinic):
    note = draft(db, clinic.episode, clinic.therapist, sections={"data": "Only the data."})
    with pytest.raises(IncompleteNote) as refused:
        signing.sign_note(db, note=note, expected_version=1, by=clinic.therapist)
    assert refused.value.field == "sections.assessment"


def test_recorded_ideation_needs_an_action_before_signing(db, clinic):
    risk = {"suicidal_ideation": "passive", "plan": False, "intent": False}
    sections = {"data": "d", "assessment": "a", "plan": "p", "risk_assessment": risk}
    note = draft(db, clinic.episode, clinic.therapist, sections=sections)
    with pytest.raises(IncompleteNote) as refused:
        signing.sign_note(db, note=note, expected_version=1, by=clinic.therapist)
    assert refused.value.field == "sections.risk_assessment.action"


def test_another_clinician_adds_a_signed_addendum_to_a_signed_note(db, clinic):
    note = signed(db, clinic.episode, clinic.therapist)
    content = dict(note.sections)
    addendum = signing.add_addendum(
        db, note=note, text="Patient called: sleep improved.", by=clinic.nurse
    )
    assert addendum.author_id == clinic.nurse.user.id
    assert addendum.meaning == signing.ADDENDUM_MEANING
    assert addendum.content_hash == signing.addendum_hash(addendum)
    assert signing.addenda_of(db, note=note) == [addendum]
    assert note.sections == content
    assert signing.content_verified(note)


def test_a_draft_takes_no_addendum(db, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    with pytest.raises(NoteNotSignable):
        signing.add_addendum(db, note=note, text="Too early for this.", by=clinic.therapist)


def test_a_supervised_clinicians_note_waits_locked_for_the_supervisors_cosignature(db, clinic):
    supervise(db, clinic.colleague, clinic.therapist)
    note = signed(db, clinic.episode, clinic.colleague)
    assert note.status == NoteStatus.awaiting_cosignature.value
    assert note.is_locked
    assert note.cosigner_id == clinic.therapist.user.id
    with pytest.raises(NoteLocked):
        service.update_note(
            db,
            note=note,
            data=NoteUpdate(sections={"plan": "Changed while waiting."}),
            expected_version=note.version,
            by=clinic.colleague,
        )
    with pytest.raises(Forbidden):
        signing.cosign_note(db, note=note, by=clinic.prescriber)
    signing.cosign_note(db, note=note, by=clinic.therapist)
    assert note.status == NoteStatus.signed.value
    kinds = [(s.kind, s.signer_id) for s in signing.signatures_of(db, note=note)]
    assert kinds == [("author", clinic.colleague.user.id), ("cosign", clinic.therapist.user.id)]
    assert signing.signatures_of(db, note=note)[1].meaning == signing.COSIGN_MEANING


def test_a_note_not_awaiting_cosignature_cannot_be_cosigned(db, clinic):
    note = signed(db, clinic.episode, clinic.therapist)
    with pytest.raises(NoteNotSignable):
        signing.cosign_note(db, note=note, by=clinic.prescriber)


def test_process_notes_of_a_supervised_clinician_need_no_cosignature(db, clinic):
    supervise(db, clinic.colleague, clinic.therapist)
    note = signed(db, clinic.episode, clinic.colleague, note_type=NoteType.psychotherapy_process)
    assert note.status == NoteStatus.signed.value
    assert note.cosigner_id is None


def test_entered_in_error_keeps_the_signed_note_and_its_content(db, clinic):
    note = signed(db, clinic.episode, clinic.therapist)
    content, digest = dict(note.sections), note.content_hash
    service.mark_entered_in_error(
        db, note=note, reason="Written in the wrong patient's chart.", by=clinic.prescriber
    )
    db.flush()
    assert note.status == NoteStatus.entered_in_error.value
    assert note.status_before_error == NoteStatus.signed.value
    assert note.error_reason == "Written in the wrong patient's chart."
    assert note.sections == content
    assert note.content_hash == digest
    assert signing.content_verified(note) is True


def test_only_the_author_or_a_prescriber_marks_a_note_entered_in_error(db, clinic):
    note = signed(db, clinic.episode, clinic.therapist)
    with pytest.raises(Forbidden):
        service.mark_entered_in_error(
            db, note=note, reason="I think this is wrong.", by=clinic.nurse
        )
    service.mark_entered_in_error(
        db, note=note, reason="Duplicate of another note.", by=clinic.therapist
    )
    assert note.status == NoteStatus.entered_in_error.value
    with pytest.raises(NoteNotSignable):
        signing.add_addendum(db, note=note, text="An addendum too late.", by=clinic.therapist)
