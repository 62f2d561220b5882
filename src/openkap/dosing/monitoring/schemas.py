"""API shapes of observations, dissociation scores and the chair-side view."""

import enum
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from openkap.assessments.schemas import AnswerValue
from openkap.core.schemas import InputModel
from openkap.dosing.administration.schemas import (
    AdministrationRead,
    AdverseEventRead,
    DeviceRead,
    InfusionEventRead,
)
from openkap.dosing.chair.service import ChairView
from openkap.dosing.monitoring.observations import MAX_TEXT, DissociationScore
from openkap.dosing.sessions.schemas import AlertRead, SessionRead, VitalsRead


class DissociationInstrument(enum.StrEnum):
    cadss = "cadss"
    cadss6 = "cadss6"


class ObservationCreate(InputModel):
    client_entry_id: Annotated[
        str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$")
    ] = Field(description="The client's own id: resending it returns the stored observation")
    observed_at: datetime
    text: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT)
    ]


class DissociationCreate(InputModel):
    instrument_id: DissociationInstrument
    answers: list[AnswerValue] | dict[str, AnswerValue] = Field(
        max_length=23,
        description="0-4 per item in item order (null for a blank), or item number -> value",
    )
    measured_at: datetime


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ObservationRead(_Read):
    id: uuid.UUID
    client_entry_id: str
    observed_at: datetime
    minute_offset: int | None
    text: str
    recorded_by_id: uuid.UUID
    recorded_at: datetime
    status: str
    error_reason: str | None


class DissociationRead(BaseModel):
    id: uuid.UUID
    instrument_id: str
    instrument_version: str
    answers: list[int | None]
    total: int | None
    measured_at: datetime
    minute_offset: int | None
    dissociation: bool = Field(description="The total is above the clinic's CADSS threshold")
    recorded_by_id: uuid.UUID | None

    @classmethod
    def of(cls, score: DissociationScore) -> "DissociationRead":
        response = score.response
        return cls(
            id=response.id,
            instrument_id=response.instrument_id,
            instrument_version=response.instrument_version,
            answers=response.answers,
            total=response.total,
            measured_at=response.completed_at,
            minute_offset=score.minute_offset,
            dissociation=score.dissociation,
            recorded_by_id=response.created_by_id,
        )


class DueItemRead(_Read):
    measure: str
    minute: int
    due_at: datetime | None = Field(description="None before the first dose: due at once")
    state: str = Field(description="done, due, overdue or upcoming")


class ChairViewRead(BaseModel):
    session: SessionRead
    patient_name: str
    state: str
    as_of: datetime
    elapsed_minutes: int | None
    due: list[DueItemRead]
    next_due: list[DueItemRead]
    vitals: list[VitalsRead]
    alerts: list[AlertRead] = Field(description="Those waiting for an action first")
    observations: list[ObservationRead]
    dissociation: list[DissociationRead]
    dissociated: bool
    administration: AdministrationRead | None
    devices: list[DeviceRead]
    infusion_events: list[InfusionEventRead]
    adverse_events: list[AdverseEventRead]
    unmet_discharge_criteria: list[str]

    @classmethod
    def of(cls, view: ChairView) -> "ChairViewRead":
        admin = view.administration
        return cls(
            session=SessionRead.model_validate(view.dosing),
            patient_name=view.patient_name,
            state=view.state,
            as_of=view.as_of,
            elapsed_minutes=view.elapsed_minutes,
            due=[DueItemRead.model_validate(i) for i in view.due],
            next_due=[DueItemRead.model_validate(i) for i in view.next_due],
            vitals=[VitalsRead.model_validate(v) for v in view.vitals],
            alerts=[AlertRead.model_validate(a) for a in view.alerts],
            observations=[ObservationRead.model_validate(o) for o in view.observations],
            dissociation=[DissociationRead.of(s) for s in view.dissociation],
            dissociated=view.dissociated,
            administration=None if admin is None else AdministrationRead.model_validate(admin),
            devices=[DeviceRead.model_validate(d) for d in view.devices],
            infusion_events=[InfusionEventRead.model_validate(e) for e in view.infusion_events],
            adverse_events=[AdverseEventRead.model_validate(e) for e in view.adverse_events],
            unmet_discharge_criteria=list(view.unmet_discharge_criteria),
        )


class DissociationStatement(InputModel):
    """A clinician's statement that dissociation has resolved, where no CADSS is scored."""

    statement: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=10, max_length=2000)
    ]


class DissociationStatementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    value: str
    recorded_by_id: uuid.UUID
    at: datetime
