"""An edit racing the signature, in two live PostgreSQL sessions: whichever commits second gets
409, so a signed note always holds exactly the content that was signed.

Both sessions read the note at version 1. The first writes (holding the row lock) and commits a
moment later; the second's write waits for that lock, then finds the version moved on. SQLite
takes one lock for the whole database at BEGIN, so there the second simply reads version 2 and
is refused before writing (tests/therapy/notes/test_notes_api.py covers the stale version).
"""

import threading
import time

import pytest

from openkap.core.database.tenancy import all_tenants
from openkap.core.db import session_factory
from openkap.therapy.errors import NoteChanged
from openkap.therapy.models import NoteStatus, TherapyNote
from openkap.therapy.notes import service, signing
from openkap.therapy.schemas import NoteUpdate
from tests.therapy.builders import complete_sections, draft, make_clinic

HOLD_SECONDS = 0.5
EDITED_PLAN = "Edited in the other tab while signing."


@pytest.fixture
def engine(private_postgres_engine):
    return private_postgres_engine


@pytest.fixture
def committed(engine):
    """A clinic and a draft note, committed so that other connections see them."""
    with session_factory(engine)() as session, all_tenants(session):
        clinic = make_clinic(session)
        note = draft(session, clinic.episode, clinic.therapist)
        session.commit()
        return clinic, (note.organization_id, note.id)


def _edit(session, note, by):
    data = NoteUpdate(sections={"plan": EDITED_PLAN})
    service.update_note(session, note=note, data=data, expected_version=1, by=by)


def _sign(session, note, by):
    signing.sign_note(session, note=note, expected_version=1, by=by)


OPERATIONS = {"edit": _edit, "sign": _sign}


def _run(engine, key, by, name, outcomes, read, locked, *, first):
    with session_factory(engine)() as session, all_tenants(session):
        note = session.get(TherapyNote, key)
        read.wait(timeout=10)
        if not first:
            locked.wait(timeout=10)
        try:
            OPERATIONS[name](session, note, by)
            if first:
                locked.set()
                # Keep the row lock long enough for the other session to run into it.
                time.sleep(HOLD_SECONDS)
            session.commit()
            outcomes[name] = "committed"
        except NoteChanged:
            session.rollback()
            outcomes[name] = "refused"
        finally:
            locked.set()


def _race(engine, clinic, key, first, second, *, ordered=True):
    outcomes: dict[str, str] = {}
    read, locked = threading.Barrier(2), threading.Event()
    if not ordered:
        locked.set()
    threads = [
        threading.Thread(
            target=_run,
            args=(engine, key, clinic.therapist, name, outcomes, read, locked),
            kwargs={"first": is_first},
        )
        for name, is_first in ((first, True), (second, False))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def _stored(engine, key):
    with session_factory(engine)() as session, all_tenants(session):
        return session.get(TherapyNote, key)


def test_a_signature_committed_first_makes_the_racing_edit_fail(engine, committed):
    clinic, key = committed
    assert _race(engine, clinic, key, "sign", "edit") == {
        "sign": "committed",
        "edit": "refused",
    }
    note = _stored(engine, key)
    assert note.status == NoteStatus.signed.value
    assert note.sections["plan"] == complete_sections()["plan"]
    assert signing.content_verified(note) is True


def test_an_edit_committed_first_makes_the_racing_signature_fail(engine, committed):
    clinic, key = committed
    assert _race(engine, clinic, key, "edit", "sign") == {
        "edit": "committed",
        "sign": "refused",
    }
    note = _stored(engine, key)
    assert note.status == NoteStatus.draft.value
    assert note.sections["plan"] == EDITED_PLAN
    assert note.version == 2
    with session_factory(engine)() as session, all_tenants(session):
        note = session.get(TherapyNote, key)
        signing.sign_note(session, note=note, expected_version=2, by=clinic.therapist)
        session.commit()
    note = _stored(engine, key)
    assert note.sections["plan"] == EDITED_PLAN
    assert signing.content_verified(note) is True


def test_an_unordered_race_never_leaves_a_signed_note_with_unsigned_content(engine, committed):
    clinic, key = committed
    outcomes = _race(engine, clinic, key, "edit", "sign", ordered=False)
    assert sorted(outcomes.values()) == ["committed", "refused"]
    note = _stored(engine, key)
    if outcomes["sign"] == "committed":
        assert note.status == NoteStatus.signed.value
        assert note.sections["plan"] == complete_sections()["plan"]
        assert signing.content_verified(note) is True
    else:
        assert note.status == NoteStatus.draft.value
        assert note.sections["plan"] == EDITED_PLAN
