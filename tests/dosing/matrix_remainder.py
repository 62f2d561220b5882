"""Matrix entries of a stopped administration's remainder (see tests/matrix.py): nurses and
prescribers return or waste it; nobody else."""

from decimal import Decimal

from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.dosing.administration import infusion
from openkap.dosing.models import InfusionEventKind
from tests.dosing.builders_administration import (
    administered_session,
    dosable_episode,
    stocked_lot,
)
from tests.matrix import Call, N, P

API_CALLS = [
    Call(
        "POST",
        "/api/v1/dosing-sessions/{session_id}/administration/remainder",
        frozenset({P, N}),
        {"disposition": "returned"},
        use={"session_id": "stopped_esketamine_id"},
    ),
]
PAGE_CALLS: list[Call] = []


def seed(db, org, users):
    nurse = Principal(user=users[Role.nurse], client_address="test")
    stock = stocked_lot(db, org, drug="esketamine", mg="280")
    episode = dosable_episode(db, org, route="intranasal")
    dosing = administered_session(db, episode, nurse, stock=stock, dose_mg=Decimal(56))
    infusion.change_infusion(
        db,
        dosing=dosing,
        kind=InfusionEventKind.stop,
        reason="Patient declined the spray.",
        rate_ml_per_hour=None,
        by=nurse,
    )
    return {"stopped_esketamine_id": dosing.id}
