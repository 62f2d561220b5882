"""JSON API of episodes: open a course of care, read it, move it along the pathway."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends

from openkap.core.deps import DbSession, api_permission
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.responses import error_responses
from openkap.episodes import pathway, service
from openkap.episodes.models import Episode
from openkap.episodes.schemas import (
    CareTeamUpdate,
    EpisodeCreate,
    EpisodeDetail,
    EpisodeRead,
    NextStep,
    ResumeCreate,
    TransitionCreate,
    TransitionRead,
)
from openkap.patients.service import get_patient

router = APIRouter(prefix="/api/v1", tags=["episodes"])
Reader = Annotated[Principal, Depends(api_permission(Permission.episode_read))]
Manager = Annotated[Principal, Depends(api_permission(Permission.episode_manage))]


def detail(session: DbSession, episode: Episode) -> EpisodeDetail:
    """Describe an episode with the moves it allows now and what blocks them."""
    steps = [
        NextStep(to_state=state, blocked_by=missing)
        for state, missing in pathway.next_steps(session, episode=episode)
    ]
    return EpisodeDetail.model_validate(
        {**EpisodeRead.model_validate(episode).model_dump(), "next_steps": steps}
    )


@router.post(
    "/patients/{patient_id}/episodes",
    response_model=EpisodeRead,
    status_code=201,
    responses=error_responses(401, 403, 404, 422),
)
def open_episode(
    session: DbSession, principal: Manager, patient_id: uuid.UUID, body: EpisodeCreate
) -> EpisodeRead:
    """Open a course of KAP care (a referral) for a patient."""
    patient = get_patient(session, patient_id=patient_id, by=principal)
    episode = service.open_episode(session, patient=patient, by=principal, **body.model_dump())
    return EpisodeRead.model_validate(episode)


@router.get(
    "/patients/{patient_id}/episodes",
    response_model=list[EpisodeRead],
    responses=error_responses(401, 403, 404, 422),
)
def list_episodes(
    session: DbSession, principal: Reader, patient_id: uuid.UUID
) -> list[EpisodeRead]:
    """List a patient's courses of care, newest first."""
    patient = get_patient(session, patient_id=patient_id, by=principal)
    return [EpisodeRead.model_validate(e) for e in service.list_episodes(session, patient=patient)]


@router.get(
    "/episodes/{episode_id}",
    response_model=EpisodeDetail,
    responses=error_responses(401, 403, 404, 422),
)
def read_episode(session: DbSession, principal: Reader, episode_id: uuid.UUID) -> EpisodeDetail:
    """Return an episode with its possible next moves and what blocks each."""
    return detail(session, service.get_episode(session, episode_id=episode_id, by=principal))


@router.post(
    "/episodes/{episode_id}/transitions",
    response_model=EpisodeDetail,
    responses=error_responses(401, 403, 404, 409, 422),
)
def move_episode(
    session: DbSession, principal: Manager, episode_id: uuid.UUID, body: TransitionCreate
) -> EpisodeDetail:
    """Move an episode to another state; refused with the allowed states or what is missing."""
    episode = service.get_episode(session, episode_id=episode_id, by=principal)
    pathway.move(
        session,
        episode=episode,
        to_state=body.to_state,
        reason=body.reason,
        confirmed=body.confirm,
        by=principal,
    )
    return detail(session, episode)


@router.put(
    "/episodes/{episode_id}/care-team",
    response_model=EpisodeDetail,
    responses=error_responses(401, 403, 404, 409, 422),
)
def change_care_team(
    session: DbSession, principal: Manager, episode_id: uuid.UUID, body: CareTeamUpdate
) -> EpisodeDetail:
    """Name the course's prescriber and therapist anew, with a reason."""
    episode = service.get_episode(session, episode_id=episode_id, by=principal)
    service.change_care_team(session, episode=episode, by=principal, **body.model_dump())
    return detail(session, episode)


@router.post(
    "/episodes/{episode_id}/resume",
    response_model=EpisodeDetail,
    responses=error_responses(401, 403, 404, 409, 422),
)
def resume_episode(
    session: DbSession, principal: Manager, episode_id: uuid.UUID, body: ResumeCreate
) -> EpisodeDetail:
    """Take an episode off hold, back where it paused."""
    episode = service.get_episode(session, episode_id=episode_id, by=principal)
    pathway.resume(session, episode=episode, reason=body.reason, by=principal)
    return detail(session, episode)


@router.get(
    "/episodes/{episode_id}/transitions",
    response_model=list[TransitionRead],
    responses=error_responses(401, 403, 404, 422),
)
def list_transitions(
    session: DbSession, principal: Reader, episode_id: uuid.UUID
) -> list[TransitionRead]:
    """Return who moved the episode, when, why and from which state."""
    episode = service.get_episode(session, episode_id=episode_id, by=principal)
    return [
        TransitionRead.model_validate(t) for t in service.list_transitions(session, episode=episode)
    ]
