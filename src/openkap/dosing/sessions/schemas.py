"""API shapes of dosing sessions."""

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from openkap.core.schemas import InputModel
from openkap.dosing.chair.pre_dose import ChecklistKey, StopKey

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)]
# Wide enough for any typo: the plausibility bounds of dosing.thresholds.rules name the real limits.
Vital = Annotated[int | None, Field(default=None, ge=0, le=1000)]


class SessionCreate(InputModel):
    """When to dose: the order comes from the signed plan, never from whoever books it."""

    scheduled_for: datetime


class ChecklistAnswer(InputModel):
    key: ChecklistKey
    value: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    weight_change_reason: Reason | None = Field(
        default=None,
        description="weight_kg only: confirms a change of more than 10 % in 30 days or a "
        "pounds-like value (2.0-2.4 times the last weight), with the reason",
    )


class OverrideCreate(InputModel):
    stop_key: StopKey
    reason: Reason


class AbortRequest(InputModel):
    """A written reason: for aborting a session or marking a reading entered-in-error."""

    reason: Reason


class VitalsCreate(InputModel):
    client_reading_id: Annotated[
        str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")
    ]
    measured_at: datetime
    sbp: Vital = None
    dbp: Vital = None
    hr: Vital = None
    spo2: Vital = None
    rr: Vital = None
    moaas: Vital = None


class AlertAcknowledge(InputModel):
    action_taken: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)
    ]


class SessionScheduleRead(BaseModel):
    """A session as the schedule shows it: when, who, which one, in which state; no clinical
    content (drug, route, dose, order, reasons), for roles that book and check in only."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    episode_id: uuid.UUID
    patient_id: uuid.UUID
    session_number: int
    state: str
    scheduled_for: datetime
    checked_in_at: datetime | None
    discharged_at: datetime | None
    version: int


class SessionRead(SessionScheduleRead):
    plan_id: uuid.UUID
    plan_version: int
    route: str
    drug: str
    planned_dose_mg: Decimal
    order_infusion_minutes: int | None
    order_concentration_mg_per_ml: Decimal | None
    dosing_started_at: datetime | None
    first_device_at: datetime | None
    ended_at: datetime | None
    aborted_reason: str | None


# The clinical shape first: a full session validates as SessionRead, a schedule-only one cannot.
SessionView = SessionRead | SessionScheduleRead


class ChecklistItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    item_key: str
    value: str
    recorded_by_id: uuid.UUID
    at: datetime


class OverrideRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    stop_key: str
    reason: str
    prescriber_id: uuid.UUID
    at: datetime


class HardStopRead(BaseModel):
    key: str
    message: str
    overridable: bool
    blocking: bool
    override: OverrideRead | None


class VitalsRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    client_reading_id: str
    measured_at: datetime
    minute_offset: int | None
    sbp: int | None
    dbp: int | None
    hr: int | None
    spo2: int | None
    rr: int | None
    moaas: int | None
    status: str
    error_reason: str | None


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    vital_signs_id: uuid.UUID
    kind: str
    value: int
    threshold: int
    message: str
    raised_at: datetime
    acknowledged_by_id: uuid.UUID | None
    acknowledged_at: datetime | None
    action_taken: str | None


class RecordedVitalsRead(BaseModel):
    reading: VitalsRead
    alerts: list[AlertRead]
