"""The role-by-endpoint matrix, shared by every domain's matrix module.

Each domain keeps a module (tests/<domain>/matrix.py) with API_CALLS, PAGE_CALLS and a
`seed(db, org, users) -> dict[str, uuid]` that creates the records its paths name. The expected
roles are written out there on purpose, independently of src/openkap/core/permissions.py:
changing who may do what must change the matrix too.
"""

from dataclasses import dataclass
from typing import Any

from openkap.core.models import Role

A, P, N, T, F, R, PT = (
    Role.admin,
    Role.prescriber,
    Role.nurse,
    Role.therapist,
    Role.front_desk,
    Role.researcher,
    Role.patient,
)
EVERYONE = frozenset(Role)
PATIENT_READERS = frozenset({A, P, N, T, F})
PATIENT_WRITERS = frozenset({A, P, N, F})
CLINICIANS = frozenset({P, N, T})


@dataclass(frozen=True)
class Call:
    """One request of the matrix: the path names its records as {name} placeholders."""

    method: str
    path: str
    allowed: frozenset[Role]
    body: dict[str, Any] | None = None
    record_route: bool = True
    form: dict[str, Any] | None = None
    # Path parameter -> seed key, when a call needs a different record than the default one
    # (e.g. {"episode_id": "held_episode_id"} to resume an episode that is on hold).
    use: dict[str, str] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"
