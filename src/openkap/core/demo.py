"""What a domain's synthetic-data generator receives: one seeded context for the whole clinic."""

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from faker import Faker
from sqlalchemy.orm import Session

from openkap.core.models import Organization, Role, User

DEMO_SLUG = "demo"


@dataclass
class DemoContext:
    """A seeded generator's shared state; each domain reads what earlier ones made."""

    session: Session
    seed: int
    patient_count: int
    advance: Callable[[int], None] = lambda _steps: None
    rng: random.Random = field(init=False)
    faker: Faker = field(init=False)
    organization: Organization | None = None
    staff: dict[Role, list[User]] = field(default_factory=dict)
    patient_ids: list[uuid.UUID] = field(default_factory=list)
    # What one domain's generator leaves for a later one (e.g. each patient's planned course).
    shared: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)  # noqa: S311 (reproducible fake data, not secrets)
        self.faker = Faker("en_US")
        self.faker.seed_instance(self.seed)

    def new_id(self) -> uuid.UUID:
        """Return a random id drawn from the seed, so a rerun yields the same records."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    @property
    def org(self) -> Organization:
        assert self.organization is not None, "the accounts generator runs first"
        return self.organization
