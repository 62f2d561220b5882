"""API shapes of episodes."""

import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from openkap.core.schemas import BlankIsNone, InputModel
from openkap.episodes.models import EpisodeState

Reason = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class EpisodeCreate(BlankIsNone):
    referral_reason: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)
    ]
    referred_by: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=200)] = (
        None
    )
    referred_on: date
    prescriber_id: uuid.UUID | None = None
    therapist_id: uuid.UUID | None = None


class TransitionCreate(InputModel):
    to_state: EpisodeState
    reason: Reason = ""
    confirm: bool = Field(
        default=False,
        description="withdrawn and discharged only: confirms closing the course (with a reason "
        "of at least 10 characters)",
    )


class CareTeamUpdate(InputModel):
    prescriber_id: uuid.UUID | None
    therapist_id: uuid.UUID | None
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=500)]


class ResumeCreate(InputModel):
    reason: Reason = ""


class NextStep(BaseModel):
    to_state: EpisodeState
    blocked_by: list[str] = Field(description="Empty when the move may happen now")


class EpisodeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    state: EpisodeState
    state_before_hold: EpisodeState | None
    referral_reason: str
    referred_by: str | None
    referred_on: date
    prescriber_id: uuid.UUID | None
    therapist_id: uuid.UUID | None
    closed_at: datetime | None
    version: int
    created_at: datetime


class EpisodeDetail(EpisodeRead):
    next_steps: list[NextStep]


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    from_state: str
    to_state: EpisodeState
    at: datetime
    by_id: uuid.UUID | None
    reason: str
