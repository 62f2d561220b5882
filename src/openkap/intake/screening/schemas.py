"""API shapes of suitability screening and the clinic's rule sets."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StringConstraints

from openkap.core.schemas import InputModel
from openkap.intake.models import RuleResult, RuleSet, ScreeningOutcome
from openkap.intake.screening.rule_checks import Category, label
from openkap.intake.screening.rules import CATALOGUE, Rule
from openkap.intake.screening.rulesets import MAX_NOTE
from openkap.intake.screening.service import MIN_JUSTIFICATION, ScreeningRecord

RuleStatus = Literal["triggered", "clear", "missing"]


def status_of(triggered: bool | None) -> RuleStatus:
    """Return how a rule result reads: triggered, clear, or missing (undecided)."""
    if triggered is None:
        return "missing"
    return "triggered" if triggered else "clear"


class RuleResultRead(BaseModel):
    rule_id: str
    title: str
    category: Category
    status: RuleStatus
    triggered: bool | None
    inputs: dict[str, Any] = Field(description="What the rule read, as recorded at the run")
    explanation: str
    source: str

    @classmethod
    def of(cls, result: RuleResult) -> "RuleResultRead":
        rule = CATALOGUE.get(result.rule_id)
        return cls(
            rule_id=result.rule_id,
            title=rule.title if rule else result.rule_id,
            category=Category(result.category),
            status=status_of(result.triggered),
            triggered=result.triggered,
            inputs=result.inputs,
            explanation=result.explanation,
            source=result.source,
        )


class OverrideRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    run_id: uuid.UUID
    from_outcome: ScreeningOutcome
    to_outcome: ScreeningOutcome
    justification: str
    created_at: datetime
    created_by_id: uuid.UUID | None
    status: Literal["pending", "confirmed"] = Field(
        description="pending: an absolute contraindication's override waits for a second, "
        "different prescriber"
    )
    confirmed_by_id: uuid.UUID | None
    confirmed_at: datetime | None
    confirmation: str = Field(description="The second prescriber's reasons")


class ScreeningRead(BaseModel):
    id: uuid.UUID
    episode_id: uuid.UUID
    rule_set_id: uuid.UUID
    rule_set_version: int
    outcome: ScreeningOutcome = Field(description="What the rules decided")
    decision: ScreeningOutcome = Field(description="The outcome after any override")
    missing: list[str] = Field(description="Inputs the screening needs and did not find")
    explanation: str
    created_at: datetime
    created_by_id: uuid.UUID | None
    results: list[RuleResultRead]
    overrides: list[OverrideRead]

    @classmethod
    def of(cls, record: ScreeningRecord) -> "ScreeningRead":
        run = record.run
        overrides = [OverrideRead.model_validate(o) for o in record.overrides]
        return cls(
            id=run.id,
            episode_id=run.episode_id,
            rule_set_id=run.rule_set_id,
            rule_set_version=run.rule_set_version,
            outcome=ScreeningOutcome(run.outcome),
            decision=_decision(run.outcome, overrides),
            missing=list(run.missing),
            explanation=run.explanation,
            created_at=run.created_at,
            created_by_id=run.created_by_id,
            results=[RuleResultRead.of(r) for r in record.results],
            overrides=overrides,
        )


def _decision(outcome: str, overrides: list[OverrideRead]) -> ScreeningOutcome:
    confirmed = [o for o in overrides if o.status == "confirmed"]
    return confirmed[-1].to_outcome if confirmed else ScreeningOutcome(outcome)


class OverrideCreate(InputModel):
    justification: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=MIN_JUSTIFICATION, max_length=4000),
    ] = Field(description="Why treating is justified despite the screening; kept in the record")


class RuleEntry(InputModel):
    rule_id: Annotated[str, StringConstraints(max_length=60)]
    enabled: StrictBool = True
    params: dict[Annotated[str, StringConstraints(max_length=60)], StrictInt] = Field(
        default_factory=dict, description="Parameters to set; omitted ones take their default"
    )


class RuleSetUpdate(InputModel):
    base_version: Annotated[int, Field(ge=1, description="The version the edit starts from")]
    change_note: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=MAX_NOTE)
    ] = Field(description="What changed and why; shown in the change history")
    entries: list[RuleEntry] = Field(
        max_length=200, description="Every rule of the catalogue, each exactly once"
    )


class ParamRead(BaseModel):
    name: str
    label: str
    value: int
    default: int
    minimum: int
    maximum: int
    unit: str


class RuleSettingRead(BaseModel):
    rule_id: str
    title: str
    category: Category
    enabled: bool
    inputs: list[str] = Field(description="Plain names of the inputs the rule reads")
    params: list[ParamRead]
    explanation: str
    source: str

    @classmethod
    def of(cls, rule: Rule, entry: dict[str, Any]) -> "RuleSettingRead":
        values = {**rule.defaults(), **entry.get("params", {})}
        return cls(
            rule_id=rule.id,
            title=rule.title,
            category=rule.category,
            enabled=bool(entry.get("enabled", True)),
            inputs=list(dict.fromkeys(label(key) for key in rule.inputs)),
            params=[
                ParamRead(
                    name=p.name,
                    label=p.label,
                    value=values[p.name],
                    default=p.default,
                    minimum=p.minimum,
                    maximum=p.maximum,
                    unit=p.unit,
                )
                for p in rule.params
            ],
            explanation=rule.explanation,
            source=rule.source,
        )


class RuleSetRead(BaseModel):
    id: uuid.UUID
    version: int
    is_current: bool
    change_note: str
    created_at: datetime
    created_by_id: uuid.UUID | None
    approval: str = Field(description="none, pending (not in force until approved) or approved")
    compared_with: int | None = Field(description="The version current when it was proposed")
    loosening: str = Field(description="What the version loosens, with each guard-rail")
    approved_by_id: uuid.UUID | None
    approved_at: datetime | None
    rules: list[RuleSettingRead]

    @classmethod
    def of(cls, rule_set: RuleSet) -> "RuleSetRead":
        stored = {entry["rule_id"]: entry for entry in rule_set.rules}
        return cls(
            id=rule_set.id,
            version=rule_set.version,
            is_current=rule_set.is_current,
            change_note=rule_set.change_note,
            created_at=rule_set.created_at,
            created_by_id=rule_set.created_by_id,
            approval=rule_set.approval,
            compared_with=rule_set.compared_with,
            loosening=rule_set.loosening,
            approved_by_id=rule_set.approved_by_id,
            approved_at=rule_set.approved_at,
            rules=[
                RuleSettingRead.of(rule, stored.get(rule.id, {})) for rule in CATALOGUE.values()
            ],
        )
