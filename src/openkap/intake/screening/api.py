"""JSON API of suitability screening and the clinic's rule sets."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.episodes.service import get_episode
from openkap.intake.screening import ruleset_approval, rulesets
from openkap.intake.screening import service as screening
from openkap.intake.screening.schemas import (
    OverrideCreate,
    RuleSetRead,
    RuleSetUpdate,
    ScreeningRead,
)

router = APIRouter(prefix="/api/v1", tags=["screening"])

Reader = Annotated[Principal, Depends(api_permission(Permission.episode_read))]
Runner = Annotated[Principal, Depends(api_permission(Permission.screening_run))]
Overrider = Annotated[Principal, Depends(api_permission(Permission.screening_override))]
RuleReader = Annotated[Principal, Depends(api_permission(Permission.ruleset_read))]
RuleManager = Annotated[Principal, Depends(api_permission(Permission.ruleset_manage))]
Approver = Annotated[Principal, Depends(api_permission(Permission.settings_approve))]


@router.post(
    "/episodes/{episode_id}/screenings",
    response_model=ScreeningRead,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422),
)
def run_screening(session: DbSession, principal: Runner, episode_id: uuid.UUID) -> ScreeningRead:
    """Screen the episode with the clinic's current rules; the episode moves to the outcome."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    run = screening.run_screening(session, episode=episode, by=principal)
    return ScreeningRead.of(screening.record_of(session, run=run))


@router.get(
    "/episodes/{episode_id}/screenings",
    response_model=list[ScreeningRead],
    responses=error_responses(401, 403, 404, 422),
)
def list_screenings(
    session: DbSession, principal: Reader, episode_id: uuid.UUID
) -> list[ScreeningRead]:
    """Return the episode's screenings with every rule's result, newest first."""
    episode = get_episode(session, episode_id=episode_id, by=principal)
    records = screening.list_screenings(session, episode=episode, by=principal)
    return [ScreeningRead.of(record) for record in records]


@router.get(
    "/screenings/{run_id}",
    response_model=ScreeningRead,
    responses=error_responses(401, 403, 404, 422),
)
def read_screening(session: DbSession, principal: Reader, run_id: uuid.UUID) -> ScreeningRead:
    """Return one screening with every rule's inputs, result, explanation and source."""
    return ScreeningRead.of(screening.get_screening(session, run_id=run_id, by=principal))


@router.post(
    "/screenings/{run_id}/override",
    response_model=ScreeningRead,
    status_code=201,
    responses=error_responses(401, 403, 404, 409, 422),
)
def override_screening(
    session: DbSession, principal: Overrider, run_id: uuid.UUID, body: OverrideCreate
) -> ScreeningRead:
    """Clear a needs_review or ineligible screening for treatment (prescribers, with reasons)."""
    record = screening.get_screening(session, run_id=run_id, by=principal)
    screening.override_screening(
        session, run=record.run, justification=body.justification, by=principal
    )
    return ScreeningRead.of(screening.record_of(session, run=record.run))


@router.get("/rule-set", response_model=RuleSetRead, responses=error_responses(401, 403))
def read_rule_set(session: DbSession, principal: RuleReader) -> RuleSetRead:
    """Return the clinic's current screening rules with the catalogue's descriptions."""
    return RuleSetRead.of(
        rulesets.current_rule_set(session, organization_id=principal.organization_id)
    )


@router.get("/rule-sets", response_model=list[RuleSetRead], responses=error_responses(401, 403))
def list_rule_sets(session: DbSession, principal: RuleReader) -> list[RuleSetRead]:
    """Return every version of the clinic's screening rules, newest first."""
    return [
        RuleSetRead.of(rule_set)
        for rule_set in rulesets.list_rule_sets(session, organization_id=principal.organization_id)
    ]


@router.put("/rule-set", response_model=RuleSetRead, responses=error_responses(401, 403, 409, 422))
def update_rule_set(session: DbSession, principal: RuleManager, body: RuleSetUpdate) -> RuleSetRead:
    """Store a new version of the clinic's screening rules (administrators)."""
    rule_set = rulesets.update_rule_set(
        session,
        entries=[entry.model_dump() for entry in body.entries],
        change_note=body.change_note,
        base_version=body.base_version,
        by=principal,
    )
    return RuleSetRead.of(rule_set)


@router.post(
    "/rule-sets/{version}/approve",
    response_model=RuleSetRead,
    responses=error_responses(401, 403, 404, 409, 422),
)
def approve_rule_set(
    session: DbSession,
    principal: Approver,
    version: Annotated[int, Path(ge=1, le=2_147_483_647)],
) -> RuleSetRead:
    """Make a pending rule set current as its second approver (a prescriber)."""
    return RuleSetRead.of(ruleset_approval.approve_rule_set(session, version=version, by=principal))
