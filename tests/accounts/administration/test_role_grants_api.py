"""Role grants through the JSON API and the administrators' users page."""

from sqlalchemy import select

from openkap.core.audit.chain import AuditEvent
from openkap.core.models import Role, RoleGrant, User
from tests.fixtures.factories import bearer, csrf_from, make_org, make_user, web_login


def _actions(db, action):
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _put_roles(client, headers, user, roles):
    return client.put(
        f"/api/v1/users/{user.id}", json={"roles": roles, "is_active": True}, headers=headers
    )


def test_api_refuses_and_audits_a_change_of_ones_own_roles(db, client):
    admin = make_user(db, make_org(db), Role.admin)
    response = _put_roles(client, bearer(db, admin), admin, ["admin", "prescriber"])
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "SelfRoleChange"
    db.expire_all()
    assert db.get(User, admin.id).roles == {Role.admin}
    assert [e.user_id for e in _actions(db, "user.roles_refused")] == [admin.id]


def test_api_single_administrator_grant_is_in_force_audited_and_listed(db, client):
    org = make_org(db)
    admin, nurse = make_user(db, org, Role.admin), make_user(db, org, Role.nurse)
    headers = bearer(db, admin)
    response = _put_roles(client, headers, nurse, ["nurse", "prescriber"])
    assert response.status_code == 200
    assert set(response.json()["roles"]) == {"nurse", "prescriber"}
    [listed] = client.get("/api/v1/role-grants", headers=headers).json()
    assert (listed["role"], listed["status"], listed["user_id"]) == (
        "prescriber",
        "immediate",
        str(nurse.id),
    )
    assert len(_actions(db, "role.grant_immediate")) == 1


def test_api_grant_waits_for_a_second_administrator(db, client):
    org = make_org(db)
    admin, second = make_user(db, org, Role.admin), make_user(db, org, Role.admin)
    nurse = make_user(db, org, Role.nurse)
    asked = _put_roles(client, bearer(db, admin), nurse, ["nurse", "prescriber"])
    assert asked.json()["roles"] == ["nurse"]
    [grant] = client.get("/api/v1/role-grants", headers=bearer(db, second)).json()
    assert grant["status"] == "pending"
    # A pending grant gives no permission: the nurse still cannot sign plans or read the grants.
    assert client.get("/api/v1/role-grants", headers=bearer(db, nurse)).status_code == 403
    own = client.post(f"/api/v1/role-grants/{grant['id']}/approve", headers=bearer(db, admin))
    assert own.status_code == 403
    assert own.json()["error"] == "SecondApproverRequired"
    approved = client.post(f"/api/v1/role-grants/{grant['id']}/approve", headers=bearer(db, second))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    db.expire_all()
    assert db.get(User, nurse.id).roles == {Role.nurse, Role.prescriber}
    assert len(_actions(db, "role.grant_pending")) == len(_actions(db, "role.grant_approved")) == 1
    again = client.post(f"/api/v1/role-grants/{grant['id']}/approve", headers=bearer(db, second))
    assert again.status_code == 409


def test_api_declined_grant_gives_no_role(db, client):
    org = make_org(db)
    admin, second = make_user(db, org, Role.admin), make_user(db, org, Role.admin)
    nurse = make_user(db, org, Role.nurse)
    _put_roles(client, bearer(db, admin), nurse, ["admin"])
    grant = db.scalars(select(RoleGrant).where(RoleGrant.user_id == nurse.id)).one()
    declined = client.post(f"/api/v1/role-grants/{grant.id}/decline", headers=bearer(db, second))
    assert declined.json()["status"] == "declined"
    db.expire_all()
    assert db.get(User, nurse.id).roles == frozenset()


def test_page_shows_every_administrator_the_pending_grant_and_the_second_one_approves(db, client):
    org = make_org(db)
    admin, second = make_user(db, org, Role.admin), make_user(db, org, Role.admin)
    nurse = make_user(db, org, Role.nurse)
    csrf = web_login(client, admin.email)
    asked = client.post(
        f"/admin/users/{nurse.id}",
        data={"roles": ["nurse", "prescriber"], "is_active": "on", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert asked.status_code == 303
    grant = db.scalars(select(RoleGrant).where(RoleGrant.user_id == nurse.id)).one()
    page = client.get("/admin/users").text
    assert f'id="grant-{grant.id}"' in page
    assert "awaiting approval" in page
    assert f"/admin/role-grants/{grant.id}/approve" not in page  # not for the one who asked
    refused = client.post(f"/admin/role-grants/{grant.id}/approve", data={"csrf_token": csrf})
    assert refused.status_code == 403
    client.cookies.clear()
    csrf = web_login(client, second.email)
    page = client.get("/admin/users").text
    assert f"/admin/role-grants/{grant.id}/approve" in page
    done = client.post(
        f"/admin/role-grants/{grant.id}/approve",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    db.expire_all()
    assert Role.prescriber in db.get(User, nurse.id).roles
    assert "approved" in client.get("/admin/users").text


def test_page_refuses_a_change_of_ones_own_roles(db, client):
    admin = make_user(db, make_org(db), Role.admin)
    csrf = web_login(client, admin.email)
    response = client.post(
        f"/admin/users/{admin.id}",
        data={"roles": ["admin", "prescriber"], "is_active": "on", "csrf_token": csrf},
    )
    assert response.status_code == 403
    assert "cannot change your own roles" in response.text
    assert len(_actions(db, "user.roles_refused")) == 1
    assert csrf_from(response.text)
