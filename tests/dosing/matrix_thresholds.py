"""Matrix entries of the clinic's dosing thresholds (see tests/matrix.py).

Administrators and prescribers read the thresholds; only administrators change them; only a
prescriber (other than the proposer) approves a loosening.
"""

from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.dosing.thresholds import service as threshold_settings
from openkap.dosing.thresholds.rules import DEFAULT_THRESHOLDS
from tests.matrix import A, Call, P

READERS = frozenset({A, P})
UPDATE = {
    "values": DEFAULT_THRESHOLDS.model_dump(mode="json"),
    "reason": "Matrix check of who may save thresholds.",
}
API_CALLS = [
    Call("GET", "/api/v1/dosing-thresholds", READERS, record_route=False),
    Call("PUT", "/api/v1/dosing-thresholds", frozenset({A}), UPDATE, record_route=False),
    Call(
        "POST",
        "/api/v1/dosing-thresholds/{set_version}/approve",
        frozenset({P}),
        use={"set_version": "pending_thresholds"},
    ),
]
PAGE_CALLS = [Call("GET", "/admin/dosing-thresholds", READERS, record_route=False)]


def seed(db, org, users):
    loosened = {**UPDATE["values"], "alert_hr_above": 120}
    pending = threshold_settings.save_thresholds(
        db,
        values=loosened,
        reason="Matrix check of who may approve a loosening.",
        by=Principal(user=users[Role.admin], client_address="matrix"),
    )
    return {"pending_thresholds": pending.set_version}
