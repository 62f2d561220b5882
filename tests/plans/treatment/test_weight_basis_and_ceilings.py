"""The plan's dosing weight (actual or adjusted body weight) and each route's mg ceiling."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openkap.core.models import Role
from openkap.plans.errors import DoseAboveRouteCeiling, HeightRequired
from openkap.plans.models import ProtocolTemplate, Route, TreatmentPlan
from openkap.plans.treatment.body_weight import (
    DosingWeight,
    ideal_body_weight,
    weight_basis,
)
from openkap.plans.treatment.ceilings import ROUTE_CEILINGS, check_route_ceiling
from openkap.plans.treatment.defaults import default_template_values
from openkap.plans.treatment.doses import calculate_dose
from tests.fixtures.factories import bearer, make_org, make_patient, make_user, web_login
from tests.plans.builders import NEXT_MONDAY, make_plan, screened_episode, weigh


def test_devine_ideal_body_weight_by_sex_and_height():
    assert ideal_body_weight(Decimal(175), "male") == Decimal("70.5")  # 50 + 2.3 x 8.9 in
    assert ideal_body_weight(Decimal(175), "female") == Decimal("66.0")
    assert ideal_body_weight(Decimal(175), "unknown") == Decimal("66.0")  # the lower base
    assert ideal_body_weight(Decimal(140), "female") == Decimal("45.5")  # not below 5 feet


def test_adjusted_body_weight_adds_four_tenths_of_the_excess():
    basis = weight_basis(
        DosingWeight.adjusted, actual_kg=Decimal(102), height_cm=Decimal(175), sex_at_birth="male"
    )
    assert basis.dosing_kg == Decimal("83.1")  # 70.5 + 0.4 x 31.5
    assert "adjusted body weight 83.1 kg" in basis.explanation()


def test_adjusted_body_weight_never_exceeds_the_actual_weight():
    basis = weight_basis(
        DosingWeight.adjusted, actual_kg=Decimal(55), height_cm=Decimal(175), sex_at_birth="male"
    )
    assert basis.dosing_kg == Decimal(55)


def test_adjusted_body_weight_without_a_height_is_refused():
    with pytest.raises(HeightRequired, match="height"):
        weight_basis(
            DosingWeight.adjusted, actual_kg=Decimal(90), height_cm=None, sex_at_birth="female"
        )


def test_every_route_has_a_ceiling_with_a_source():
    assert set(ROUTE_CEILINGS) == set(Route)
    assert all(ceiling.source for ceiling in ROUTE_CEILINGS.values())
    assert [ROUTE_CEILINGS[r].max_mg for r in Route] == [150, 200, 84, 450]


def test_a_dose_above_the_route_ceiling_is_refused_naming_it():
    check_route_ceiling(route="iv", dose_mg=Decimal(150))
    with pytest.raises(DoseAboveRouteCeiling) as refused:
        check_route_ceiling(route="iv", dose_mg=Decimal("150.5"))
    assert "150.5 mg" in refused.value.message
    assert "ceiling for the iv route of 150 mg" in refused.value.message
    assert refused.value.status_code == 422


def test_calculating_a_dose_above_the_route_ceiling_is_refused():
    template = ProtocolTemplate(version=1, **default_template_values("iv_racemic"))
    with pytest.raises(DoseAboveRouteCeiling, match="150 mg"):
        calculate_dose(template, age=40, weight_kg=Decimal(320))  # 0.5 mg/kg = 160 mg


# Plans through the service and the API.


@pytest.fixture
def heavy(db):
    org = make_org(db)
    prescriber = make_user(db, org, Role.prescriber)
    patient = make_patient(db, org, sex_at_birth="male")
    weigh(db, patient, "160.0", days_ago=2)
    return prescriber, patient, screened_episode(db, org, patient=patient)


def create(client, db, user, episode, **body):
    payload = {"template_key": "iv_racemic", "start_on": NEXT_MONDAY.isoformat(), **body}
    return client.post(
        f"/api/v1/episodes/{episode.id}/plans", json=payload, headers=bearer(db, user)
    )


def plans_of(db, episode):
    return db.scalar(
        select(func.count())
        .select_from(TreatmentPlan)
        .where(TreatmentPlan.episode_id == episode.id)
    )


def test_plan_whose_maximum_is_above_the_route_ceiling_is_refused_by_the_service(db, heavy):
    prescriber, _, episode = heavy
    with pytest.raises(DoseAboveRouteCeiling, match="plan's maximum dose of 160 mg"):
        make_plan(db, prescriber, episode)  # 1.0 mg/kg x 160 kg
    assert plans_of(db, episode) == 0


def test_api_refuses_the_plan_with_422_naming_the_ceiling(db, client, heavy):
    prescriber, _, episode = heavy
    refused = create(client, db, prescriber, episode)
    assert refused.status_code == 422
    assert refused.json()["error"] == "DoseAboveRouteCeiling"
    assert "150 mg" in refused.json()["detail"]
    assert plans_of(db, episode) == 0


def test_adjusted_body_weight_plan_doses_by_it_and_stays_under_the_ceiling(db, client, heavy):
    prescriber, patient, episode = heavy
    patient.height_cm = Decimal(180)
    db.flush()
    made = create(client, db, prescriber, episode, dosing_weight="adjusted")
    assert made.status_code == 201, made.text
    plan = made.json()
    # IBW 50 + 2.3 x 10.87 in = 75.0 kg; ABW = 75.0 + 0.4 x 85.0 = 109.0 kg
    assert plan["dosing_weight"] == "adjusted"
    assert Decimal(plan["dosing_weight_kg"]) == Decimal("109.0")
    assert Decimal(plan["weight_kg"]) == Decimal("160.0")
    assert Decimal(plan["start_dose_mg"]) == Decimal("54.5")
    assert Decimal(plan["max_dose_mg"]) == Decimal(109)
    assert "adjusted body weight 109.0 kg" in plan["dose_calculation"]


def test_api_refuses_an_adjusted_weight_plan_without_a_height(db, client, heavy):
    prescriber, _, episode = heavy
    refused = create(client, db, prescriber, episode, dosing_weight="adjusted")
    assert refused.status_code == 409
    assert refused.json()["error"] == "HeightRequired"
    assert plans_of(db, episode) == 0


def test_a_revision_keeps_the_dosing_weight(db, client, heavy):
    prescriber, patient, episode = heavy
    patient.height_cm = Decimal(180)
    db.flush()
    plan = make_plan(db, prescriber, episode, dosing_weight="adjusted")
    revised = client.post(
        f"/api/v1/plans/{plan.id}/revisions",
        json={"change_reason": "Start one week later."},
        headers=bearer(db, prescriber),
    )
    assert revised.status_code == 201, revised.text
    assert revised.json()["dosing_weight"] == "adjusted"


def test_signing_a_plan_above_the_route_ceiling_is_refused(db, client, heavy):
    prescriber, patient, episode = heavy
    patient.height_cm = Decimal(180)
    db.flush()
    plan = make_plan(db, prescriber, episode, dosing_weight="adjusted")
    plan.max_dose_mg = Decimal(160)  # as a plan made before the ceilings would be
    db.flush()
    refused = client.post(f"/api/v1/plans/{plan.id}/sign", headers=bearer(db, prescriber))
    assert refused.status_code == 422
    assert "ceiling for the iv route of 150 mg" in refused.json()["detail"]


def test_plan_page_creates_an_adjusted_weight_plan_and_explains_a_refusal(db, client, heavy):
    prescriber, patient, episode = heavy
    csrf = web_login(client, prescriber.email)
    form = {
        "template_key": "iv_racemic",
        "start_on": NEXT_MONDAY.isoformat(),
        "dosing_weight": "adjusted",
        "csrf_token": csrf,
    }
    refused = client.post(f"/episodes/{episode.id}/plan", data=form)
    assert refused.status_code == 409
    assert "needs the patient&#39;s height" in refused.text
    patient.height_cm = Decimal(180)
    db.flush()
    made = client.post(f"/episodes/{episode.id}/plan", data=form, follow_redirects=False)
    assert made.status_code == 303
    page = client.get(f"/episodes/{episode.id}/plan").text
    assert "adjusted body weight: 109.0 kg (height 180.0 cm)" in page
