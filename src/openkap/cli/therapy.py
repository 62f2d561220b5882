"""`openkap therapy`: read, edit and sign therapy notes from a terminal, and verify signatures.

Every command acts as a named clinic user (`--as EMAIL`) and goes through the same services as
the pages and the API, so the same rules hold: only a draft changes, only at the version read,
only by its author; process notes stay hidden from everyone else; every read is audited.
"""

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.accounts.signin.service import find_users_by_email
from openkap.core.database.tenancy import all_tenants, bind_tenant
from openkap.core.db import get_engine, session_scope
from openkap.core.errors import OpenKapError
from openkap.core.principal import Principal
from openkap.models_registry import load_all
from openkap.therapy.models import NoteAddendum, TherapyNote
from openkap.therapy.notes import service, signing
from openkap.therapy.notes.views import note_detail
from openkap.therapy.schemas import NoteUpdate

EXIT_REFUSED = 1
CLI_ADDRESS = "cli"

console = Console()
therapy_app = typer.Typer(
    help="Therapy notes: show, edit drafts, sign, verify.", no_args_is_help=True
)
note_app = typer.Typer(help="One therapy note.", no_args_is_help=True)

NoteArg = Annotated[uuid.UUID, typer.Argument(help="The note's id")]
ActingAs = Annotated[
    str,
    typer.Option(
        "--as",
        help="E-mail of the clinic user acting; CLINIC/E-MAIL (the clinic's short name) when the "
        "e-mail has accounts at more than one clinic",
    ),
]
VersionOpt = Annotated[int, typer.Option("--version", help="The note version you read (as shown)")]


def register(app: typer.Typer) -> None:
    """Add the therapy commands to the root command."""
    therapy_app.add_typer(note_app, name="note")
    therapy_app.command("verify")(verify)
    app.add_typer(therapy_app, name="therapy")


def _refuse(detail: str) -> NoReturn:
    typer.echo(f"error: {detail}", err=True)
    raise typer.Exit(EXIT_REFUSED)


@contextmanager
def _acting(email: str) -> Iterator[tuple[Session, Principal]]:
    """A unit of work scoped to the user's clinic, acting as them; refusals exit with 1."""
    load_all()
    try:
        with session_scope(get_engine()) as session:
            clinic, _, address = email.rpartition("/")
            with all_tenants(session):
                users = find_users_by_email(session, email=address, clinic=clinic or None)
            if len(users) > 1:
                _refuse(
                    f"{address} has accounts at more than one clinic: give --as CLINIC/{address}"
                )
            user = users[0] if users else None
            if user is None or not user.is_active:
                _refuse(f"no active user with the e-mail {email}")
            bind_tenant(session, user.organization_id)
            yield session, Principal(user=user, client_address=CLI_ADDRESS)
    except OpenKapError as refused:
        _refuse(refused.message)


@note_app.command("show")
def show(
    note_id: NoteArg,
    acting: ActingAs,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Print a note with its signatures and addenda, and whether it is as signed."""
    with _acting(acting) as (session, by):
        note = service.get_note(session, note_id=note_id, by=by)
        detail = note_detail(session, note)
        if as_json:
            typer.echo(detail.model_dump_json(indent=2))
            return
        _print_note(note, detail.model_dump(mode="json"))


def _print_note(note: TherapyNote, detail: dict[str, Any]) -> None:
    console.print(f"[bold]{note.note_type.replace('_', ' ')} note[/bold] {note.id}")
    console.print(f"status {note.status} · version {note.version} · session {note.session_on}")
    if note.content_hash is not None:
        verdict = "as signed" if signing.content_verified(note) else "[red]ALTERED[/red]"
        console.print(f"content: {verdict}")
    for key, value in note.sections.items():
        console.print(
            f"[bold]{escape(key)}[/bold]: {escape(json.dumps(value, ensure_ascii=False))}"
        )
    for signature in detail["signatures"]:
        console.print(
            f"{signature['kind']} by {signature['signer_name']} at {signature['signed_at']}"
        )
    for addendum in detail["addenda"]:
        console.print(escape(f"addendum by {addendum['author_name']}: {addendum['text']}"))


def _sections(assignments: list[str], sections_json: str | None) -> dict[str, Any]:
    sections: dict[str, Any] = {}
    if sections_json:
        try:
            sections.update(json.loads(sections_json))
        except json.JSONDecodeError as wrong:
            _refuse(f"--sections is not valid JSON: {wrong.msg}")
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep:
            _refuse(f"--set takes KEY=VALUE, not '{assignment}'")
        sections[key.strip()] = value
    return sections


@note_app.command("edit")
def edit(
    note_id: NoteArg,
    acting: ActingAs,
    version: VersionOpt,
    assignments: Annotated[
        list[str] | None, typer.Option("--set", help="KEY=VALUE for a text section (repeatable)")
    ] = None,
    sections_json: Annotated[
        str | None, typer.Option("--sections", help="Sections as a JSON object")
    ] = None,
) -> None:
    """Change sections of a draft you wrote; a signed note is refused."""
    data = NoteUpdate(sections=_sections(assignments or [], sections_json))
    with _acting(acting) as (session, by):
        note = service.get_note(session, note_id=note_id, by=by)
        note = service.update_note(session, note=note, data=data, expected_version=version, by=by)
        console.print(f"Saved: the draft is now at version {note.version}.")


@note_app.command("sign")
def sign(
    note_id: NoteArg,
    acting: ActingAs,
    version: VersionOpt,
    attest: Annotated[
        bool, typer.Option("--attest", help=f"Confirm: {signing.AUTHOR_MEANING}")
    ] = False,
) -> None:
    """Sign a draft you wrote, at the version you read; it is locked from then on."""
    if not attest:
        _refuse(f"add --attest to sign: the signature records '{signing.AUTHOR_MEANING}'")
    with _acting(acting) as (session, by):
        note = service.get_note(session, note_id=note_id, by=by)
        note = signing.sign_note(session, note=note, expected_version=version, by=by)
        console.print(f"Signed: the note is {note.status.replace('_', ' ')} and locked.")


def verify(
    batch: Annotated[int, typer.Option(min=10, max=10_000, help="Notes read at a time")] = 500,
) -> None:
    """Check every signed note and addendum against its hash; exit 1 if any was altered."""
    load_all()
    altered = checked = 0
    with session_scope(get_engine()) as session, all_tenants(session):
        query = (
            select(TherapyNote)
            .where(TherapyNote.content_hash.is_not(None))
            .execution_options(yield_per=batch)
        )
        for note in session.scalars(query):
            checked += 1
            if not signing.content_verified(note):
                altered += 1
                console.print(f"[red]ALTERED[/red] note {note.id} ({note.status})")
        addenda = _altered_addenda(session, batch)
    for addendum_id in addenda:
        console.print(f"[red]ALTERED[/red] addendum {addendum_id}")
    console.print(f"{checked} signed notes checked, {altered + len(addenda)} altered.")
    if altered or addenda:
        raise typer.Exit(EXIT_REFUSED)


def _altered_addenda(session: Session, batch: int) -> list[uuid.UUID]:
    query = select(NoteAddendum).execution_options(yield_per=batch)
    return [a.id for a in session.scalars(query) if signing.addendum_hash(a) != a.content_hash]
