"""R8: a catalogue of bad clinical input generated from the bounds the code itself holds (the
plausibility ranges of a clinic's vital-sign rules, the MOAA/S scale, the weight and height
schemas): every value just past a bound is refused (422) with a message naming the field and the
bound, and nothing is written."""

from datetime import date
from decimal import Decimal

import annotated_types
import pytest
from pydantic import BaseModel
from sqlalchemy import func, select

from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.models import VitalSigns
from openkap.dosing.schemas import VitalsCreate
from openkap.dosing.thresholds import MOAAS_RANGE, VITAL_NAMES, VitalThresholds
from openkap.patients.models import WeightMeasurement
from openkap.patients.schemas import HeightSet, WeightCreate
from tests import verification
from tests.dosing.builders import as_role, dosing_started, ready_episode
from tests.fixtures.factories import bearer, make_org, make_patient


def _bounds(model: type[BaseModel]) -> list[tuple[str, object, str]]:
    """Each numeric field's bounds as (field, a value just past it, the bound as written)."""
    cases = []
    for name, field in model.model_fields.items():
        for rule in field.metadata:
            step = Decimal("0.1") if "Decimal" in str(field.annotation) else 1
            if isinstance(rule, annotated_types.Ge):
                cases.append((name, rule.ge - step, str(rule.ge)))
            elif isinstance(rule, annotated_types.Le):
                cases.append((name, rule.le + step, str(rule.le)))
            elif isinstance(rule, annotated_types.Gt):
                cases.append((name, rule.gt, str(rule.gt)))
            elif isinstance(rule, annotated_types.Lt):
                cases.append((name, rule.lt, str(rule.lt)))
    return cases


def _vital_bounds() -> list[tuple[str, object, str]]:
    """Each vital's plausible range in the default clinic rules, and the MOAA/S scale."""
    rules = VitalThresholds()
    cases: list[tuple[str, object, str]] = []
    for vital in VITAL_NAMES:
        plausible = getattr(rules, f"{vital}_plausible")
        cases += [(vital, plausible.low - 1, str(plausible.low))]
        cases += [(vital, plausible.high + 1, str(plausible.high))]
    low, high = MOAAS_RANGE
    return [*cases, ("moaas", low - 1, str(low)), ("moaas", high + 1, str(high))]


VITALS = _vital_bounds()
WEIGHTS = _bounds(WeightCreate)
HEIGHTS = _bounds(HeightSet)
# Each case on both databases.
TARGET = 2 * len(VITALS + WEIGHTS + HEIGHTS)


def test_the_catalogue_covers_every_bounded_field():
    assert {name for name, _, _ in VITALS} == {"sbp", "dbp", "hr", "spo2", "rr", "moaas"}
    assert {name for name, _, _ in _bounds(VitalsCreate)} <= {name for name, _, _ in VITALS}
    assert {name for name, _, _ in WEIGHTS} == {"weight_kg"}
    assert {name for name, _, _ in HEIGHTS} == {"height_cm"}
    assert len(VITALS) == 12


def _count(figures, refused: bool, response) -> None:
    """Count the case toward R8, then fail the test if the input was not refused as it must be."""
    verification.add(figures, "R8", measured=int(refused), target=TARGET, failures=int(not refused))
    assert refused, response.text


def _refused_naming(response, field: str, bound: str) -> bool:
    """A 422 that names the field and the bound, as a field error or in the rule's message."""
    if response.status_code != 422:
        return False
    body = response.json()
    written = bound.rstrip("0").rstrip(".") if "." in bound else bound
    messages = [f["message"] for f in body.get("fields", []) if f["name"].endswith(field)]
    messages += [body["detail"]] if body.get("detail", "").startswith(f"{field} ") else []
    return any(written in message for message in messages)


@pytest.mark.parametrize(("field", "value", "bound"), VITALS, ids=lambda v: str(v))
def test_an_out_of_range_vital_is_refused_naming_the_bound(
    db, client, figures, field, value, bound
):
    org = make_org(db)
    nurse = as_role(db, org, Role.nurse)
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    body = {"client_reading_id": f"r8-{field}", "measured_at": utcnow().isoformat(), field: value}
    before = db.scalar(select(func.count()).where(VitalSigns.session_id == dosing.id))
    response = client.post(
        f"/api/v1/dosing-sessions/{dosing.id}/vitals", json=body, headers=bearer(db, nurse.user)
    )
    stored = db.scalar(select(func.count()).where(VitalSigns.session_id == dosing.id))
    refused = _refused_naming(response, field, bound) and stored == before
    _count(figures, refused, response)


@pytest.mark.parametrize(("field", "value", "bound"), WEIGHTS + HEIGHTS, ids=lambda v: str(v))
def test_an_implausible_weight_or_height_is_refused_naming_the_bound(
    db, client, figures, field, value, bound
):
    org = make_org(db)
    patient = make_patient(db, org)
    nurse = as_role(db, org, Role.nurse)
    heads = bearer(db, nurse.user)
    if field == "weight_kg":
        body = {"weight_kg": str(value), "measured_on": date.today().isoformat()}  # noqa: DTZ011
        response = client.post(f"/api/v1/patients/{patient.id}/weights", json=body, headers=heads)
    else:
        body = {"height_cm": str(value)}
        response = client.put(f"/api/v1/patients/{patient.id}/height", json=body, headers=heads)
    db.refresh(patient)
    weights = db.scalar(select(func.count()).where(WeightMeasurement.patient_id == patient.id))
    refused = _refused_naming(response, field, bound) and weights == 0 and patient.height_cm is None
    _count(figures, refused, response)
