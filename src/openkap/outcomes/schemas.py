"""JSON shapes of a patient's progress: courses, trajectories with their lines and badges."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field


class CourseRead(BaseModel):
    id: uuid.UUID
    referred_on: date
    state: str
    closed_at: datetime | None
    first_dose_at: datetime | None
    dose_count: int = Field(description="Discharged dosing sessions of the course")


class BaselineRead(BaseModel):
    total: int
    at: datetime
    source: str = Field(description="intake, or before_first_dose (the last score before it)")


class LinesRead(BaseModel):
    baseline: int
    response_at_or_below: float = Field(description="50 % of baseline")
    remission_operator: str
    remission_threshold: int
    remission_convention: str
    remission_source: str
    remission_requires_reliable_improvement: bool
    reliable_change_points: float | None = Field(
        description="1.96 x S_diff from the instrument's cited SD and r; null when not configured"
    )
    reliable_change_band: tuple[float, float] | None


class FirstResponseRead(BaseModel):
    at: datetime
    total: int
    hours_after_first_dose: float
    doses: int = Field(description="Doses given up to and including this assessment")
    words: str


class LossRead(BaseModel):
    at: datetime
    total: int
    reason: str
    responding_since: datetime


class StatusRead(BaseModel):
    latest_at: datetime
    latest_total: int
    response: bool | None
    remission: bool | None
    words: str


class DurabilityRead(BaseModel):
    since: datetime
    until: datetime
    days: float
    ongoing: bool
    loss: LossRead | None
    words: str


class PointRead(BaseModel):
    at: datetime
    total: int
    severity: str | None
    change: int | None
    percent_change: float | None
    response: bool | None = Field(description="Null before the first dose or without a baseline")
    remission: bool | None
    reliable_change: bool | None
    doses_given: int


class TrajectoryRead(BaseModel):
    instrument_id: str
    abbreviation: str
    title: str
    score_count: int
    baseline: BaselineRead | None
    lines: LinesRead | None
    first_response: FirstResponseRead | None
    status: StatusRead | None
    durability: DurabilityRead | None
    relapse: LossRead | None = Field(description="The loss of response the patient is in now")
    summary: str
    points: list[PointRead] = Field(description="One page of scores, newest first")
    points_offset: int
    points_limit: int


class ProgressRead(BaseModel):
    patient_id: uuid.UUID
    course: CourseRead | None
    courses: list[CourseRead] = Field(description="The newest 20 courses of the patient")
    generated_at: datetime
    scores_cut_at: datetime | None = Field(
        description="Set when the course has more scores than one load holds"
    )
    trajectories: list[TrajectoryRead]
