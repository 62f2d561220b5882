"""API shapes of the accounts domain."""

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from openkap.core.models import Role
from openkap.core.schemas import InputModel


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    organization_id: uuid.UUID
    email: str
    full_name: str
    roles: list[Role]
    is_active: bool
    mfa_enabled: bool


class UserCreate(InputModel):
    email: EmailStr
    full_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=12, max_length=256)
    roles: list[Role] = Field(min_length=1)


class PersonalTokenCreate(InputModel):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(
        default=None,
        ge=1,
        le=365,
        description="Defaults to the clinic's limit (90 days unset)",
    )


class PersonalTokenRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class PersonalTokenCreated(PersonalTokenRead):
    token: str = Field(description="Shown once; store it now.")


class RoleGrantRead(BaseModel):
    """A grant of a privileged role; `pending` gives no permission until a second administrator
    approves it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    role: Role
    status: str = Field(description="pending, approved, immediate (no second admin) or declined")
    requested_by_id: uuid.UUID | None
    requested_at: datetime
    decided_by_id: uuid.UUID | None
    decided_at: datetime | None


class AccessEnded(BaseModel):
    """How many browser sessions and API tokens an action ended."""

    ended: int = Field(description="Sessions ended plus tokens revoked")


class SignInPolicy(InputModel):
    require_mfa: bool
    personal_token_max_days: int = Field(ge=1, le=365)


class PasswordReset(InputModel):
    new_password: str = Field(min_length=1, max_length=256)


class SecurityAlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    user_id: uuid.UUID | None
    raised_at: datetime
    detail: str
    acknowledged_at: datetime | None
