"""R8: a catalogue of bad clinical input generated from the bounds the code itself holds: the
plausibility ranges of a clinic's vital-sign rules and the MOAA/S scale; the weight and height
schemas; the order and administration schemas and each route's absolute mg ceiling (doses); every
item's allowed values in each baseline instrument (answers); and the time bounds of the clinical
records (dates). Every value just past a bound is refused (422) with a message naming the field
and the bound, and nothing is written."""

from datetime import date, timedelta
from decimal import Decimal

import annotated_types
import pytest
from pydantic import BaseModel
from sqlalchemy import func, select

from openkap.assessments.models import AssessmentResponse
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.administration.schemas import AdministrationInput, OrderChangeInput
from openkap.dosing.models import Administration, OrderChange, VitalSigns
from openkap.dosing.sessions.schemas import VitalsCreate
from openkap.dosing.thresholds.rules import MOAAS_RANGE, VITAL_NAMES, VitalThresholds
from openkap.instruments import get_instrument
from openkap.intake.record.overview import BASELINE_INSTRUMENTS
from openkap.inventory.models import LedgerEntry
from openkap.patients.models import Patient, WeightMeasurement
from openkap.patients.schemas import EARLIEST_BIRTH_DATE, HeightSet, WeightCreate
from openkap.plans.treatment.ceilings import ROUTE_CEILINGS
from tests import verification
from tests.dosing.builders import as_role, dosing_started, ready_episode
from tests.dosing.builders_administration import (
    dosable_episode,
    dose_input,
    session_in_dosing,
    stocked_lot,
)
from tests.fixtures.factories import bearer, make_episode, make_org, make_patient


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


def _answer_bounds() -> list[tuple[str, int, int, str]]:
    """Each baseline instrument's items: (instrument, item, a value just past it, allowed)."""
    cases = []
    for instrument_id in BASELINE_INSTRUMENTS:
        for item in get_instrument(instrument_id).items:
            # As the refusal writes them: a run of three or more as low-high, else each value.
            contiguous = list(item.values) == list(range(item.min_value, item.max_value + 1))
            allowed = (
                f"{item.min_value}-{item.max_value}"
                if contiguous and len(item.values) > 2
                else ", ".join(str(value) for value in item.values)
            )
            cases += [(instrument_id, item.number, item.min_value - 1, allowed)]
            cases += [(instrument_id, item.number, item.max_value + 1, allowed)]
    return cases


VITALS = _vital_bounds()
WEIGHTS = _bounds(WeightCreate)
HEIGHTS = _bounds(HeightSet)
ORDERS = _bounds(OrderChangeInput)
GIVEN = _bounds(AdministrationInput)
ANSWERS = _answer_bounds()
# A date just past each time bound of a clinical record: (case, field, the bound as written).
DATES = [
    ("birth tomorrow", "birth_date", "in the future"),
    ("birth before 1900", "birth_date", EARLIEST_BIRTH_DATE.isoformat()),
    ("weight tomorrow", "measured_on", "in the future"),
    ("response in an hour", "completed_at", "in the future"),
    ("reading in ten minutes", "measured_at", "2 minutes in the future"),
    ("dose in ten minutes", "started_at", "in the future"),
    ("dose before check-in", "started_at", "before the patient checked in"),
]
# Each case on both databases.
CASES = [VITALS, WEIGHTS, HEIGHTS, ORDERS, GIVEN, list(ROUTE_CEILINGS), ANSWERS, DATES]
TARGET = 2 * sum(len(cases) for cases in CASES)


def test_the_catalogue_covers_every_bounded_field():
    assert {name for name, _, _ in VITALS} == {"sbp", "dbp", "hr", "spo2", "rr", "moaas"}
    assert {name for name, _, _ in _bounds(VitalsCreate)} <= {name for name, _, _ in VITALS}
    assert {name for name, _, _ in WEIGHTS} == {"weight_kg"}
    assert {name for name, _, _ in HEIGHTS} == {"height_cm"}
    assert len(VITALS) == 12
    dose_fields = {"dose_mg", "infusion_minutes", "concentration_mg_per_ml"}
    assert {name for name, _, _ in ORDERS} == dose_fields
    assert {name for name, _, _ in GIVEN} == dose_fields | {"waste_mg"}
    assert {instrument for instrument, _, _, _ in ANSWERS} == set(BASELINE_INSTRUMENTS)
    assert len(ANSWERS) == 2 * sum(len(get_instrument(i).items) for i in BASELINE_INSTRUMENTS)


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


def _order_refused(client, db, org, dosing, body: dict[str, object], field: str, bound: str):
    """Post an order change as a prescriber; return the response and whether it was refused
    naming the bound with the order unchanged."""
    prescriber = as_role(db, org, Role.prescriber)
    before = dosing.planned_dose_mg
    response = client.post(
        f"/api/v1/dosing-sessions/{dosing.id}/order-changes",
        json=body,
        headers=bearer(db, prescriber.user),
    )
    db.refresh(dosing)
    changes = db.scalar(select(func.count()).where(OrderChange.session_id == dosing.id))
    return response, _refused_naming(response, field, bound) and changes == 0 and (
        dosing.planned_dose_mg == before
    )


@pytest.mark.parametrize(("field", "value", "bound"), ORDERS, ids=lambda v: str(v))
def test_an_order_past_a_bound_is_refused_naming_it(db, client, figures, field, value, bound):
    org = make_org(db)
    dosing = session_in_dosing(db, dosable_episode(db, org), as_role(db, org, Role.nurse))
    body = {"dose_mg": "35", "reason": "Catalogue of bad input.", field: str(value)}
    response, refused = _order_refused(client, db, org, dosing, body, field, bound)
    _count(figures, refused, response)


@pytest.mark.parametrize("route", list(ROUTE_CEILINGS), ids=str)
def test_an_order_above_the_routes_ceiling_is_refused_naming_it(db, client, figures, route):
    org = make_org(db)
    nurse = as_role(db, org, Role.nurse)
    dosing = session_in_dosing(db, dosable_episode(db, org, route=route.value), nurse)
    ceiling = ROUTE_CEILINGS[route].max_mg
    body = {
        "dose_mg": str(ceiling + 1),
        "reason": "Catalogue of bad input.",
        "outside_plan_reason": "Catalogue of bad input, past the ceiling.",
    }
    response, refused = _order_refused(client, db, org, dosing, body, "dose_mg", str(ceiling))
    _count(figures, refused, response)


def _nothing_given(db, dosing, stock) -> bool:
    given = db.scalar(select(func.count()).where(Administration.session_id == dosing.id))
    entries = db.scalar(select(func.count()).where(LedgerEntry.lot_id == stock.lot.id))
    return given == 0 and entries == 1


def _give(client, db, dosing, nurse, stock, **changes):
    body = dose_input(dosing, stock).model_dump(mode="json") | changes
    return client.post(
        f"/api/v1/dosing-sessions/{dosing.id}/administration",
        json=body,
        headers=bearer(db, nurse.user),
    )


@pytest.mark.parametrize(("field", "value", "bound"), GIVEN, ids=lambda v: str(v))
def test_a_dose_given_past_a_bound_is_refused_naming_it(db, client, figures, field, value, bound):
    org = make_org(db)
    nurse = as_role(db, org, Role.nurse)
    dosing = session_in_dosing(db, dosable_episode(db, org), nurse)
    stock = stocked_lot(db, org)
    response = _give(client, db, dosing, nurse, stock, **{field: str(value)})
    refused = _refused_naming(response, field, bound) and _nothing_given(db, dosing, stock)
    _count(figures, refused, response)


@pytest.mark.parametrize("instrument_id", BASELINE_INSTRUMENTS)
def test_an_answer_outside_an_items_values_is_refused_naming_them(
    db, client, figures, instrument_id
):
    org = make_org(db)
    nurse = as_role(db, org, Role.nurse)
    episode = make_episode(db, org, state="intake")
    heads = bearer(db, nurse.user)
    instrument = get_instrument(instrument_id)
    completed_by = "patient" if instrument.respondent == "patient" else "clinician"
    for _, item, value, allowed in [case for case in ANSWERS if case[0] == instrument_id]:
        answers = {str(other.number): other.min_value for other in instrument.items}
        body = {"instrument_id": instrument_id, "completed_by": completed_by}
        body["answers"] = answers | {str(item): value}
        response = client.post(
            f"/api/v1/episodes/{episode.id}/assessments", json=body, headers=heads
        )
        stored = db.scalar(
            select(func.count()).where(AssessmentResponse.patient_id == episode.patient_id)
        )
        refused = _refused_naming(response, f"answers.{item}", allowed) and stored == 0
        _count(figures, refused, response)


def _date_case(client, db, org, case: str):
    """Send the case's record with its date just past the bound; return the response and
    whether anything was written."""
    nurse = as_role(db, org, Role.nurse)
    heads = bearer(db, nurse.user)
    today = utcnow().date()
    soon = (utcnow() + timedelta(minutes=10)).isoformat()
    if case.startswith("birth"):
        born = today + timedelta(days=1) if "tomorrow" in case else date(1899, 12, 31)
        body = {"mrn": "R8-1", "given_name": "Bad", "family_name": "Date", "sex_at_birth": "female"}
        body["birth_date"] = born.isoformat()
        response = client.post("/api/v1/patients", json=body, headers=heads)
        return response, db.scalar(select(func.count()).where(Patient.mrn == "R8-1"))
    if case.startswith("weight"):
        patient = make_patient(db, org)
        body = {"weight_kg": "70", "measured_on": (today + timedelta(days=1)).isoformat()}
        response = client.post(f"/api/v1/patients/{patient.id}/weights", json=body, headers=heads)
        return response, db.scalar(
            select(func.count()).where(WeightMeasurement.patient_id == patient.id)
        )
    if case.startswith("response"):
        episode = make_episode(db, org, state="intake")
        body = {"instrument_id": "gad7", "answers": [0] * 7, "completed_by": "patient"}
        body["completed_at"] = soon
        path = f"/api/v1/episodes/{episode.id}/assessments"
        response = client.post(path, json=body, headers=heads)
        return response, db.scalar(
            select(func.count()).where(AssessmentResponse.patient_id == episode.patient_id)
        )
    if case.startswith("reading"):
        dosing = dosing_started(db, ready_episode(db, org), nurse)
        body = {"client_reading_id": "r8-date", "measured_at": soon, "sbp": 120, "dbp": 80}
        path = f"/api/v1/dosing-sessions/{dosing.id}/vitals"
        before = db.scalar(select(func.count()).where(VitalSigns.session_id == dosing.id))
        response = client.post(path, json=body, headers=heads)
        after = db.scalar(select(func.count()).where(VitalSigns.session_id == dosing.id))
        return response, after - before
    dosing = session_in_dosing(db, dosable_episode(db, org), nurse)
    stock = stocked_lot(db, org)
    at = soon if "ten minutes" in case else (dosing.checked_in_at - timedelta(minutes=5))
    at = at if isinstance(at, str) else at.isoformat()
    response = _give(client, db, dosing, nurse, stock, started_at=at)
    return response, 0 if _nothing_given(db, dosing, stock) else 1


@pytest.mark.parametrize(("case", "field", "bound"), DATES, ids=lambda v: str(v))
def test_a_date_past_its_bound_is_refused_naming_it(db, client, figures, case, field, bound):
    response, written = _date_case(client, db, make_org(db), case)
    _count(figures, _refused_naming(response, field, bound) and written == 0, response)
