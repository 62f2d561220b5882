"""Matrix entries of the clinic's dosing thresholds (see tests/matrix.py).

Administrators and prescribers read the thresholds; only administrators change them.
"""

from openkap.dosing.thresholds import DEFAULT_THRESHOLDS
from tests.matrix import A, Call, P

READERS = frozenset({A, P})
UPDATE = {
    "values": DEFAULT_THRESHOLDS.model_dump(mode="json"),
    "reason": "Matrix check of who may save thresholds.",
}
API_CALLS = [
    Call("GET", "/api/v1/dosing-thresholds", READERS, record_route=False),
    Call("PUT", "/api/v1/dosing-thresholds", frozenset({A}), UPDATE, record_route=False),
]
PAGE_CALLS = [Call("GET", "/admin/dosing-thresholds", READERS, record_route=False)]


def seed(db, org, users):
    return {}
