"""`openkap therapy`: the CLI goes through the same services, so a signed note cannot be
changed from the terminal either, and `verify` finds a note altered in the database."""

import uuid
from datetime import date

import pytest
import typer
from sqlalchemy import update
from typer.testing import CliRunner

from openkap.cli import therapy as therapy_cli
from openkap.therapy.models import NoteStatus, NoteType, TherapyNote
from tests.therapy.builders import complete_sections, draft, make_clinic, signed

runner = CliRunner()


@pytest.fixture
def clinic(db):
    return make_clinic(db)


@pytest.fixture
def invoke(db, connection, monkeypatch):
    # The command's unit of work joins this test's transaction, so it sees (and leaves) only
    # what the test sees; `db` flushes first so its rows are there.
    monkeypatch.setattr(therapy_cli, "get_engine", lambda: connection)
    app = typer.Typer()
    therapy_cli.register(app)

    def run(*args: str):
        db.flush()
        result = runner.invoke(app, ["therapy", *args], env={"COLUMNS": "200"})
        db.expire_all()
        return result

    return run


def test_show_prints_the_note_and_says_it_is_as_signed(invoke, db, clinic):
    note = signed(db, clinic.episode, clinic.therapist)
    result = invoke("note", "show", str(note.id), "--as", clinic.nurse.user.email)
    assert result.exit_code == 0, result.output
    assert "content: as signed" in result.output
    assert complete_sections()["data"] in result.output


def test_a_draft_is_edited_through_the_service_at_the_version_read(invoke, db, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    result = invoke(
        "note",
        "edit",
        str(note.id),
        "--as",
        clinic.therapist.user.email,
        "--version",
        "1",
        "--set",
        "homework=Walk after breakfast.",
    )
    assert result.exit_code == 0, result.output
    db.refresh(note)
    assert note.sections["homework"] == "Walk after breakfast."
    assert note.version == 2


@pytest.mark.figure("R5")
def test_the_cli_refuses_to_change_a_signed_note(invoke, db, clinic):
    note = signed(db, clinic.episode, clinic.therapist)
    version, content = note.version, dict(note.sections)
    result = invoke(
        "note",
        "edit",
        str(note.id),
        "--as",
        clinic.therapist.user.email,
        "--version",
        str(version),
        "--set",
        "plan=Rewritten from the terminal.",
    )
    assert result.exit_code == 1
    assert "locked" in result.output
    db.refresh(note)
    assert note.sections == content
    assert note.version == version


def test_signing_from_the_cli_needs_the_attestation_and_the_author(invoke, db, clinic):
    note = draft(db, clinic.episode, clinic.therapist)
    email = clinic.therapist.user.email
    without = invoke("note", "sign", str(note.id), "--as", email, "--version", "1")
    assert without.exit_code == 1
    other = invoke(
        "note",
        "sign",
        str(note.id),
        "--as",
        clinic.prescriber.user.email,
        "--version",
        "1",
        "--attest",
    )
    assert other.exit_code == 1
    done = invoke("note", "sign", str(note.id), "--as", email, "--version", "1", "--attest")
    assert done.exit_code == 0, done.output
    db.refresh(note)
    assert note.status == NoteStatus.signed.value


def test_a_process_note_is_not_shown_to_another_clinician(invoke, db, clinic):
    note = draft(db, clinic.episode, clinic.therapist, note_type=NoteType.psychotherapy_process)
    result = invoke("note", "show", str(note.id), "--as", clinic.colleague.user.email)
    assert result.exit_code == 1
    assert "No such note." in result.output


def test_an_unknown_user_is_refused(invoke, db, clinic):
    result = invoke("note", "show", str(uuid.uuid4()), "--as", "nobody@example.org")
    assert result.exit_code == 1
    assert "no active user" in result.output


def test_verify_finds_a_note_altered_in_the_database(invoke, db, clinic):
    note = signed(db, clinic.episode, clinic.therapist)
    assert invoke("verify").exit_code == 0
    table = TherapyNote.__table__
    db.execute(update(table).where(table.c.id == note.id).values(session_on=date(2001, 1, 1)))
    result = invoke("verify")
    assert result.exit_code == 1
    assert f"ALTERED note {note.id}" in result.output
