"""E-mail uniqueness without enumeration: an e-mail is unique within a clinic, so an administrator
creating a user learns nothing of other clinics' accounts; the password picks the account at
sign-in, and the clinic is asked for only when one password opens two."""

from sqlalchemy import select

from openkap.accounts.signin import service as sessions
from openkap.accounts.witness import confirm_identity
from openkap.core.models import Role, User
from openkap.core.security import hash_password
from tests.fixtures.factories import PASSWORD, bearer, csrf_from, make_org, make_user

OTHER_PASSWORD = "tangerine lighthouse marble violin"


def _new_user(client, db, admin, email, password=OTHER_PASSWORD):
    body = {"email": email, "full_name": "Sam Rivera", "password": password, "roles": ["nurse"]}
    return client.post("/api/v1/users", json=body, headers=bearer(db, admin))


def test_creating_a_user_answers_alike_whether_another_clinic_has_the_email(db, client):
    mine, theirs = make_org(db), make_org(db)
    admin = make_user(db, mine, Role.admin)
    make_user(db, theirs, Role.nurse, email="sam.rivera@example.org")
    taken_elsewhere = _new_user(client, db, admin, "sam.rivera@example.org")
    fresh = _new_user(client, db, admin, "someone.new@example.org")
    assert (taken_elsewhere.status_code, fresh.status_code) == (201, 201)
    assert taken_elsewhere.json().keys() == fresh.json().keys()


def test_the_same_clinic_cannot_have_the_email_twice(db, client):
    org = make_org(db)
    admin = make_user(db, org, Role.admin)
    make_user(db, org, Role.nurse, email="sam.rivera@example.org")
    again = _new_user(client, db, admin, "sam.rivera@example.org")
    assert again.status_code == 409
    assert "A user of this clinic already has" in again.json()["detail"]


def test_the_password_picks_the_account_at_sign_in(db):
    first, second = make_org(db), make_org(db)
    here = make_user(db, first, Role.nurse, email="sam.rivera@example.org")
    there = make_user(db, second, Role.therapist, email="sam.rivera@example.org")
    there.password_hash = hash_password(OTHER_PASSWORD)
    db.flush()
    for password, expected in ((PASSWORD, here), (OTHER_PASSWORD, there)):
        outcome = sessions.authenticate(
            db, email="sam.rivera@example.org", password=password, client_address="t"
        )
        assert outcome.user == expected


def test_one_password_for_two_clinics_asks_which_clinic(db, client):
    first, second = make_org(db), make_org(db)
    make_user(db, first, Role.nurse, email="sam.rivera@example.org")
    there = make_user(db, second, Role.therapist, email="sam.rivera@example.org")
    form = {"username": "sam.rivera@example.org", "password": PASSWORD}
    asked = client.post("/api/v1/auth/token", data=form)
    assert (asked.status_code, asked.json()["error"]) == (409, "ClinicChoiceNeeded")
    assert second.slug in asked.json()["detail"]
    chosen = client.post("/api/v1/auth/token", data={**form, "clinic": second.slug})
    assert chosen.status_code == 200
    me = client.get(
        "/api/v1/me", headers={"Authorization": f"Bearer {chosen.json()['access_token']}"}
    )
    assert me.json()["id"] == str(there.id)


def test_the_sign_in_page_asks_for_the_clinic_when_needed(db, client):
    first, second = make_org(db), make_org(db)
    make_user(db, first, Role.nurse, email="sam.rivera@example.org")
    make_user(db, second, Role.therapist, email="sam.rivera@example.org")
    page = client.get("/login")
    assert 'name="clinic"' not in page.text
    data = {"email": "sam.rivera@example.org", "password": PASSWORD}
    asked = client.post("/login", data={**data, "csrf_token": csrf_from(page.text)})
    assert asked.status_code == 409
    assert 'name="clinic"' in asked.text
    chosen = client.post(
        "/login",
        data={**data, "clinic": first.slug, "csrf_token": csrf_from(asked.text)},
        follow_redirects=False,
    )
    assert chosen.status_code == 303


def test_a_witness_is_looked_up_in_the_recorders_clinic_only(db):
    mine, theirs = make_org(db), make_org(db)
    make_user(db, theirs, Role.nurse, email="witness@example.org")
    witness = make_user(db, mine, Role.nurse, email="witness@example.org")
    identity = confirm_identity(
        db,
        email="witness@example.org",
        password=PASSWORD,
        totp_code=None,
        client_address="t",
        organization_id=mine.id,
    )
    assert identity.user == witness
    assert db.scalar(select(User.organization_id).where(User.id == identity.user.id)) == mine.id
