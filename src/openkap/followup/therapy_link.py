"""What the follow-up needs of the therapy domain, in one place.

The integration items and the unsigned-notes tasks read the therapy service through these few
functions, so follow-up's tests can stand in for therapy here (including "therapy cannot tell",
where integration items stay open rather than being flagged as missed).
"""

import uuid
from datetime import date, datetime

from sqlalchemy.orm import Session

from openkap.therapy.models import TherapyNote
from openkap.therapy.notes import service as therapy


def knows_integration_notes() -> bool:
    """Tell whether the therapy domain reports integration-note times."""
    return True


def integration_note_times(
    session: Session, *, episode_id: uuid.UUID
) -> list[datetime | date] | None:
    """Return the dates of the episode's integration notes, or None when therapy cannot tell."""
    return list(therapy.integration_note_times(session, episode_id=episode_id))


def unsigned_notes(
    session: Session,
    *,
    organization_id: uuid.UUID,
    author_id: uuid.UUID | None,
    limit: int,
    offset: int,
) -> list[TherapyNote]:
    """Return a page of unsigned notes: one clinician's, or the clinic's (None)."""
    return therapy.unsigned_notes(
        session, organization_id=organization_id, author_id=author_id, limit=limit, offset=offset
    )


def count_unsigned_notes(
    session: Session, *, organization_id: uuid.UUID, author_id: uuid.UUID | None
) -> int:
    """Count the unsigned notes `unsigned_notes` would list."""
    return therapy.count_unsigned_notes(
        session, organization_id=organization_id, author_id=author_id
    )
