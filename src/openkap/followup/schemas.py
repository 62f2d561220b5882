"""API shapes of the follow-up domain."""

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from openkap.core.schemas import InputModel
from openkap.followup.models import ReviewDecision, RiskLevel

REASON = Field(min_length=10, max_length=2000)


class DueItemRead(BaseModel):
    """One item of an episode's schedule; `status` is read at the time of the request."""

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID
    kind: str
    instrument_id: str | None
    dosing_session_id: uuid.UUID | None
    reason: str
    opens_at: datetime
    due_at: datetime
    closes_at: datetime
    status: str = Field(description="upcoming, due, overdue, missed, done or cancelled")
    response_id: uuid.UUID | None
    done_at: datetime | None
    acknowledged_at: datetime | None
    acknowledgement: str | None
    settings_version: int


class DueQuestionnaireRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    instrument_id: str
    due_at: datetime
    window_ends_at: datetime
    window_opens_at: datetime
    reason: str
    status: str = Field(description="due or overdue")
    episode_id: uuid.UUID


class MarkDone(InputModel):
    response_id: uuid.UUID = Field(description="A stored response of the item's instrument")


class MissedAcknowledge(InputModel):
    note: str = Field(min_length=10, max_length=2000, description="What was done about it")


class TaskRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    category: str
    id: uuid.UUID
    patient_id: uuid.UUID | None
    patient_name: str
    title: str
    detail: str
    when: datetime | None
    status: str
    link: str = Field(description="The page where the task is resolved")


class InboxRead(BaseModel):
    view: str
    counts: dict[str, int]
    category: str
    items: list[TaskRead]
    total: int
    offset: int
    limit: int
    next_offset: int | None


class ReviewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID
    instrument_id: str
    status: str
    evidence: dict[str, Any]
    decision: str | None
    decision_reason: str | None
    decided_by_id: uuid.UUID | None
    decided_at: datetime | None
    created_at: datetime
    version: int


class RelapseCheckRead(BaseModel):
    opened: ReviewRead | None = Field(description="The review the check opened, if any")
    open_review_id: uuid.UUID | None = Field(description="The episode's open review after it")


class ReviewDecide(InputModel):
    decision: ReviewDecision
    reason: str = REASON


class MaintenanceApprove(InputModel):
    sessions_approved: int = Field(ge=1, le=52)
    starts_on: date
    ends_on: date
    reason: str = REASON
    review_id: uuid.UUID | None = None


class ApprovalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    episode_id: uuid.UUID
    sessions_approved: int
    starts_on: date
    ends_on: date
    reason: str
    review_id: uuid.UUID | None
    approved_by_id: uuid.UUID
    status: str
    created_at: datetime


class MaintenanceRead(BaseModel):
    in_force: ApprovalRead | None
    sessions_used: int | None
    allows_today: bool
    message: str
    history: list[ApprovalRead]


class SettingsVersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    set_version: int
    change_reason: str
    created_at: datetime


class SettingsRead(BaseModel):
    version: int = Field(description="0 while the clinic uses the defaults")
    values: dict[str, Any]
    defaults: dict[str, Any]
    history: list[SettingsVersionRead]


class SettingsUpdate(InputModel):
    values: dict[str, Any] = Field(description="Any of the settings; the others keep defaults")
    reason: str = REASON
    base_version: int | None = Field(default=None, ge=0)


class UrgentAlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    patient_id: uuid.UUID
    episode_id: uuid.UUID | None
    kind: str
    message: str
    evidence: dict[str, Any]
    response_id: uuid.UUID | None
    raised_at: datetime
    assignee_id: uuid.UUID | None
    on_call_role: str
    escalates_at: datetime | None
    status: str
    acknowledged_at: datetime | None
    acknowledged_by_id: uuid.UUID | None
    action_taken: str | None
    risk_level: str | None
    safety_plan_reviewed: bool | None


class AlertAcknowledge(InputModel):
    action_taken: str = Field(min_length=10, max_length=2000, description="What was done")
    risk_level: RiskLevel | None = Field(
        default=None, description="The clinician's risk assessment; required for suicide risk"
    )
    safety_plan_reviewed: bool | None = Field(
        default=None, description="Whether the safety plan was reviewed; required for suicide risk"
    )
