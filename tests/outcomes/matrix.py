"""Matrix entries of the outcomes domain (see tests/matrix.py).

A patient's progress (chart page, PDF report, JSON) is clinical data: prescribers, nurses and
therapists read it; front desk, admins, researchers and patients get none of it (patients see
their own simpler chart in the portal).
"""

from openkap.core.models import Role
from openkap.core.principal import Principal
from tests.matrix import Call, N, P, T
from tests.outcomes.builders import day, dosed_course, patient_of, scored

CLINICIANS = frozenset({P, N, T})
USE = {"patient_id": "progress_patient_id"}

API_CALLS = [Call("GET", "/api/v1/patients/{patient_id}/progress", CLINICIANS, use=USE)]
PAGE_CALLS = [
    Call("GET", "/patients/{patient_id}/progress", CLINICIANS, use=USE),
    Call("GET", "/patients/{patient_id}/progress.pdf", CLINICIANS, use=USE),
]


def seed(db, org, users):
    nurse = Principal(user=users[Role.nurse], client_address="test")
    episode = dosed_course(db, org, [day(0), day(3)])
    series = [(day(-1), 18), (day(1), 9), (day(5), 4)]
    scored(db, patient_of(db, episode), episode, nurse, "phq9", series)
    return {"progress_patient_id": episode.patient_id}
