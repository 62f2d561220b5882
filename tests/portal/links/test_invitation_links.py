"""Invitation links: made by staff, shown once, stored only as a hash; single use, expiring,
refused with a clear page (never a 500) when expired, used, tampered with or replaced."""

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from openkap.accounts.signin.service import authenticate
from openkap.core.audit.chain import AuditEvent
from openkap.core.models import Role, User
from openkap.core.time import clock_set_to, utcnow
from openkap.portal.errors import InvalidPortalInput, LinkRefused
from openkap.portal.links import service as links
from openkap.portal.models import PortalAccount, PortalLink
from openkap.portal.schemas import SettingsInput
from openkap.portal.settings.service import save_portal_settings
from tests.fixtures.factories import csrf_from, make_org, make_patient
from tests.portal.builders import staff

NEW_PASSWORD = "a long enough secret phrase"


def _invite(db, org=None, **patient_fields):
    org = org or make_org(db)
    patient = make_patient(db, org, **patient_fields)
    nurse = staff(db, org, Role.nurse)
    invitation = links.invite_patient(db, patient_id=patient.id, email="pat@example.org", by=nurse)
    db.flush()
    return org, patient, nurse, invitation


def _press(client, path: str, **fields):
    page = client.get(path)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    data = {"csrf_token": token.group(1) if token else "", "action": "open", **fields}
    return client.post(path, data=data, follow_redirects=False)


def test_an_invitation_creates_a_patient_only_account_and_stores_only_the_links_hash(db):
    _, patient, _, invitation = _invite(db)
    account = db.scalars(select(PortalAccount).where(PortalAccount.patient_id == patient.id)).one()
    user = db.get(User, account.user_id)
    assert user.roles == frozenset({Role.patient})
    assert user.email == "pat@example.org"
    link = db.get(PortalLink, (patient.organization_id, invitation.link.id))
    assert link.token_hash == hashlib.sha256(invitation.token.encode()).hexdigest()
    assert invitation.token not in str(link.__dict__)
    assert len(invitation.token) >= 43
    assert invitation.path == f"/portal/start/{invitation.token}"


def test_links_expire_after_72_hours_by_default_and_the_clinic_may_change_it(db):
    org, patient, nurse, invitation = _invite(db)
    lifetime = invitation.link.expires_at - invitation.link.created_at
    assert timedelta(hours=71, minutes=59) < lifetime <= timedelta(hours=72)
    data = SettingsInput(
        crisis_message="Call 988 or 911 in an emergency.",
        link_expiry_hours=24,
        preparation_instructions="Fast for 4 hours.",
        change_reason="Shorter links for our clinic",
    )
    save_portal_settings(db, data=data, by=staff(db, org, Role.admin))
    again = links.invite_patient(db, patient_id=patient.id, email=None, by=nurse)
    assert again.link.expires_at - utcnow() <= timedelta(hours=24)


def test_opening_the_page_does_not_use_the_link_up(db, client):
    _, _, _, invitation = _invite(db)
    for _ in range(3):
        assert client.get(invitation.path).status_code == 200
    assert db.get(PortalLink, (invitation.link.organization_id, invitation.link.id)).used_at is None


def test_the_link_opens_the_portal_once_and_is_refused_the_second_time(db, client):
    _, _patient, _, invitation = _invite(db)
    used = _press(client, invitation.path)
    assert used.status_code == 303
    assert used.headers["location"] == "/portal"
    assert client.get("/portal").status_code == 200
    client.cookies.clear()
    page = client.get(invitation.path)
    assert page.status_code == 410
    assert "This link was already used" in page.text
    again = client.post(invitation.path, data={"action": "open"})
    assert again.status_code in (403, 410)
    client.cookies.clear()
    assert client.get("/portal", follow_redirects=False).status_code == 303


def test_a_used_link_is_refused_by_the_service_even_with_a_valid_form(db):
    _, _, _, invitation = _invite(db)
    links.use_link(db, token=invitation.token, password=None, client_address="test")
    with pytest.raises(LinkRefused) as refused:
        links.use_link(db, token=invitation.token, password=None, client_address="test")
    assert refused.value.reason == "used"
    assert refused.value.status_code == 410


def test_an_expired_link_is_refused_with_a_clear_page(db, client):
    _, _, _, invitation = _invite(db)
    with clock_set_to(utcnow() + timedelta(hours=72, minutes=1)):
        page = client.get(invitation.path)
        assert page.status_code == 410
        assert "This link has expired" in page.text
        assert "Ask your clinic for a new one." in page.text
        with pytest.raises(LinkRefused):
            links.use_link(db, token=invitation.token, password=None, client_address="test")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: token[:20],
        lambda token: token + "x",
        lambda token: "x" * 300,
        lambda token: "%00",
    ],
    ids=["changed", "cut", "extended", "long", "nul"],
)
def test_a_tampered_link_is_not_found_with_a_clear_page(db, client, tamper):
    _, _, _, invitation = _invite(db)
    page = client.get("/portal/start/" + tamper(invitation.token))
    assert page.status_code == 404
    assert "This link is not valid" in page.text


def test_a_new_invitation_replaces_the_earlier_unused_link(db, client):
    _, patient, nurse, first = _invite(db)
    links.invite_patient(db, patient_id=patient.id, email=None, by=nurse)
    db.flush()
    page = client.get(first.path)
    assert page.status_code == 410
    assert "replaced or withdrawn" in page.text


def test_the_patient_may_choose_a_password_and_then_sign_in_with_it(db, client):
    _, _, _, invitation = _invite(db)
    used = _press(
        client,
        invitation.path,
        action="password",
        password=NEW_PASSWORD,
        password_confirm=NEW_PASSWORD,
    )
    assert used.status_code == 303
    outcome = authenticate(db, email="pat@example.org", password=NEW_PASSWORD, client_address="t")
    assert outcome.user is not None
    assert outcome.user.roles == frozenset({Role.patient})


def test_a_bad_password_choice_is_shown_beside_the_field_and_the_link_stays_usable(db, client):
    _, _, _, invitation = _invite(db)
    short = _press(
        client, invitation.path, action="password", password="short", password_confirm="short"
    )
    assert short.status_code == 422
    assert "at least 12 characters" in short.text
    assert 'id="e-password"' in short.text
    mismatch = _press(
        client, invitation.path, action="password", password=NEW_PASSWORD, password_confirm="other"
    )
    assert mismatch.status_code == 422
    assert "not the same" in mismatch.text
    assert db.get(PortalLink, (invitation.link.organization_id, invitation.link.id)).used_at is None
    assert _press(client, invitation.path).status_code == 303


def test_without_a_sign_in_e_mail_the_patient_uses_links_only(db, client):
    org = make_org(db)
    patient = make_patient(db, org)
    invitation = links.invite_patient(
        db, patient_id=patient.id, email=None, by=staff(db, org, Role.front_desk)
    )
    db.flush()
    page = client.get(invitation.path)
    assert "Open my questionnaires" in page.text
    assert "choose a password" not in page.text
    with pytest.raises(InvalidPortalInput):
        links.use_link(db, token=invitation.token, password=NEW_PASSWORD, client_address="t")


def test_a_sign_in_e_mail_already_used_by_another_account_is_refused(db):
    org, _patient, nurse, _ = _invite(db)
    other = make_patient(db, org)
    with pytest.raises(InvalidPortalInput) as refused:
        links.invite_patient(db, patient_id=other.id, email="pat@example.org", by=nurse)
    assert refused.value.field == "email"


def test_refused_and_used_links_are_audited_with_the_patient(db, client):
    _, patient, _, invitation = _invite(db)
    _press(client, invitation.path)
    client.cookies.clear()
    client.get(invitation.path)
    actions = db.scalars(select(AuditEvent.action).where(AuditEvent.patient_id == patient.id)).all()
    assert "portal.link.used" in actions
    assert "portal.link.refused" in actions


def test_the_link_form_needs_its_csrf_cookie(db, client):
    _, _, _, invitation = _invite(db)
    page = client.get(invitation.path)
    client.cookies.clear()
    refused = client.post(
        invitation.path, data={"csrf_token": csrf_from(page.text), "action": "open"}
    )
    assert refused.status_code == 403


def test_two_presses_racing_for_one_link_let_only_one_in(db):
    _, _, _, invitation = _invite(db)
    links.open_link(db, token=invitation.token, client_address="test")
    # The other request spends the link between this one's check and its own update.
    db.execute(
        update(PortalLink)
        .where(PortalLink.id == invitation.link.id)
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(LinkRefused) as refused:
        links.use_link(db, token=invitation.token, password=None, client_address="test")
    assert refused.value.reason == "used"
