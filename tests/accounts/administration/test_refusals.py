"""Refused requests are audited (403, and 404 for another clinic's record), rate-limited per user,
and a user refused again and again raises an alert that administrators see and acknowledge."""

from datetime import timedelta

from sqlalchemy import func, select

from openkap.accounts.administration import refusals
from openkap.core.audit.chain import AuditEvent
from openkap.core.models import Role, SecurityAlert
from openkap.core.time import clock_set_to, utcnow
from tests.fixtures.factories import bearer, csrf_from, make_org, make_patient, make_user, web_login


def _refused(db, user):
    db.flush()
    return list(
        db.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.user_id == user.id, AuditEvent.action == "access.refused")
            .order_by(AuditEvent.seq)
        )
    )


def test_a_403_on_the_api_is_audited_with_what_was_asked_and_from_where(db, client):
    nurse = make_user(db, make_org(db), Role.nurse)
    assert client.get("/api/v1/users", headers=bearer(db, nurse)).status_code == 403
    assert _refused(db, nurse) == ["403 GET /api/v1/users"]
    address = db.scalar(
        select(AuditEvent.client_address).where(AuditEvent.action == "access.refused")
    )
    assert address == "testclient"


def test_another_clinics_record_is_a_404_and_audited(db, client):
    nurse = make_user(db, make_org(db), Role.nurse)
    elsewhere = make_patient(db, make_org(db))
    path = f"/api/v1/patients/{elsewhere.id}"
    assert client.get(path, headers=bearer(db, nurse)).status_code == 404
    assert _refused(db, nurse) == [f"404 GET {path}"]


def test_a_refused_page_is_audited(db, client):
    researcher = make_user(db, make_org(db), Role.researcher)
    web_login(client, researcher.email)
    assert client.get("/patients").status_code == 403
    assert _refused(db, researcher) == ["403 GET /patients"]


def test_a_flood_is_audited_up_to_the_limit_and_raises_one_alert(db, client):
    org = make_org(db)
    nurse, admin = make_user(db, org, Role.nurse), make_user(db, org, Role.admin)
    heads = bearer(db, nurse)
    for _ in range(refusals.AUDITED_PER_WINDOW + 5):
        assert client.get("/api/v1/users", headers=heads).status_code == 403
    assert len(_refused(db, nurse)) == refusals.AUDITED_PER_WINDOW
    alerts = client.get("/api/v1/security-alerts", headers=bearer(db, admin)).json()
    assert [(a["user_id"], a["kind"]) for a in alerts] == [(str(nurse.id), "repeated_refusals")]
    assert "10 refused requests within 10 minutes" in alerts[0]["detail"]


def test_the_window_moves_on(db, client):
    nurse = make_user(db, make_org(db), Role.nurse)
    heads = bearer(db, nurse)
    start = utcnow()
    with clock_set_to(start):
        for _ in range(refusals.AUDITED_PER_WINDOW + 1):
            client.get("/api/v1/users", headers=heads)
    later = start + refusals.WINDOW + timedelta(seconds=1)
    with clock_set_to(later):
        heads = bearer(db, nurse)
        client.get("/api/v1/users", headers=heads)
    assert len(_refused(db, nurse)) == refusals.AUDITED_PER_WINDOW + 1


def test_administrators_see_and_acknowledge_alerts_on_the_users_page(db, client):
    org = make_org(db)
    nurse, admin = make_user(db, org, Role.nurse), make_user(db, org, Role.admin)
    db.add(
        SecurityAlert(
            organization_id=org.id,
            kind="repeated_refusals",
            user_id=nurse.id,
            detail="10 refused requests within 10 minutes; last: 403 GET /x",
        )
    )
    db.flush()
    web_login(client, admin.email)
    page = client.get("/admin/users")
    assert "Security alerts" in page.text
    assert f"{nurse.full_name}: 10 refused requests" in page.text
    alert_id = db.scalar(select(SecurityAlert.id))
    done = client.post(
        f"/admin/security-alerts/{alert_id}/acknowledge",
        data={"csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Security alerts" not in client.get("/admin/users").text
    open_left = db.scalar(
        select(func.count())
        .select_from(SecurityAlert)
        .where(SecurityAlert.acknowledged_at.is_(None))
    )
    assert open_left == 0
