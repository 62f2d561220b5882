"""The demo patient: signs in to the portal with the demo password and lands on their record."""

from openkap.accounts.signin.service import authenticate
from openkap.core.demo import DemoContext
from openkap.core.security import DEMO_PASSWORD
from openkap.portal import demo
from openkap.portal.access import account_of_user
from tests.fixtures.factories import make_org, make_patient
from tests.portal.builders import patient_course


def test_the_demo_patient_is_the_one_with_a_session_booked_and_signs_in(db):
    org = make_org(db)
    unbooked = make_patient(db, org)
    course = patient_course(db, org)
    context = DemoContext(session=db, seed=1, patient_count=2, organization=org)
    context.patient_ids = [unbooked.id, course.patient.id]
    demo.generate(context)
    outcome = authenticate(
        db, email="patient@demo.openkap.org", password=DEMO_PASSWORD, client_address="t"
    )
    assert outcome.user is not None
    account = account_of_user(db, user_id=outcome.user.id)
    assert account is not None
    assert account.patient_id == course.patient.id
