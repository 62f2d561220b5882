"""Role grants: nobody changes their own roles; admin and prescriber grants are audited, shown
to every administrator and, where a second administrator can approve them, wait for approval."""

import pytest
from sqlalchemy import select

from openkap.accounts.administration import grants
from openkap.accounts.errors import GrantNotPending, SecondApproverRequired, SelfRoleChange
from openkap.accounts.service import create_user, update_user
from openkap.core.audit.chain import AuditEvent
from openkap.core.database.tenancy import bind_tenant
from openkap.core.db import commit_or_rollback, session_factory
from openkap.core.models import GrantStatus, Role, RoleGrant, User
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from tests.fixtures.factories import make_org, make_user


def _as(db, user):
    bind_tenant(db, user.organization_id)
    return Principal(user=user, client_address="test")


def _events(db, action):
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


@pytest.fixture
def org(db):
    return make_org(db)


@pytest.fixture
def admin(db, org):
    return make_user(db, org, Role.admin)


def test_no_one_may_change_their_own_roles_and_the_refusal_is_audited(db, connection, admin):
    db.flush()
    work = session_factory(connection)()
    me = work.get(User, admin.id)
    with pytest.raises(SelfRoleChange) as refused:
        update_user(
            work,
            user=me,
            roles=[Role.admin, Role.prescriber],
            is_active=True,
            by=_as(work, me),
        )
    assert refused.value.status_code == 403
    commit_or_rollback(work, failed=True)
    db.expire_all()
    assert db.get(User, admin.id).roles == {Role.admin}
    [event] = _events(db, "user.roles_refused")
    assert event.user_id == admin.id
    assert "admin,prescriber" in event.detail


def test_saving_ones_own_unchanged_roles_is_not_a_change(db, admin):
    update_user(db, user=admin, roles=[Role.admin], is_active=True, by=_as(db, admin))
    assert admin.roles == {Role.admin}


def test_with_a_single_administrator_a_grant_is_in_force_at_once_and_audited(db, org, admin):
    nurse = make_user(db, org, Role.nurse)
    [grant] = grants.set_roles(
        db, user=nurse, roles=[Role.nurse, Role.prescriber], by=_as(db, admin)
    )
    assert grant.status == GrantStatus.immediate
    assert nurse.roles == {Role.nurse, Role.prescriber}
    assert grants.list_grants(db, by=_as(db, admin)) == [grant]


def test_with_two_administrators_a_grant_waits_and_gives_no_permission(db, org, admin):
    second = make_user(db, org, Role.admin)
    nurse = make_user(db, org, Role.nurse)
    [grant] = grants.set_roles(
        db, user=nurse, roles=[Role.nurse, Role.prescriber], by=_as(db, admin)
    )
    assert grant.status == GrantStatus.pending
    assert nurse.roles == {Role.nurse}
    assert not allows(nurse.roles, Permission.plan_sign)
    assert grants.list_grants(db, by=_as(db, second)) == [grant]
    grants.approve_grant(db, grant_id=grant.id, by=_as(db, second))
    assert grant.status == GrantStatus.approved
    assert grant.decided_by_id == second.id
    assert nurse.roles == {Role.nurse, Role.prescriber}


@pytest.mark.parametrize("who", ["asker", "grantee"])
def test_the_asker_or_the_grantee_cannot_approve(db, org, admin, who):
    make_user(db, org, Role.admin)
    grantee = make_user(db, org, Role.admin)
    [grant] = grants.set_roles(
        db, user=grantee, roles=[Role.admin, Role.prescriber], by=_as(db, admin)
    )
    assert grant.status == GrantStatus.pending
    approver = admin if who == "asker" else grantee
    with pytest.raises(SecondApproverRequired):
        grants.approve_grant(db, grant_id=grant.id, by=_as(db, approver))
    assert grant.status == GrantStatus.pending
    assert Role.prescriber not in grantee.roles


def test_when_the_only_other_administrator_is_the_grantee_the_grant_is_in_force(db, org, admin):
    grantee = make_user(db, org, Role.admin)
    [grant] = grants.set_roles(
        db, user=grantee, roles=[Role.admin, Role.prescriber], by=_as(db, admin)
    )
    assert grant.status == GrantStatus.immediate
    assert Role.prescriber in grantee.roles


def test_an_inactive_administrator_does_not_count_as_a_second_one(db, org, admin):
    make_user(db, org, Role.admin).is_active = False
    nurse = make_user(db, org, Role.nurse)
    [grant] = grants.set_roles(db, user=nurse, roles=[Role.admin], by=_as(db, admin))
    assert grant.status == GrantStatus.immediate


def test_creating_a_user_with_a_privileged_role_goes_through_the_grant(db, org, admin):
    make_user(db, org, Role.admin)
    user = create_user(
        db,
        organization_id=org.id,
        email="new.prescriber@example.org",
        full_name="New Prescriber",
        password="a long starter password",
        roles=[Role.prescriber, Role.therapist],
        by=_as(db, admin),
    )
    assert user.roles == {Role.therapist}
    [grant] = db.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id)).all()
    assert (grant.role, grant.status) == ("prescriber", "pending")


def test_other_roles_change_at_once_and_asking_twice_keeps_one_grant(db, org, admin):
    make_user(db, org, Role.admin)
    user = make_user(db, org, Role.nurse)
    by = _as(db, admin)
    first = grants.set_roles(db, user=user, roles=[Role.therapist, Role.admin], by=by)
    again = grants.set_roles(db, user=user, roles=[Role.therapist, Role.admin], by=by)
    assert first == again
    assert user.roles == {Role.therapist}


def test_a_declined_grant_gives_nothing_and_cannot_be_approved_later(db, org, admin):
    second = make_user(db, org, Role.admin)
    nurse = make_user(db, org, Role.nurse)
    [grant] = grants.set_roles(db, user=nurse, roles=[Role.prescriber], by=_as(db, admin))
    grants.decline_grant(db, grant_id=grant.id, by=_as(db, admin))
    assert grant.status == GrantStatus.declined
    with pytest.raises(GrantNotPending):
        grants.approve_grant(db, grant_id=grant.id, by=_as(db, second))
    assert Role.prescriber not in nurse.roles


def test_a_clinics_set_up_grants_its_first_administrator_at_once(db, org):
    user = create_user(
        db,
        organization_id=org.id,
        email="first.admin@example.org",
        full_name="First Admin",
        password="a long starter password",
        roles=[Role.admin],
        by=None,
    )
    assert user.roles == {Role.admin}
    grant = db.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id)).one()
    assert (grant.status, grant.requested_by_id) == ("immediate", None)
