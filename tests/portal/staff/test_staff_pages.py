"""Staff invite a patient (the link is shown once), see the portal status, close access; the clinic
administrator changes the portal settings. Pages and the JSON API."""

import re

from sqlalchemy import select

from openkap.core.audit.chain import AuditEvent
from openkap.core.config import get_settings
from openkap.core.models import Role
from openkap.portal.models import PortalLink, PortalSettings
from tests.fixtures.factories import bearer, csrf_from, make_org, make_patient, make_user, web_login

LINK = re.compile(r'<code class="secret" id="invitation-url">([^<]+/portal/start/[^<]+)</code>')


def _base() -> str:
    """The configured public address links are built from (read when the test runs)."""
    return get_settings().public_base_url


def _staff_client(db, client, role=Role.front_desk):
    org = make_org(db)
    patient = make_patient(db, org, email="noor@example.org")
    web_login(client, make_user(db, org, role).email)
    return org, patient


def test_staff_invite_from_the_status_page_and_see_the_link_only_once(db, client):
    _, patient = _staff_client(db, client)
    page = client.get(f"/patients/{patient.id}/portal")
    assert page.status_code == 200
    assert "Not invited yet" in page.text
    assert 'value="noor@example.org"' in page.text
    made = client.post(
        f"/patients/{patient.id}/portal/invitations",
        data={"csrf_token": csrf_from(page.text), "email": "noor@example.org"},
    )
    assert made.status_code == 200
    url = LINK.search(made.text).group(1)
    assert url.startswith(f"{_base()}/portal/start/")
    assert "shown only this once" in made.text
    again = client.get(f"/patients/{patient.id}/portal")
    assert url not in again.text
    assert "Open" in again.text
    assert "Live" in again.text
    client.cookies.clear()
    assert client.get(url.removeprefix(_base())).status_code == 200


def test_a_bad_e_mail_is_shown_beside_the_field(db, client):
    _, patient = _staff_client(db, client)
    page = client.get(f"/patients/{patient.id}/portal")
    refused = client.post(
        f"/patients/{patient.id}/portal/invitations",
        data={"csrf_token": csrf_from(page.text), "email": "not an e-mail"},
    )
    assert refused.status_code == 422
    assert 'id="e-email"' in refused.text
    assert db.scalars(select(PortalLink)).first() is None


def test_closing_access_needs_a_reason_and_stops_the_links(db, client):
    _, patient = _staff_client(db, client, Role.nurse)
    csrf = csrf_from(client.get(f"/patients/{patient.id}/portal").text)
    url = LINK.search(
        client.post(f"/patients/{patient.id}/portal/invitations", data={"csrf_token": csrf}).text
    ).group(1)
    short = client.post(
        f"/patients/{patient.id}/portal/close", data={"csrf_token": csrf, "reason": "no"}
    )
    assert short.status_code == 422
    assert 'id="e-close-reason"' in short.text
    closed = client.post(
        f"/patients/{patient.id}/portal/close",
        data={"csrf_token": csrf, "reason": "Patient asked to stop using the portal."},
        follow_redirects=False,
    )
    assert closed.status_code == 303
    assert "Closed: Patient asked to stop" in client.get(f"/patients/{patient.id}/portal").text
    client.cookies.clear()
    assert client.get(url.removeprefix(_base())).status_code == 410


def test_another_clinics_patient_does_not_exist_for_staff(db, client):
    _staff_client(db, client)
    elsewhere = make_patient(db, make_org(db))
    assert client.get(f"/patients/{elsewhere.id}/portal").status_code == 404


def test_the_api_returns_the_link_once_and_the_status_never_shows_it(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    headers = bearer(db, make_user(db, org, Role.therapist))
    made = client.post(
        f"/api/v1/patients/{patient.id}/portal-invitations",
        json={"email": "api-patient@example.org"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["url"].startswith(f"{_base()}/portal/start/")
    assert body["sign_in_email"] == "api-patient@example.org"
    assert made.headers["cache-control"] == "no-store"
    state = client.get(f"/api/v1/patients/{patient.id}/portal", headers=headers).json()
    assert state["status"] == "active"
    assert state["links"][0]["state"] == "live"
    assert body["url"].rsplit("/", 1)[1] not in str(state)
    bad = client.post(
        f"/api/v1/patients/{patient.id}/portal-invitations", json={"email": "x"}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["name"] == "email"
    closed = client.post(
        f"/api/v1/patients/{patient.id}/portal/close",
        json={"reason": "Moved to another clinic."},
        headers=headers,
    )
    assert closed.json()["status"] == "revoked"
    assert closed.json()["links"][0]["state"] == "revoked"
    again = client.post(
        f"/api/v1/patients/{patient.id}/portal/close",
        json={"reason": "Moved to another clinic."},
        headers=headers,
    )
    assert again.status_code == 409
    audited = db.scalars(select(AuditEvent.action).where(AuditEvent.patient_id == patient.id)).all()
    assert {"portal.invite", "portal.status.read", "portal.close"} <= set(audited)


def test_the_administrator_saves_portal_settings_as_versions(db, client):
    _, _ = _staff_client(db, client, Role.admin)
    page = client.get("/admin/portal-settings")
    assert page.status_code == 200
    assert "The OpenKAP defaults are in force." in page.text
    form = {
        "csrf_token": csrf_from(page.text),
        "base_version": "0",
        "crisis_message": "Call or text 988, or 911 in an emergency. We are here for you.",
        "clinic_phone": "(503) 555-0100",
        "link_expiry_hours": "48",
        "preparation_instructions": "Nothing to eat for 4 hours.\\nBring an escort.",
        "change_reason": "Our clinic's own numbers",
    }
    saved = client.post("/admin/portal-settings", data=form, follow_redirects=False)
    assert saved.status_code == 303
    assert "Version 1 is in force." in client.get("/admin/portal-settings").text
    stale = client.post("/admin/portal-settings", data=form)
    assert stale.status_code == 409
    wrong = client.post(
        "/admin/portal-settings", data={**form, "base_version": "1", "link_expiry_hours": "900"}
    )
    assert wrong.status_code == 422
    assert 'id="e-link_expiry_hours"' in wrong.text
    assert len(db.scalars(select(PortalSettings)).all()) == 1


def test_a_forged_host_header_does_not_change_the_link_sent_to_the_patient(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    made = client.post(
        f"/api/v1/patients/{patient.id}/portal-invitations",
        json={"email": "noor@example.org"},
        headers={**bearer(db, make_user(db, org, Role.therapist)), "Host": "evil.example"},
    )
    assert made.status_code == 201, made.text
    assert made.json()["url"].startswith(f"{_base()}/portal/start/")
    assert "evil.example" not in made.json()["url"]
