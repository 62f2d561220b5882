"""Input and output shapes of the therapy API (Pydantic only)."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from openkap.core.schemas import InputModel
from openkap.therapy.models import NoteForm, NoteStatus, NoteType

SectionKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=2000)]
Item = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Items = Annotated[list[Item], Field(max_length=50)]
TemplateName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)
]


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


# --- templates ---------------------------------------------------------------------------


class SectionSpec(InputModel):
    """One section of a note template, in the order the form shows it."""

    key: SectionKey
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    kind: Literal["text", "list", "risk"] = "text"
    required: bool = False
    help: Annotated[str, StringConstraints(max_length=500)] = ""


class TemplateVersionCreate(InputModel):
    """A change to a template, saved as its next version; unsent fields are kept."""

    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200)]
        | None
    ) = None
    form: NoteForm | None = None
    sections: Annotated[list[SectionSpec], Field(min_length=1, max_length=30)] | None = None
    change_note: Reason


class TemplateRead(ReadModel):
    id: uuid.UUID
    key: str
    version: int
    is_current: bool
    note_type: NoteType
    form: NoteForm
    name: str
    sections: list[dict[str, Any]]
    change_note: str
    created_at: datetime


# --- notes -------------------------------------------------------------------------------


class NoteCreate(InputModel):
    """A new draft note of an episode; the template defaults to the type's current one."""

    note_type: NoteType
    template_key: Annotated[str, StringConstraints(max_length=40)] | None = None
    dosing_session_id: uuid.UUID | None = None
    session_on: date | None = None
    sections: dict[str, Any] = Field(default_factory=dict)


class NoteUpdate(InputModel):
    """A change to a draft: sections sent replace those sections; others are kept."""

    dosing_session_id: uuid.UUID | None = None
    session_on: date | None = None
    sections: dict[str, Any] | None = None


class SignRequest(InputModel):
    """The signer confirms the statement their signature records."""

    attest: Literal[True] = Field(
        description="Must be true: the signer attests the meaning of the signature"
    )


class AddendumCreate(InputModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=20_000)]


class EnteredInError(InputModel):
    reason: Reason


class GrantCreate(InputModel):
    reason: Reason


class SignatureRead(ReadModel):
    id: uuid.UUID
    kind: str
    signer_id: uuid.UUID
    signer_name: str
    signer_roles: str
    meaning: str
    signed_at: datetime
    content_hash: str


class AddendumRead(ReadModel):
    id: uuid.UUID
    note_id: uuid.UUID
    author_id: uuid.UUID
    author_name: str
    text: str
    meaning: str
    signed_at: datetime
    content_hash: str
    content_verified: bool


class NoteSummary(ReadModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    patient_id: uuid.UUID
    dosing_session_id: uuid.UUID | None
    note_type: NoteType
    is_process_note: bool
    status: NoteStatus
    author_id: uuid.UUID
    session_on: date
    version: int
    signed_at: datetime | None
    created_at: datetime


class NoteRead(NoteSummary):
    template_id: uuid.UUID
    template_version: int
    sections: dict[str, Any]
    locked_at: datetime | None
    content_hash: str | None
    content_verified: bool | None = Field(
        description="For a signed note: whether its content still matches what was signed"
    )
    cosigner_id: uuid.UUID | None
    error_reason: str | None
    entered_in_error_at: datetime | None
    updated_at: datetime


class NoteDetail(NoteRead):
    template: TemplateRead
    signatures: list[SignatureRead]
    addenda: list[AddendumRead]


class NotePage(BaseModel):
    items: list[NoteSummary]
    next_offset: int | None


class GrantRead(ReadModel):
    id: uuid.UUID
    note_id: uuid.UUID
    grantee_id: uuid.UUID
    reason: str
    created_at: datetime
    created_by_id: uuid.UUID | None
    revoked_at: datetime | None


class SupervisionRead(ReadModel):
    id: uuid.UUID
    supervisee_id: uuid.UUID
    supervisor_id: uuid.UUID
    started_at: datetime
    ended_at: datetime | None


# --- integration plan ------------------------------------------------------------------


class SupportContact(InputModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    relationship: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""
    phone: Annotated[
        str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[0-9+()\-. ]*$")
    ] = ""


class IntegrationPlanSave(InputModel):
    """The whole content of the next version of an episode's integration plan."""

    insights: Items = Field(default_factory=list)
    practices: Items = Field(default_factory=list)
    warning_signs: Items = Field(default_factory=list)
    support_contacts: Annotated[list[SupportContact], Field(max_length=20)] = Field(
        default_factory=list
    )
    next_steps: Items = Field(default_factory=list)
    change_note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""


class IntegrationPlanRead(ReadModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    patient_id: uuid.UUID
    plan_version: int
    insights: list[str]
    practices: list[str]
    warning_signs: list[str]
    support_contacts: list[dict[str, str]]
    next_steps: list[str]
    change_note: str
    shared_with_patient: bool
    shared_at: datetime | None
    created_at: datetime
    created_by_id: uuid.UUID | None


class IntegrationPlanPage(BaseModel):
    items: list[IntegrationPlanRead]
    next_offset: int | None
