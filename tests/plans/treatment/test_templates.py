"""Protocol templates: seeded per clinic, changed only by saving new, validated versions."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.plans.models import ProtocolTemplate
from openkap.plans.treatment import templates
from openkap.plans.treatment.defaults import ensure_default_templates
from openkap.plans.treatment.schemas import TemplateVersionCreate
from tests.fixtures.factories import bearer, make_org, make_patient, make_user
from tests.plans.builders import make_plan, principal, screened_episode, weigh


def current(client, db, user, key="iv_racemic"):
    listed = client.get("/api/v1/protocol-templates", headers=bearer(db, user)).json()
    return next(t for t in listed if t["key"] == key)


def test_each_clinic_gets_the_four_default_templates_on_first_use(db, client):
    admin = make_user(db, make_org(db), Role.admin)
    listed = client.get("/api/v1/protocol-templates", headers=bearer(db, admin))
    assert listed.status_code == 200
    assert [t["key"] for t in listed.json()] == [
        "im_racemic",
        "intranasal_esketamine",
        "iv_racemic",
        "sublingual_racemic",
    ]
    iv = next(t for t in listed.json() if t["key"] == "iv_racemic")
    assert iv["infusion_minutes"] == 40
    assert iv["dosing_sessions"] == 6
    assert iv["monitoring_minutes"] == [0, 15, 30, 40, 60, 90, 120]
    assert "ELEKT-D" in iv["source"]


def test_seeding_twice_adds_nothing(db):
    org = make_org(db)
    ensure_default_templates(db, organization_id=org.id)
    ensure_default_templates(db, organization_id=org.id)
    rows = db.scalars(select(ProtocolTemplate).where(ProtocolTemplate.organization_id == org.id))
    assert len(rows.all()) == 4


def test_a_change_is_saved_as_a_new_version_and_the_old_one_is_kept(db, client):
    prescriber = make_user(db, make_org(db), Role.prescriber)
    iv = current(client, db, prescriber)
    response = client.post(
        f"/api/v1/protocol-templates/{iv['id']}/versions",
        json={"change_note": "Clinic caps IV at 0.75 mg/kg", "max_dose": "0.75"},
        headers=bearer(db, prescriber),
    )
    assert response.status_code == 201, response.text
    new = response.json()
    assert new["version"] == 2
    assert Decimal(new["max_dose"]) == Decimal("0.75")
    assert new["change_note"] == "Clinic caps IV at 0.75 mg/kg"
    old = client.get(f"/api/v1/protocol-templates/{iv['id']}", headers=bearer(db, prescriber))
    assert old.json()["is_current"] is False
    assert Decimal(old.json()["max_dose"]) == Decimal("1.0")


def test_a_new_version_must_start_from_the_current_one(db, client):
    admin = make_user(db, make_org(db), Role.admin)
    iv = current(client, db, admin)
    path = f"/api/v1/protocol-templates/{iv['id']}/versions"
    first = client.post(path, json={"change_note": "first"}, headers=bearer(db, admin))
    assert first.status_code == 201
    stale = client.post(path, json={"change_note": "second"}, headers=bearer(db, admin))
    assert stale.status_code == 409
    assert stale.json()["error"] == "StaleTemplate"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"min_dose": "1.0", "max_dose": "0.5"}, "min_dose"),
        ({"start_dose": "0.05"}, "start_dose"),
        ({"max_step": "0"}, "max_step"),
        ({"dose_rounding_mg": "0"}, "dose_rounding_mg"),
        ({"dosing_sessions": 12}, "dosing_sessions"),
        ({"monitoring_minutes": [15, 0]}, "monitoring_minutes"),
        ({"schedule": {"phases": [{"weeks": 2, "per_week": 4}]}}, "schedule.phases.0.per_week"),
        ({"weight_based": False}, "bounds_unit"),
        ({"older_adult_start_dose": "0.75"}, "older_adult_start_dose"),
    ],
)
def test_contradictory_template_values_are_refused_naming_the_field(db, client, changes, field):
    admin = make_user(db, make_org(db), Role.admin)
    iv = current(client, db, admin)
    response = client.post(
        f"/api/v1/protocol-templates/{iv['id']}/versions",
        json={"change_note": "bad", **changes},
        headers=bearer(db, admin),
    )
    assert response.status_code == 422, response.text
    assert field in [f["name"] for f in response.json()["fields"]]


def test_esketamine_template_doses_must_be_whole_devices(db, client):
    admin = make_user(db, make_org(db), Role.admin)
    esk = current(client, db, admin, "intranasal_esketamine")
    response = client.post(
        f"/api/v1/protocol-templates/{esk['id']}/versions",
        json={"change_note": "bad", "max_dose": "90"},
        headers=bearer(db, admin),
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["name"] == "max_dose"


@pytest.mark.parametrize("role", [Role.nurse, Role.therapist, Role.front_desk])
def test_only_admins_and_prescribers_change_templates_even_through_the_service(db, role):
    org = make_org(db)
    user = make_user(db, org, role)
    ensure_default_templates(db, organization_id=org.id)
    template = templates.current_template(db, key="iv_racemic", by=principal(user))
    with pytest.raises(Forbidden):
        templates.new_template_version(
            db,
            template=template,
            data=TemplateVersionCreate(change_note="not mine"),
            by=principal(user),
        )


def test_a_plan_uses_the_current_template_version_and_records_it(db, client):
    org = make_org(db)
    prescriber = make_user(db, org, Role.prescriber)
    iv = current(client, db, prescriber)
    client.post(
        f"/api/v1/protocol-templates/{iv['id']}/versions",
        json={"change_note": "round to 1 mg", "dose_rounding_mg": "1"},
        headers=bearer(db, prescriber),
    )
    patient = make_patient(db, org)
    weigh(db, patient, "71.3")
    plan = make_plan(db, prescriber, screened_episode(db, org, patient=patient))
    assert plan.template_version == 2
    assert plan.start_dose_mg == Decimal(36)


def test_another_clinics_template_is_not_found(db, client):
    admin = make_user(db, make_org(db), Role.admin)
    iv = current(client, db, admin)
    outsider = make_user(db, make_org(db), Role.admin)
    response = client.get(f"/api/v1/protocol-templates/{iv['id']}", headers=bearer(db, outsider))
    assert response.status_code == 404
