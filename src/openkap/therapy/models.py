"""Tables of the therapy domain.

Note templates (versioned per clinic), therapy notes with their signatures and addenda, access
grants to psychotherapy process notes, supervision of clinicians whose notes need a co-signature,
and the versioned integration plan of an episode.
"""

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    event,
    inspect,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from openkap.core.database.model_base import AuditedMixin, Base, TenantMixin, VersionedMixin
from openkap.core.time import utcnow
from openkap.episodes.models import episode_fk
from openkap.therapy.errors import NoteLocked


class NoteType(enum.StrEnum):
    preparation = "preparation"
    dosing_support = "dosing_support"
    post_session_processing = "post_session_processing"
    integration = "integration"
    follow_up = "follow_up"
    psychotherapy_process = "psychotherapy_process"


class NoteStatus(enum.StrEnum):
    draft = "draft"
    awaiting_cosignature = "awaiting_cosignature"
    signed = "signed"
    entered_in_error = "entered_in_error"


class NoteForm(enum.StrEnum):
    soap = "soap"
    dap = "dap"


class SignatureKind(enum.StrEnum):
    author = "author"
    cosign = "cosign"


def _note_fk() -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["organization_id", "note_id"], ["therapy_notes.organization_id", "therapy_notes.id"]
    )


class NoteTemplate(TenantMixin, AuditedMixin, Base):
    """A clinic's form for one note type; a change is a new version, never an edit."""

    __tablename__ = "therapy_note_templates"
    __table_args__ = (UniqueConstraint("organization_id", "key", "version"),)

    key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column()
    is_current: Mapped[bool] = mapped_column(default=True)
    note_type: Mapped[str] = mapped_column(String(40))
    form: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    # [{"key", "label", "kind": text|list|risk, "required", "help"}], in the order shown.
    sections: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    change_note: Mapped[str] = mapped_column(Text, default="")


class TherapyNote(TenantMixin, AuditedMixin, VersionedMixin, Base):
    """A therapy note of an episode: a draft its author edits, then signed and locked."""

    __tablename__ = "therapy_notes"
    __table_args__ = (
        episode_fk(),
        ForeignKeyConstraint(
            ["organization_id", "patient_id"], ["patients.organization_id", "patients.id"]
        ),
        ForeignKeyConstraint(
            ["organization_id", "dosing_session_id"],
            ["dosing_sessions.organization_id", "dosing_sessions.id"],
        ),
        ForeignKeyConstraint(
            ["organization_id", "template_id"],
            ["therapy_note_templates.organization_id", "therapy_note_templates.id"],
        ),
        Index("ix_therapy_notes_episode", "organization_id", "episode_id", "created_at"),
        Index("ix_therapy_notes_unsigned", "organization_id", "status", "author_id"),
    )

    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    dosing_session_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, default=None)
    note_type: Mapped[str] = mapped_column(String(40))
    template_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    template_version: Mapped[int] = mapped_column()
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    session_on: Mapped[date] = mapped_column(Date)
    sections: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(30), default=NoteStatus.draft.value)
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    locked_at: Mapped[datetime | None] = mapped_column(default=None)
    content_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    cosigner_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )
    status_before_error: Mapped[str | None] = mapped_column(String(30), default=None)
    error_reason: Mapped[str | None] = mapped_column(Text, default=None)
    entered_in_error_at: Mapped[datetime | None] = mapped_column(default=None)
    entered_in_error_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )

    @property
    def is_process_note(self) -> bool:
        return self.note_type == NoteType.psychotherapy_process.value

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class NoteSignature(TenantMixin, Base):
    """One signature of a note: who, with which meaning, when, over which content."""

    __tablename__ = "therapy_note_signatures"
    __table_args__ = (
        _note_fk(),
        Index("ix_therapy_note_signatures_note", "organization_id", "note_id"),
    )

    note_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(20))
    signer_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_roles: Mapped[str] = mapped_column(String(200))
    meaning: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))


class NoteAddendum(TenantMixin, Base):
    """Text added to a locked note; signed by its author when written, never changed."""

    __tablename__ = "therapy_note_addenda"
    __table_args__ = (
        _note_fk(),
        Index("ix_therapy_note_addenda_note", "organization_id", "note_id"),
    )

    note_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    meaning: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))


class ProcessNoteGrant(TenantMixin, AuditedMixin, Base):
    """The author of a psychotherapy process note lets one named colleague read it."""

    __tablename__ = "therapy_process_note_grants"
    __table_args__ = (
        _note_fk(),
        Index("ix_therapy_process_note_grants_note", "organization_id", "note_id", "grantee_id"),
    )

    note_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    grantee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )


class Supervision(TenantMixin, AuditedMixin, Base):
    """A clinician whose signed notes need their supervisor's co-signature, while it lasts."""

    __tablename__ = "therapy_supervisions"
    __table_args__ = (
        Index("ix_therapy_supervisions_supervisee", "organization_id", "supervisee_id"),
    )

    supervisee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    supervisor_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)


class IntegrationPlan(TenantMixin, AuditedMixin, Base):
    """One version of an episode's integration plan; a change is a new version."""

    __tablename__ = "therapy_integration_plans"
    __table_args__ = (
        episode_fk(),
        UniqueConstraint("organization_id", "episode_id", "plan_version"),
        Index("ix_therapy_integration_plans_patient", "organization_id", "patient_id"),
    )

    episode_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    patient_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    plan_version: Mapped[int] = mapped_column()
    insights: Mapped[list[str]] = mapped_column(JSON, default=list)
    practices: Mapped[list[str]] = mapped_column(JSON, default=list)
    warning_signs: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Each contact is a mapping with the keys name, relationship and phone.
    support_contacts: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    next_steps: Mapped[list[str]] = mapped_column(JSON, default=list)
    change_note: Mapped[str] = mapped_column(Text, default="")
    shared_with_patient: Mapped[bool] = mapped_column(default=False)
    shared_at: Mapped[datetime | None] = mapped_column(default=None)
    shared_by_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid, ForeignKey("users.id"), default=None
    )


# What a signature covers: once a note leaves draft, none of these may change.
BODY_COLUMNS = (
    "episode_id",
    "patient_id",
    "dosing_session_id",
    "note_type",
    "template_id",
    "template_version",
    "author_id",
    "session_on",
    "sections",
)


@event.listens_for(TherapyNote, "before_update")
def _refuse_change_of_locked_body(
    _mapper: Mapper[TherapyNote], _connection: Connection, note: TherapyNote
) -> None:
    # A guard under every ORM path (service, page, CLI, a future caller that forgets the rule):
    # the status as stored decides, so setting the status in the same flush cannot open a lock.
    state = inspect(note)
    status = state.attrs.status.history
    stored_status = (status.deleted or status.unchanged or [note.status])[0]
    if stored_status == NoteStatus.draft.value:
        return
    changed = [name for name in BODY_COLUMNS if state.attrs[name].history.has_changes()]
    if changed:
        raise NoteLocked(
            f"This note is {stored_status}; its content is locked ({', '.join(changed)} "
            "cannot change). Add an addendum instead."
        )
