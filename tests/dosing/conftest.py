"""The clinic and staff most dosing tests act in: one clinic, and a nurse, prescriber and therapist
of it, each a signed-in principal."""

import pytest

from openkap.core.models import Role
from tests.dosing.builders import as_role
from tests.fixtures.factories import make_org


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def nurse(db, org):
    return as_role(db, org, Role.nurse)


@pytest.fixture
def prescriber(db, org):
    return as_role(db, org, Role.prescriber)


@pytest.fixture
def therapist(db, org):
    return as_role(db, org, Role.therapist)
