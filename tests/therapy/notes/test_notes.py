"""Draft notes: written on the type's current template, linked to the patient's dosing session,
changed only by their author at the version read; lists are paginated."""

from datetime import date

import pytest

from openkap.core.errors import Forbidden
from openkap.therapy.errors import InvalidNoteLink, NoteChanged
from openkap.therapy.models import NoteStatus, NoteType
from openkap.therapy.notes import service
from openkap.therapy.schemas import NoteCreate, NoteUpdate
from openkap.therapy.templates.service import template_for
from tests.dosing.builders import ready_episode, scheduled
from tests.therapy.builders import audit_actions, draft, make_clinic


@pytest.fixture
def clinic(db):
    return make_clinic(db)


def test_a_note_is_written_on_the_current_template_of_its_type_and_keeps_its_version(db, clinic):
    note = draft(db, clinic.episode, clinic.therapist, dosing=clinic.dosing)
    template = template_for(
        db, note_type=NoteType.integration, key=None, organization_id=clinic.org.id
    )
    assert (note.template_id, note.template_version) == (template.id, template.version)
    assert note.status == NoteStatus.draft.value
    assert note.author_id == clinic.therapist.user.id
    assert note.patient_id == clinic.episode.patient_id
    assert note.dosing_session_id == clinic.dosing.id
    assert "note.create" in audit_actions(db, by=clinic.therapist)


def test_a_dosing_session_of_another_patient_cannot_be_linked(db, clinic):
    other = scheduled(db, ready_episode(db, clinic.org), clinic.nurse)
    data = NoteCreate(note_type=NoteType.dosing_support, dosing_session_id=other.id)
    with pytest.raises(InvalidNoteLink) as refused:
        service.create_note(db, episode=clinic.episode, data=data, by=clinic.therapist)
    assert refused.value.field == "dosing_session_id"


def test_one_change_of_a_draft_moves_its_version_by_one(db, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    service.update_note(
        db,
        note=note,
        data=NoteUpdate(
            sections={"themes": ["trust", "grief"]},
            session_on=date(2026, 3, 4),
            dosing_session_id=clinic.dosing.id,
        ),
        expected_version=1,
        by=clinic.therapist,
    )
    db.flush()
    assert note.version == 2
    assert note.dosing_session_id == clinic.dosing.id
    assert note.sections["themes"] == ["trust", "grief"]
    assert note.sections["assessment"] == "Engaged; insight growing."


def test_another_clinician_cannot_change_someone_elses_draft(db, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    with pytest.raises(Forbidden):
        service.update_note(
            db,
            note=note,
            data=NoteUpdate(sections={"plan": "Mine now."}),
            expected_version=1,
            by=clinic.prescriber,
        )


def test_a_change_based_on_an_old_version_is_refused(db, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    update = NoteUpdate(sections={"plan": "First change."})
    service.update_note(db, note=note, data=update, expected_version=1, by=clinic.therapist)
    with pytest.raises(NoteChanged):
        service.update_note(db, note=note, data=update, expected_version=1, by=clinic.therapist)


def test_lists_are_paginated_newest_first(db, clinic):
    days = [date(2026, 3, day) for day in (2, 9, 5)]
    notes = {day: draft(db, clinic.episode, clinic.therapist, session_on=day) for day in days}
    first, next_offset = service.list_notes(db, episode=clinic.episode, by=clinic.nurse, limit=2)
    rest, last = service.list_notes(
        db, episode=clinic.episode, by=clinic.nurse, limit=2, offset=next_offset
    )
    assert next_offset == 2
    assert last is None
    assert [n.id for n in first + rest] == [notes[day].id for day in sorted(days, reverse=True)]
