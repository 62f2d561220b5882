"""Input and output shapes of the portal: invitations, portal status and clinic settings."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from openkap.core.schemas import BlankIsNone, InputModel

MAX_LINK_HOURS = 336
Phone = Annotated[
    str | None,
    StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^\+?[0-9 ()\-.]{3,40}$"),
]
LinkState = Literal["live", "used", "expired", "revoked"]


class InvitationCreate(InputModel):
    email: EmailStr | None = Field(
        default=None,
        max_length=254,
        description="Sign-in e-mail for password sign-in; without one the patient uses links only",
    )


class InvitationForm(BlankIsNone, InvitationCreate):
    """The invitation form of the staff page, where an untouched e-mail field is blank."""


class InvitationRead(BaseModel):
    """A new invitation: the link is shown once and never stored in clear."""

    patient_id: uuid.UUID
    account_id: uuid.UUID
    url: str
    expires_at: datetime
    sign_in_email: str | None


class LinkRead(BaseModel):
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None
    state: LinkState


class PortalStatusRead(BaseModel):
    patient_id: uuid.UUID
    has_account: bool
    status: str = Field(description="none (never invited), active or revoked")
    sign_in_email: str | None
    password_set: bool
    last_opened_at: datetime | None
    links: list[LinkRead]


class CloseAccess(InputModel):
    reason: str = Field(min_length=10, max_length=1000, description="Why access is closed")


class SettingsInput(BlankIsNone):
    crisis_message: str = Field(min_length=10, max_length=2000)
    clinic_phone: Phone = None
    link_expiry_hours: int = Field(ge=1, le=MAX_LINK_HOURS)
    preparation_instructions: str = Field(min_length=1, max_length=5000)
    change_reason: str = Field(min_length=1, max_length=1000)
