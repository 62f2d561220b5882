"""Builders for portal tests: a patient with a portal account, a course whose next dosing session
makes questionnaires due (the follow-up schedule's "before each session" items), and helpers to
answer them through the pages.

Typical use:

    course = patient_course(db, org)                 # patient, episode, prescriber, session
    user = portal_user(db, org, course.patient)      # signs in as that patient
    due = due_item(db, course.patient, "phq9")       # from openkap.followup.schedule.service
"""

from dataclasses import dataclass
from datetime import timedelta

from openkap.core.models import Organization, Role, User
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.models import DosingSession
from openkap.dosing.sessions import service as dosing_service
from openkap.episodes.models import Episode
from openkap.followup.schedule import service as schedule
from openkap.patients.models import Patient
from openkap.portal.access import PortalPatient, portal_patient
from openkap.portal.models import PortalAccount
from tests.dosing.builders import ready_episode
from tests.fixtures.factories import csrf_from, make_user

PHQ9_ANSWERS = [1, 2, 1, 0, 1, 2, 1, 0, 0]


@dataclass(frozen=True)
class Course:
    """A patient's course of care with a prescriber, a therapist and a session booked."""

    patient: Patient
    episode: Episode
    prescriber: User
    therapist: User
    dosing: DosingSession


def staff(db, org: Organization, role: Role) -> Principal:
    return Principal(user=make_user(db, org, role), client_address="test")


def patient_course(db, org: Organization, *, hours_ahead: int = 24) -> Course:
    """A ready episode whose next dosing session (in `hours_ahead` hours) makes PHQ-9 and GAD-7
    due now."""
    episode = ready_episode(db, org)
    prescriber, therapist = make_user(db, org, Role.prescriber), make_user(db, org, Role.therapist)
    episode.prescriber_id, episode.therapist_id = prescriber.id, therapist.id
    dosing = dosing_service.schedule_session(
        db,
        episode=episode,
        scheduled_for=utcnow() + timedelta(hours=hours_ahead),
        by=staff(db, org, Role.nurse),
    )
    db.flush()
    patient = db.get(Patient, (org.id, episode.patient_id))
    return Course(patient, episode, prescriber, therapist, dosing)


def portal_user(db, org: Organization, patient: Patient, *, has_email: bool = True) -> User:
    """A user holding only the patient role, with a portal account linked to `patient`."""
    user = make_user(db, org, Role.patient)
    db.add(
        PortalAccount(
            organization_id=org.id, patient_id=patient.id, user_id=user.id, has_email=has_email
        )
    )
    db.flush()
    return user


def as_portal(db, user: User) -> PortalPatient:
    """The service-level view of a signed-in patient."""
    return portal_patient(db, by=Principal(user=user, client_address="test"))


def due_item(db, patient: Patient, instrument_id: str = "phq9") -> schedule.DueQuestionnaire:
    """Return the patient's open item of this questionnaire from the follow-up schedule."""
    items = schedule.due_questionnaires(db, patient_id=patient.id, now=utcnow())
    return next(item for item in items if item.instrument_id == instrument_id)


def start(client, due_id, csrf: str):
    """Press Start on the home page for a due item; returns the redirect response."""
    return client.post(
        f"/portal/due/{due_id}/start", data={"csrf_token": csrf}, follow_redirects=False
    )


def answer(client, location: str, value: int | None, csrf: str, **extra: str):
    """Answer the question at `location` (a questions/N path); returns the redirect response."""
    data = {"csrf_token": csrf, "go": "next", **extra}
    if value is not None:
        data["answer"] = str(value)
    return client.post(location, data=data, follow_redirects=False)


def page_csrf(client, path: str = "/portal") -> str:
    return csrf_from(client.get(path).text)
