"""A patient sees only their own records: another patient's questionnaires, drafts and results do
not exist for them, even by guessing addresses. Staff never use portal pages, and patients never
reach staff pages or the API."""

import pytest
from sqlalchemy import select

from openkap.accounts.signin import service as sessions
from openkap.core.audit.chain import AuditEvent
from openkap.core.deps import SESSION_COOKIE
from openkap.core.models import Role
from openkap.portal.models import PortalAccount
from openkap.portal.staff import service as status
from tests.fixtures.factories import bearer, make_org, make_user, web_login
from tests.portal.builders import (
    PHQ9_ANSWERS,
    answer,
    due_item,
    page_csrf,
    patient_course,
    portal_user,
    staff,
    start,
)


def _two_patients(db):
    org = make_org(db)
    first, second = patient_course(db, org), patient_course(db, org)
    return (
        org,
        (first, portal_user(db, org, first.patient)),
        (second, portal_user(db, org, second.patient)),
    )


def _sent_questionnaire(db, client, course, user):
    """Sign in as the patient, answer and send a PHQ-9; returns (draft path, result path)."""
    client.cookies.clear()
    web_login(client, user.email)
    csrf = page_csrf(client)
    location = start(client, due_item(db, course.patient).id, csrf).headers["location"]
    draft_path = location.rsplit("/questions/", 1)[0]
    for value in PHQ9_ANSWERS:
        location = answer(client, location, value, csrf).headers["location"]
    client.post(location, data={"csrf_token": csrf, "go": "skip"})
    sent = client.post(f"{draft_path}/submit", data={"csrf_token": csrf}, follow_redirects=False)
    return draft_path, sent.headers["location"]


def test_another_patients_records_are_not_found_by_url_guessing(db, client):
    _, (first, first_user), (_second, second_user) = _two_patients(db)
    draft_path, result_path = _sent_questionnaire(db, client, first, first_user)
    other_due = due_item(db, first.patient, "gad7")
    client.cookies.clear()
    web_login(client, second_user.email)
    csrf = page_csrf(client)
    for path in (
        f"{draft_path}/questions/1",
        f"{draft_path}/review",
        f"{draft_path}/support",
        result_path,
    ):
        assert client.get(path).status_code == 404, path
    assert (
        client.post(
            f"{draft_path}/questions/1", data={"csrf_token": csrf, "answer": "1"}
        ).status_code
        == 404
    )
    assert client.post(f"{draft_path}/submit", data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"{draft_path}/support", data={"csrf_token": csrf}).status_code == 404
    assert start(client, other_due.id, csrf).status_code == 404


def test_progress_and_sessions_show_only_the_patients_own(db, client):
    _, (first, first_user), (_second, second_user) = _two_patients(db)
    _sent_questionnaire(db, client, first, first_user)
    client.cookies.clear()
    web_login(client, second_user.email)
    progress = client.get("/portal/progress")
    assert "You have no scores yet" in progress.text
    assert "<svg" not in progress.text
    client.cookies.clear()
    web_login(client, first_user.email)
    assert "<svg" in client.get("/portal/progress").text


def test_staff_cannot_use_portal_pages(db, client):
    org, (first, first_user), _ = _two_patients(db)
    draft_path, result_path = _sent_questionnaire(db, client, first, first_user)
    for role in set(Role) - {Role.patient}:
        client.cookies.clear()
        web_login(client, make_user(db, org, role).email)
        for path in ("/portal", "/portal/progress", result_path, f"{draft_path}/review"):
            assert client.get(path).status_code == 403, (role, path)


def test_a_staff_account_that_also_holds_the_patient_role_is_refused(db, client):
    org = make_org(db)
    course = patient_course(db, org)
    both = make_user(db, org, Role.nurse, Role.patient)
    db.add(PortalAccount(organization_id=org.id, patient_id=course.patient.id, user_id=both.id))
    db.flush()
    web_login(client, both.email)
    refused = client.get("/portal")
    assert refused.status_code == 403
    assert "staff accounts cannot open it" in refused.text


def test_a_patient_account_without_a_linked_record_gets_not_found(db, client):
    org = make_org(db)
    web_login(client, make_user(db, org, Role.patient).email)
    page = client.get("/portal")
    assert page.status_code == 404
    assert "Ask your clinic for an invitation" in page.text


@pytest.mark.parametrize(
    "path",
    ["/patients", "/admin/users", "/rems-forms", "/inventory", "/admin/portal-settings"],
)
def test_patients_never_reach_staff_pages(db, client, path):
    org = make_org(db)
    course = patient_course(db, org)
    web_login(client, portal_user(db, org, course.patient).email)
    assert client.get(path).status_code == 403
    assert client.get(f"/patients/{course.patient.id}/portal").status_code == 403
    assert client.get(f"/patients/{course.patient.id}").status_code == 403


def test_patients_never_reach_the_staff_api(db, client):
    org = make_org(db)
    course = patient_course(db, org)
    headers = bearer(db, portal_user(db, org, course.patient))
    for path in (
        f"/api/v1/patients/{course.patient.id}",
        f"/api/v1/patients/{course.patient.id}/portal",
        "/api/v1/patients",
    ):
        assert client.get(path, headers=headers).status_code == 403, path
    invited = client.post(
        f"/api/v1/patients/{course.patient.id}/portal-invitations", json={}, headers=headers
    )
    assert invited.status_code == 403


def test_a_closed_account_can_no_longer_sign_in(db, client):
    org = make_org(db)
    course = patient_course(db, org)
    user = portal_user(db, org, course.patient)
    _, cookie = sessions.start_web_session(db, user=user, client_address="t", mfa_passed=True)
    status.close_portal(
        db,
        patient_id=course.patient.id,
        reason="Phone lost; new link to follow.",
        by=staff(db, org, Role.nurse),
    )
    db.flush()
    client.cookies.set(SESSION_COOKIE, cookie)
    assert client.get("/portal", follow_redirects=False).status_code == 303


def test_every_portal_read_is_audited_with_the_patient(db, client):
    org = make_org(db)
    course = patient_course(db, org)
    web_login(client, portal_user(db, org, course.patient).email)
    for path in ("/portal", "/portal/sessions", "/portal/plan", "/portal/progress"):
        assert client.get(path).status_code == 200
    actions = set(
        db.scalars(
            select(AuditEvent.action).where(AuditEvent.patient_id == course.patient.id)
        ).all()
    )
    expected = {"questionnaires", "sessions", "integration_plan", "scores"}
    assert {f"portal.{what}.read" for what in expected} <= actions
