"""What the follow-up pages show besides the records themselves: names and episode headings."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from openkap.episodes.models import Episode
from openkap.followup.schedule.regenerate import load_episode
from openkap.patients.models import Patient
from openkap.plans.access import user_names

__all__ = ["Heading", "heading", "user_names"]


@dataclass(frozen=True, kw_only=True)
class Heading:
    """The course of care and patient a page is about, for its title and back link."""

    episode: Episode | None
    patient: Patient | None

    @property
    def patient_id(self) -> uuid.UUID | None:
        """The patient the page is about (the layout's urgent-alert banner reads it)."""
        return None if self.patient is None else self.patient.id

    @property
    def patient_name(self) -> str:
        if self.patient is None:
            return ""
        return f"{self.patient.family_name}, {self.patient.given_name}"


def heading(
    session: Session,
    *,
    organization_id: uuid.UUID,
    patient_id: uuid.UUID,
    episode_id: uuid.UUID | None = None,
) -> Heading:
    """Return the episode (when given) and the patient a page is about."""
    episode = None if episode_id is None else load_episode(session, episode_id=episode_id)
    return Heading(episode=episode, patient=session.get(Patient, (organization_id, patient_id)))


def episode_heading(session: Session, *, episode_id: uuid.UUID) -> Heading:
    """Return an episode and its patient."""
    episode = load_episode(session, episode_id=episode_id)
    patient = session.get(Patient, (episode.organization_id, episode.patient_id))
    return Heading(episode=episode, patient=patient)


def names_of(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Return staff names by id for display."""
    return user_names(session, ids)
