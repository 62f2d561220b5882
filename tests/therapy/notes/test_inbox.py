"""The task inbox's view of notes: what waits for whose signature, counted and paginated."""

from datetime import date

import pytest

from openkap.therapy.models import NoteType
from openkap.therapy.notes import service, signing
from tests.fixtures.factories import make_org
from tests.therapy.builders import draft, make_clinic, signed, supervise


@pytest.fixture
def clinic(db):
    return make_clinic(db)


def _ids(notes):
    return [n.id for n in notes]


def test_a_clinicians_inbox_holds_their_drafts_and_the_notes_awaiting_their_cosignature(db, clinic):
    supervise(db, clinic.colleague, clinic.therapist)
    own_draft = draft(db, clinic.episode, clinic.therapist)
    awaiting = signed(db, clinic.episode, clinic.colleague)
    signed(db, clinic.episode, clinic.therapist)
    draft(db, clinic.episode, clinic.prescriber)
    org, me = clinic.org.id, clinic.therapist.user.id
    mine = service.unsigned_notes(db, organization_id=org, author_id=me, limit=10)
    assert _ids(mine) == [own_draft.id, awaiting.id]
    assert service.count_unsigned_notes(db, organization_id=org, author_id=me) == 2
    trainee = clinic.colleague.user.id
    assert service.unsigned_notes(db, organization_id=org, author_id=trainee, limit=10) == []


def test_the_clinic_inbox_counts_every_unsigned_record_note_and_pages_oldest_first(db, clinic):
    notes = [draft(db, clinic.episode, clinic.therapist) for _ in range(3)]
    draft(db, clinic.episode, clinic.therapist, note_type=NoteType.psychotherapy_process)
    finished = draft(db, clinic.episode, clinic.nurse)
    signing.sign_note(db, note=finished, expected_version=1, by=clinic.nurse)
    org = clinic.org.id
    first = service.unsigned_notes(db, organization_id=org, author_id=None, limit=2)
    rest = service.unsigned_notes(db, organization_id=org, author_id=None, limit=2, offset=2)
    assert _ids(first + rest) == _ids(notes)
    assert service.count_unsigned_notes(db, organization_id=org, author_id=None) == 3


def test_another_clinics_notes_never_appear(db, clinic):
    draft(db, clinic.episode, clinic.therapist)
    other = make_org(db).id
    assert service.unsigned_notes(db, organization_id=other, author_id=None, limit=10) == []
    assert service.count_unsigned_notes(db, organization_id=other, author_id=None) == 0


def test_the_follow_up_schedule_sees_the_days_of_integration_sessions(db, clinic):
    held = draft(db, clinic.episode, clinic.therapist, session_on=date(2026, 3, 5))
    signed(db, clinic.episode, clinic.therapist, session_on=date(2026, 3, 2))
    draft(db, clinic.episode, clinic.therapist, note_type=NoteType.follow_up)
    wrong = draft(db, clinic.episode, clinic.therapist, session_on=date(2026, 3, 9))
    service.mark_entered_in_error(db, note=wrong, reason="Wrong patient.", by=clinic.therapist)
    days = service.integration_note_times(db, episode_id=clinic.episode.id)
    assert days == [date(2026, 3, 2), held.session_on]
