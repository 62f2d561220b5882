"""API shapes of stored questionnaire responses."""

import enum
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    computed_field,
)

from openkap.core.schemas import InputModel
from openkap.core.time import utcnow

AnswerValue = Annotated[int, Strict()] | None
SUICIDE_RISK_FLAG = "suicide_risk"
RAISED_RISK_LEVELS = frozenset({"moderate", "high"})


def is_suicide_risk(flags: list[str], scores: dict[str, object]) -> bool:
    """Tell whether a safety item or the C-SSRS risk level calls for a suicide-risk review."""
    return SUICIDE_RISK_FLAG in flags or scores.get("risk_level") in RAISED_RISK_LEVELS


class CompletedBy(enum.StrEnum):
    clinician = "clinician"
    patient = "patient"


def _not_future(value: AwareDatetime | None) -> AwareDatetime | None:
    if value is not None and value > utcnow():
        raise ValueError("a response cannot be completed in the future")
    return value


class AssessmentCreate(InputModel):
    instrument_id: str = Field(
        min_length=1, max_length=30, pattern=r"^[a-z0-9_]+$", examples=["phq9"]
    )
    answers: list[AnswerValue] | dict[str, AnswerValue] = Field(
        max_length=40,
        description="Values in item order (null for a blank), or item number -> value",
    )
    completed_by: CompletedBy
    completed_at: Annotated[AwareDatetime | None, AfterValidator(_not_future)] = Field(
        default=None, description="With a time zone; defaults to now"
    )


class AssessmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    instrument_id: str
    instrument_version: str
    answers: list[int | None]
    total: int | None
    severity: str | None
    flags: list[str]
    scores: dict[str, object]
    completed_at: datetime
    completed_by: str
    setting: str
    status: str
    created_at: datetime
    created_by_id: uuid.UUID | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def suicide_risk(self) -> bool:
        """True when a safety item or the C-SSRS risk level calls for a suicide-risk review."""
        return is_suicide_risk(self.flags, self.scores)
