"""A clinic's follow-up settings: which questionnaires, when, their windows, and who is on call.

A clinic without a saved version uses the defaults of issue 6 and the clinical reference. Each
change is a new version with its written reason; due items keep the version they were generated
under, and reviews quote the version whose rule opened them.
"""

import uuid
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from sqlalchemy.orm import Session

from openkap.core.models import Role
from openkap.core.permissions import Permission
from openkap.core.principal import Principal, require
from openkap.core.settings import versions as settings_versions
from openkap.followup.errors import InvalidFollowupInput
from openkap.followup.models import FollowupSettingsVersion
from openkap.instruments import (
    InvalidChangeInput,
    UnknownInstrument,
    change_defaults,
    get_instrument,
)

DEFAULT_SOURCE = "Issue 6 defaults and the OpenKAP clinical reference (integration window)"
ON_CALL_ROLES = (Role.prescriber, Role.nurse, Role.therapist)
_HOURS = Field(ge=0, le=24 * 7 * 60)


class HourWindow(BaseModel):
    """A questionnaire time point in hours after its anchor: when it opens, is due, and closes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, max_length=20, pattern=r"^[a-z0-9-]+$")
    label: str = Field(min_length=1, max_length=80, pattern=r"^[^\x00]*$")
    opens_hours: int = _HOURS
    due_hours: int = _HOURS
    closes_hours: int = _HOURS

    @model_validator(mode="after")
    def _ordered(self) -> "HourWindow":
        if not self.opens_hours <= self.due_hours <= self.closes_hours:
            raise ValueError(f"{self.key}: opens <= due <= closes hours is required")
        if self.opens_hours == self.closes_hours:
            raise ValueError(f"{self.key}: the window must be open for at least an hour")
        return self


DEFAULT_AFTER_FIRST_DOSE = (
    HourWindow(
        key="24h",
        label="24 hours after the first dose",
        opens_hours=18,
        due_hours=24,
        closes_hours=36,
    ),
    HourWindow(
        key="day3-7",
        label="Day 3 to 7 after the first dose",
        opens_hours=72,
        due_hours=120,
        closes_hours=168,
    ),
)


def _check_questionnaires(ids: list[str]) -> list[str]:
    for instrument_id in ids:
        try:
            instrument = get_instrument(instrument_id)
        except UnknownInstrument:
            raise ValueError(f"{instrument_id!r} is not an instrument OpenKAP knows") from None
        if instrument.respondent != "patient":
            raise ValueError(f"{instrument_id} is clinician-rated; choose patient questionnaires")
    if len(set(ids)) != len(ids):
        raise ValueError("an instrument is listed twice")
    return ids


Questionnaires = Annotated[list[str], AfterValidator(_check_questionnaires)]


class FollowupRules(BaseModel):
    """The clinic's follow-up rules; the defaults are those of issue 6 and CLINICAL.md."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instruments: Questionnaires = Field(default=["phq9", "gad7"], min_length=1, max_length=6)
    ptsd_instruments: Questionnaires = Field(default=["pcl5"], max_length=4)
    ptsd_diagnosis_prefixes: list[str] = Field(default=["F43.1"], max_length=10)
    after_first_dose: list[HourWindow] = Field(default=list(DEFAULT_AFTER_FIRST_DOSE), max_length=6)
    before_session_opens_hours: int = Field(default=72, ge=1, le=24 * 14)
    before_session_grace_hours: int = Field(default=2, ge=0, le=24)
    after_induction_weeks: list[int] = Field(default=[1, 2, 4, 8, 12, 26], max_length=12)
    after_induction_window_days: int = Field(default=2, ge=1, le=14)
    integration_closes_hours: int = Field(default=72, ge=24, le=24 * 14)
    on_call_role: Role = Role.prescriber
    # An unacknowledged urgent alert also goes to every clinician after this many minutes.
    escalation_minutes: int = Field(default=30, ge=5, le=240)
    relapse_instruments: list[str] = Field(
        default=["phq9", "qids_sr16", "madrs", "pcl5"], max_length=6
    )
    # Relapse: loss of response on two consecutive assessments this many days apart (SUSTAIN-1).
    relapse_confirm_min_days: int = Field(default=5, ge=1, le=30)
    relapse_confirm_max_days: int = Field(default=15, ge=2, le=60)
    source: str = Field(default=DEFAULT_SOURCE, min_length=1, max_length=500, pattern=r"^[^\x00]*$")

    @field_validator("ptsd_diagnosis_prefixes")
    @classmethod
    def _codes(cls, prefixes: list[str]) -> list[str]:
        for prefix in prefixes:
            if not prefix or len(prefix) > 10 or not prefix.replace(".", "").isalnum():
                raise ValueError(f"{prefix!r} is not the start of an ICD-10-CM code (e.g. F43.1)")
        return [prefix.upper() for prefix in prefixes]

    @field_validator("after_induction_weeks")
    @classmethod
    def _weeks(cls, weeks: list[int]) -> list[int]:
        if any(not 1 <= week <= 104 for week in weeks) or len(set(weeks)) != len(weeks):
            raise ValueError("weeks must be different whole numbers from 1 to 104")
        return sorted(weeks)

    @field_validator("on_call_role")
    @classmethod
    def _clinical(cls, role: Role) -> Role:
        if role not in ON_CALL_ROLES:
            raise ValueError("the on-call role must be prescriber, nurse or therapist")
        return role

    @field_validator("relapse_instruments")
    @classmethod
    def _with_change_metrics(cls, ids: list[str]) -> list[str]:
        for instrument_id in ids:
            try:
                change_defaults(instrument_id)
            except (InvalidChangeInput, UnknownInstrument):
                raise ValueError(f"{instrument_id!r} has no response/remission rules") from None
        return ids

    @model_validator(mode="after")
    def _unique_keys(self) -> "FollowupRules":
        keys = [point.key for point in self.after_first_dose]
        if len(set(keys)) != len(keys):
            raise ValueError("after_first_dose: each time point needs its own key")
        if self.relapse_confirm_min_days >= self.relapse_confirm_max_days:
            raise ValueError("relapse_confirm_min_days must be below relapse_confirm_max_days")
        return self


DEFAULT_RULES = FollowupRules()


def rules_in_force(session: Session, *, organization_id: uuid.UUID) -> tuple[FollowupRules, int]:
    """Return the clinic's follow-up rules and their version (0 while the defaults apply)."""
    in_force = settings_versions.newest(session, FollowupSettingsVersion, organization_id)
    if in_force is None:
        return DEFAULT_RULES, 0
    return FollowupRules.model_validate(in_force.values), in_force.set_version


def settings_history(
    session: Session, *, by: Principal, limit: int = 50
) -> list[FollowupSettingsVersion]:
    """Return the newest saved versions of the clinic's follow-up settings, newest first."""
    require(by, Permission.followup_configure, "Only a clinic administrator reads these settings.")
    return settings_versions.history(
        session, FollowupSettingsVersion, by.organization_id, limit=limit
    )


def validated_rules(values: dict[str, Any]) -> FollowupRules:
    """Validate submitted settings, naming the first offending field."""
    return settings_versions.validated(FollowupRules, values, InvalidFollowupInput)


def save_settings(
    session: Session,
    *,
    values: dict[str, Any],
    reason: str,
    by: Principal,
    base_version: int | None = None,
) -> FollowupSettingsVersion:
    """Save a new version of the clinic's follow-up settings with the reason for the change."""
    require(by, Permission.followup_configure, "Only a clinic administrator changes follow-up.")
    return settings_versions.save_version(
        session,
        model=FollowupSettingsVersion,
        values=validated_rules(values),
        reason=reason,
        base_version=base_version,
        error=InvalidFollowupInput,
        audit_as="followup_settings",
        by=by,
    )
