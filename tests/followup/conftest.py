"""Fixtures of the follow-up tests: a clinic, its staff, and integration notes on demand."""

from collections.abc import Callable
from datetime import datetime

import pytest

from openkap.core.models import Role
from openkap.followup import therapy_link
from tests.fixtures.factories import make_org
from tests.followup.builders import staff


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def prescriber(db, org):
    return staff(db, org, Role.prescriber)


@pytest.fixture
def therapist(db, org):
    return staff(db, org, Role.therapist)


@pytest.fixture
def nurse(db, org):
    return staff(db, org, Role.nurse)


@pytest.fixture
def front_desk(db, org):
    return staff(db, org, Role.front_desk)


@pytest.fixture
def admin(db, org):
    return staff(db, org, Role.admin)


@pytest.fixture(autouse=True)
def notes_at(monkeypatch) -> Callable[..., None]:
    """Make the therapy domain report these integration-note times (none unless set; None: the
    therapy domain cannot tell)."""

    def set_times(*times: datetime | None) -> None:
        known = None if times == (None,) else list(times)
        monkeypatch.setattr(
            therapy_link, "integration_note_times", lambda session, *, episode_id: known
        )
        monkeypatch.setattr(therapy_link, "knows_integration_notes", lambda: known is not None)

    set_times()
    return set_times
