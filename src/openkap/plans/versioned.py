"""Queries shared by the clinic's versioned documents (protocol templates, consent texts).

Both are keyed records where a change adds a new version and only one version is current.
"""

import uuid
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from openkap.plans.models import ConsentDocument, ProtocolTemplate

Versioned = TypeVar("Versioned", ConsentDocument, ProtocolTemplate)


def current_versions(
    session: Session, model: type[Versioned], *, organization_id: uuid.UUID
) -> list[Versioned]:
    """Return the current version of every key, in key order."""
    return list(
        session.scalars(
            select(model)
            .where(model.organization_id == organization_id, model.is_current.is_(True))
            .order_by(model.key)
        )
    )


def current_version(
    session: Session, model: type[Versioned], *, organization_id: uuid.UUID, key: str
) -> Versioned | None:
    """Return the current version of one key, if the clinic has it."""
    return session.scalars(
        select(model).where(
            model.organization_id == organization_id,
            model.key == key,
            model.is_current.is_(True),
        )
    ).first()


def all_versions(session: Session, record: Versioned) -> list[Versioned]:
    """Return every version of the record's key, newest first."""
    model = type(record)
    return list(
        session.scalars(
            select(model)
            .where(model.organization_id == record.organization_id, model.key == record.key)
            .order_by(model.version.desc())
        )
    )
