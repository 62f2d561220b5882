"""The dose given: plan checks and prescriber overrides, the ledger draw, esketamine devices,
infusion pauses and stops, and the end of administration."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from openkap.core.audit.chain import _PENDING_KEY
from openkap.core.errors import Forbidden, InvalidState
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.administration import infusion, order_changes
from openkap.dosing.administration import service as administration
from openkap.dosing.administration.schemas import OrderChangeInput
from openkap.dosing.chair import leaving
from openkap.dosing.errors import (
    AdministrationRefused,
    DeviceNotFound,
    DoseDiffersFromOrder,
    DoseExceedsPlan,
    InfusionRateTooHigh,
    InvalidDosingInput,
    InvalidSessionInput,
    LotNotUsable,
    SessionStateRefused,
)
from openkap.dosing.models import Administration, InfusionEventKind, SessionState
from openkap.inventory.errors import InsufficientStock, WitnessRequired
from openkap.inventory.models import LedgerEntry, LotBalance
from openkap.patients.models import RecordStatus, WeightMeasurement
from openkap.plans.errors import DoseAboveRouteCeiling
from openkap.plans.models import ProtocolTemplate, TreatmentPlan
from tests.dosing.builders import as_role, cleared
from tests.dosing.builders_administration import (
    administer,
    administered_session,
    completed_session,
    discharged_days_ago,
    dosable_episode,
    give_devices,
    reorder,
    session_in_dosing,
    shift_back,
    stocked_lot,
)
from tests.inventory.builders import witness_of

PAUSE_REASON = "Patient asked for a short break."


@pytest.fixture
def ketamine(db, org):
    return stocked_lot(db, org, mg="1000")


@pytest.fixture
def spravato(db, org):
    return stocked_lot(db, org, drug="esketamine", mg="560")


def _balance(db, stock) -> Decimal:
    return db.scalars(
        select(LotBalance.balance_mg).where(
            LotBalance.lot_id == stock.lot.id, LotBalance.location_id == stock.location.id
        )
    ).one()


def _entries(db, stock) -> list[LedgerEntry]:
    return list(
        db.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.lot_id == stock.lot.id, LedgerEntry.kind != "receipt")
            .order_by(LedgerEntry.version)
        )
    )


def _administrations(db) -> int:
    return db.scalar(select(func.count()).select_from(Administration))


def _audited(db, action: str) -> list[dict]:
    return [e for e in db.info[_PENDING_KEY] if e["action"] == action]


def _in_dosing(db, org, nurse, route="iv"):
    return session_in_dosing(db, dosable_episode(db, org, route=route), nurse)


# Recording the dose ------------------------------------------------------------------------


def test_iv_dose_stores_volume_rate_calculation_and_starts_the_clock(db, org, nurse, ketamine):
    dosing = _in_dosing(db, org, nurse)
    reorder(db, dosing, "35.5")
    given = administer(db, dosing, nurse, stock=ketamine, dose_mg=Decimal("35.5"))
    # 35.5 mg at 10 mg/mL is 3.55 mL, drawn as 3.6 mL = 36 mg; over 40 minutes 5.4 mL/h.
    assert (given.volume_ml, given.delivered_mg, given.rate_ml_per_hour) == (
        Decimal("3.6"),
        Decimal("36"),
        Decimal("5.4"),
    )
    assert (given.dose_mg, given.infusion_minutes, given.status) == (Decimal("35.5"), 40, "running")
    assert given.calculation["volume_ml"] == "3.6"
    assert given.calculation["weight_kg"] == "70"
    assert given.calculation["bounds_unit"] == "mg/kg"
    assert dosing.first_device_at == given.started_at
    assert (given.product_name, given.lot_number) == (
        ketamine.product.name,
        ketamine.lot.lot_number,
    )
    assert given.lot_expiry == ketamine.lot.expiry
    assert given.administered_by_id == nurse.user.id


def test_iv_infusion_minutes_default_to_the_template(db, org, nurse, ketamine):
    dosing = _in_dosing(db, org, nurse)
    given = administer(db, dosing, nurse, stock=ketamine, infusion_minutes=None)
    assert given.infusion_minutes == 40


def test_iv_without_a_concentration_is_refused_naming_the_field(db, org, nurse, ketamine):
    dosing = _in_dosing(db, org, nurse)
    with pytest.raises(InvalidDosingInput) as refused:
        administer(db, dosing, nurse, stock=ketamine, concentration_mg_per_ml=None)
    assert refused.value.field == "concentration_mg_per_ml"


def test_an_iv_order_carries_the_templates_vial_strength_and_another_is_refused(
    db, org, nurse, ketamine
):
    episode = dosable_episode(db, org)
    plan = db.scalar(select(TreatmentPlan).where(TreatmentPlan.episode_id == episode.id))
    template = db.get(ProtocolTemplate, (org.id, plan.template_id))
    template.iv_concentration_mg_per_ml = Decimal(10)
    dosing = session_in_dosing(db, episode, nurse)
    assert (dosing.order_infusion_minutes, dosing.order_concentration_mg_per_ml) == (40, 10)
    before = db.scalar(select(func.count()).select_from(LedgerEntry))
    with pytest.raises(DoseDiffersFromOrder, match="10 mg/mL; 50 mg/mL was entered"):
        administer(db, dosing, nurse, stock=ketamine, concentration_mg_per_ml=Decimal(50))
    assert db.scalar(select(func.count()).select_from(LedgerEntry)) == before
    given = administer(db, dosing, nurse, stock=ketamine, concentration_mg_per_ml=Decimal(10))
    assert given.concentration_mg_per_ml == 10


def test_the_ledger_loses_dose_and_waste_and_names_the_patient(db, org, nurse, ketamine):
    witness = as_role(db, org, Role.prescriber)
    dosing = _in_dosing(db, org, nurse)
    given = administer(
        db, dosing, nurse, stock=ketamine, waste_mg=Decimal(15), **witness_of(witness)
    )
    assert _balance(db, ketamine) == Decimal(1000) - 35 - 15
    dose, waste = _entries(db, ketamine)
    assert (dose.kind, dose.quantity_mg, dose.patient_id) == (
        "administration",
        -35,
        dosing.patient_id,
    )
    assert dose.encounter_reference == str(dosing.id)
    assert (waste.kind, waste.quantity_mg, waste.witness_id) == ("waste", -15, witness.user.id)
    assert given.ledger_entry_id == dose.id
    assert given.witness_id == witness.user.id


def test_waste_without_a_witness_is_refused_and_nothing_is_written(db, org, nurse, ketamine):
    dosing = _in_dosing(db, org, nurse)
    with pytest.raises(WitnessRequired):
        administer(db, dosing, nurse, stock=ketamine, waste_mg=Decimal(15))
    assert _administrations(db) == 0
    assert _balance(db, ketamine) == 1000


def test_insufficient_stock_is_refused_with_nothing_written(db, org, nurse):
    scarce = stocked_lot(db, org, mg="20")
    dosing = _in_dosing(db, org, nurse)
    with pytest.raises(InsufficientStock, match="20"):
        administer(db, dosing, nurse, stock=scarce)
    assert _administrations(db) == 0
    assert _entries(db, scarce) == []
    assert _balance(db, scarce) == 20
    assert dosing.state == SessionState.dosing


def test_a_lot_of_another_drug_is_refused(db, org, nurse, spravato):
    dosing = _in_dosing(db, org, nurse)
    with pytest.raises(LotNotUsable, match="esketamine") as refused:
        administer(db, dosing, nurse, stock=spravato)
    assert refused.value.field == "lot_id"


def test_an_expired_lot_is_refused_and_nothing_is_written(db, org, nurse):
    expired = stocked_lot(db, org, expiry=utcnow().date() - timedelta(days=1))
    dosing = _in_dosing(db, org, nurse)
    with pytest.raises(InvalidState, match="expired"):
        administer(db, dosing, nurse, stock=expired)
    assert _administrations(db) == 0
    assert _balance(db, expired) == 1000


def test_a_second_administration_of_a_session_is_refused(db, org, nurse, ketamine):
    dosing = administered_session(db, dosable_episode(db, org), nurse, stock=ketamine)
    with pytest.raises(AdministrationRefused, match="already recorded"):
        administer(db, dosing, nurse, stock=ketamine)
    assert _balance(db, ketamine) == 1000 - 35


def test_administration_before_dosing_has_started_is_refused(db, org, nurse, ketamine):
    dosing = cleared(db, dosable_episode(db, org), nurse)
    with pytest.raises(SessionStateRefused, match="dosing"):
        administer(db, dosing, nurse, stock=ketamine)


@pytest.mark.parametrize(
    ("offset", "words"), [(timedelta(minutes=5), "future"), (-timedelta(hours=2), "checked in")]
)
def test_a_start_in_the_future_or_before_check_in_is_refused(
    db, org, nurse, ketamine, offset, words
):
    dosing = _in_dosing(db, org, nurse)
    with pytest.raises(InvalidSessionInput, match=words) as refused:
        administer(db, dosing, nurse, stock=ketamine, started_at=utcnow() + offset)
    assert refused.value.field == "started_at"


def test_a_therapist_cannot_record_an_administration(db, org, nurse, ketamine):
    dosing = _in_dosing(db, org, nurse)
    with pytest.raises(Forbidden):
        administer(db, dosing, as_role(db, org, Role.therapist), stock=ketamine)


def test_recording_is_audited_with_the_patient(db, org, nurse, ketamine):
    dosing = administered_session(db, dosable_episode(db, org), nurse, stock=ketamine)
    [event] = _audited(db, "dosing_session.record_administration")
    assert (event["resource_id"], event["patient_id"]) == (str(dosing.id), dosing.patient_id)


# Dose checks against the plan ---------------------------------------------------------------


def test_a_dose_other_than_the_order_is_refused_naming_both(db, org, nurse, ketamine):
    dosing = _in_dosing(db, org, nurse)
    with pytest.raises(DoseDiffersFromOrder, match="Dose equals the order") as refused:
        administer(db, dosing, nurse, stock=ketamine, dose_mg=Decimal(71))
    assert "session 1 is 35.00 mg; 71 mg was entered" in refused.value.message
    assert (refused.value.status_code, refused.value.field) == (409, "dose_mg")
    assert _administrations(db) == 0
    assert _balance(db, ketamine) == 1000


def test_an_order_above_the_plan_maximum_is_refused_naming_the_limit(db, org, nurse, ketamine):
    dosing = _in_dosing(db, org, nurse)
    with pytest.raises(DoseExceedsPlan, match="maximum of 70") as refused:
        reorder(db, dosing, "71")
    assert refused.value.status_code == 409
    assert dosing.planned_dose_mg == Decimal(35)


def test_volume_rounding_above_the_maximum_is_caught(db, org, nurse, ketamine):
    dosing = _in_dosing(db, org, nurse)
    # 70 mg at 40 mg/mL is 1.75 mL, drawn as 1.8 mL = 72 mg: above the plan's 70 mg.
    reorder(db, dosing, "70", infusion_minutes=60)
    with pytest.raises(DoseExceedsPlan, match="72"):
        administer(
            db,
            dosing,
            nurse,
            stock=ketamine,
            dose_mg=Decimal(70),
            concentration_mg_per_ml=Decimal(40),
            infusion_minutes=60,
        )


def test_a_step_above_max_step_from_the_last_completed_dose_is_refused(db, org, nurse, ketamine):
    episode = dosable_episode(db, org)
    earlier = completed_session(db, episode, nurse, stock=ketamine)  # 35 mg = 0.5 mg/kg at 70 kg
    discharged_days_ago(db, earlier)
    dosing = session_in_dosing(db, episode, nurse)
    with pytest.raises(DoseExceedsPlan, match=re.escape("max_step of 0.25 mg/kg")):
        reorder(db, dosing, "56")  # 0.8 mg/kg
    reorder(db, dosing, "52")  # 0.743 mg/kg
    given = administer(db, dosing, nurse, stock=ketamine, dose_mg=Decimal(52))
    assert given.calculation["previous_in_bound_unit"] == "0.500"


def test_a_stopped_administration_is_not_the_reference_for_the_step(db, org, nurse, ketamine):
    episode = dosable_episode(db, org)
    stopped = administered_session(db, episode, nurse, stock=ketamine, dose_mg=Decimal(20))
    infusion.change_infusion(
        db,
        dosing=stopped,
        kind=InfusionEventKind.stop,
        reason="Nausea; stopped early.",
        rate_ml_per_hour=None,
        by=nurse,
    )
    discharged_days_ago(db, stopped)
    dosing = session_in_dosing(db, episode, nurse)
    reorder(db, dosing, "56")
    given = administer(db, dosing, nurse, stock=ketamine, dose_mg=Decimal(56))
    assert given.calculation["previous_administration_id"] is None


def test_without_a_weight_only_the_same_dose_passes_the_step(db, org, nurse, ketamine):
    episode = dosable_episode(db, org)
    discharged_days_ago(db, completed_session(db, episode, nurse, stock=ketamine))  # 35 mg, 70 kg
    plan = db.scalars(select(TreatmentPlan).where(TreatmentPlan.episode_id == episode.id)).one()
    plan.dose_per_kg = plan.weight_kg = None  # a plan in mg, and no weight of the day
    # The earlier session's checklist weight is in the weight history: take it out too.
    for weight in db.scalars(select(WeightMeasurement)):
        weight.status = RecordStatus.entered_in_error.value
    dosing = session_in_dosing(db, episode, nurse, weight_kg=None)
    with pytest.raises(DoseExceedsPlan, match="no weight is recorded"):
        reorder(db, dosing, "40")
    # The same 35 mg passes the step, but an IV rate in mg/kg/min needs a weight.
    with pytest.raises(InfusionRateTooHigh, match="No weight is recorded"):
        administer(db, dosing, nurse, stock=ketamine, dose_mg=Decimal(35))
    assert administration.get_administration(db, dosing=dosing) is None


def test_a_prescriber_order_outside_the_plan_is_stored_and_audited(db, org, prescriber, ketamine):
    dosing = _in_dosing(db, org, prescriber)
    reason = "Partial response at 70 mg; discussed with the patient."
    change = reorder(db, dosing, "75", outside_plan_reason=reason, infusion_minutes=60)
    assert (change.outside_plan, change.outside_plan_reason) == (["max_dose_mg"], reason)
    assert (change.previous_dose_mg, dosing.planned_dose_mg) == (Decimal(35), Decimal(75))
    [event] = _audited(db, "dosing_session.change_order")
    assert (event["detail"], event["patient_id"]) == ("35.00 mg -> 75 mg", dosing.patient_id)
    # The bound set aside by the order needs no second override at the chair.
    given = administer(
        db, dosing, prescriber, stock=ketamine, dose_mg=Decimal(75), infusion_minutes=60
    )
    assert given.dose_override_reason is None
    assert _balance(db, ketamine) == 1000 - 75


def test_an_order_above_the_routes_ceiling_is_refused_for_every_role(db, org, nurse):
    dosing = _in_dosing(db, org, nurse)
    with pytest.raises(DoseAboveRouteCeiling, match="route_ceiling") as refused:
        reorder(db, dosing, "160", outside_plan_reason="Heavy patient, agreed with the team.")
    assert refused.value.status_code == 422
    assert dosing.planned_dose_mg == Decimal(35)


def test_a_nurse_cannot_change_an_order(db, org, nurse, ketamine):
    dosing = _in_dosing(db, org, nurse)
    data = OrderChangeInput(dose_mg=Decimal(40), reason="The patient wants a stronger dose.")
    with pytest.raises(Forbidden, match="Only a prescriber"):
        order_changes.change_order(db, dosing=dosing, data=data, by=nurse)
    assert dosing.planned_dose_mg == Decimal(35)
    assert _administrations(db) == 0


def test_an_override_reason_for_a_dose_within_the_plan_is_refused(db, org, prescriber, ketamine):
    dosing = _in_dosing(db, org, prescriber)
    with pytest.raises(InvalidSessionInput, match="nothing to override") as refused:
        administer(
            db,
            dosing,
            prescriber,
            stock=ketamine,
            dose_override_reason="Just in case it is needed.",
        )
    assert refused.value.field == "dose_override_reason"


# Esketamine devices -------------------------------------------------------------------------


def test_esketamine_plans_devices_five_minutes_apart_with_no_time_given(db, org, nurse, spravato):
    dosing = _in_dosing(db, org, nurse, route="intranasal")
    reorder(db, dosing, "84")
    given = administer(db, dosing, nurse, stock=spravato, dose_mg=Decimal(84))
    devices = administration.list_devices(db, dosing=dosing)
    assert [(d.number, d.dose_mg, d.given_at) for d in devices] == [
        (1, 28, None),
        (2, 28, None),
        (3, 28, None),
    ]
    assert [d.planned_at - given.started_at for d in devices] == [
        timedelta(0),
        timedelta(minutes=5),
        timedelta(minutes=10),
    ]
    assert _balance(db, spravato) == 560 - 84


def test_an_esketamine_order_that_is_not_whole_devices_is_refused(db, org, nurse, spravato):
    dosing = _in_dosing(db, org, nurse, route="intranasal")
    with pytest.raises(InvalidSessionInput, match="28, 56 or 84 mg") as refused:
        reorder(db, dosing, "42")
    assert refused.value.field == "dose_mg"
    with pytest.raises(DoseDiffersFromOrder, match=re.escape("56.00 mg; 42 mg was entered")):
        administer(db, dosing, nurse, stock=spravato, dose_mg=Decimal(42))


def test_device_one_starts_the_clock_and_device_two_waits_five_minutes(db, org, nurse, spravato):
    dosing = administered_session(
        db, dosable_episode(db, org, route="intranasal"), nurse, stock=spravato
    )
    first = infusion.mark_device_given(db, dosing=dosing, number=1, by=nurse)
    assert dosing.first_device_at == first.given_at
    assert first.given_by_id == nurse.user.id
    earliest = (first.given_at + timedelta(minutes=5)).isoformat(timespec="seconds")
    with pytest.raises(AdministrationRefused, match=re.escape(earliest)):
        infusion.mark_device_given(db, dosing=dosing, number=2, by=nurse)
    first.given_at -= timedelta(minutes=5)
    clock = dosing.first_device_at
    second = infusion.mark_device_given(db, dosing=dosing, number=2, by=nurse)
    assert second.given_at - first.given_at >= timedelta(minutes=5)
    assert dosing.first_device_at == clock


def test_devices_are_given_in_order_once_each(db, org, nurse, spravato):
    dosing = administered_session(
        db, dosable_episode(db, org, route="intranasal"), nurse, stock=spravato
    )
    with pytest.raises(AdministrationRefused, match="Device 1 has not been given"):
        infusion.mark_device_given(db, dosing=dosing, number=2, by=nurse)
    infusion.mark_device_given(db, dosing=dosing, number=1, by=nurse)
    with pytest.raises(AdministrationRefused, match="already given"):
        infusion.mark_device_given(db, dosing=dosing, number=1, by=nurse)
    with pytest.raises(DeviceNotFound):
        infusion.mark_device_given(db, dosing=dosing, number=3, by=nurse)


# Infusion events ----------------------------------------------------------------------------


def _change(db, dosing, by, kind, reason=PAUSE_REASON, rate=None):
    return infusion.change_infusion(
        db, dosing=dosing, kind=kind, reason=reason, rate_ml_per_hour=rate, by=by
    )


def test_an_infusion_is_paused_resumed_and_re_rated_with_reasons(db, org, nurse, ketamine):
    dosing = administered_session(db, dosable_episode(db, org), nurse, stock=ketamine)
    given = administration.get_administration(db, dosing=dosing)
    _change(db, dosing, nurse, InfusionEventKind.pause)
    assert given.status == "paused"
    _change(db, dosing, nurse, InfusionEventKind.resume, reason="")
    assert given.status == "running"
    _change(db, dosing, nurse, InfusionEventKind.rate_change, "Slowed for nausea.", Decimal("3"))
    assert given.rate_ml_per_hour == 3
    assert given.calculation["rate_ml_per_hour"] == "5.3"
    events = administration.list_infusion_events(db, dosing=dosing)
    assert [(e.kind, e.rate_ml_per_hour) for e in events] == [
        ("pause", None),
        ("resume", None),
        ("rate_change", Decimal(3)),
    ]
    assert all(e.recorded_by_id == nurse.user.id for e in events)
    assert len(_audited(db, "dosing_session.infusion_pause")) == 1


def test_a_nurse_may_slow_an_infusion_and_only_a_prescriber_speeds_it_up(
    db, org, nurse, prescriber, ketamine
):
    dosing = administered_session(db, dosable_episode(db, org), nurse, stock=ketamine)
    given = administration.get_administration(db, dosing=dosing)  # 5.3 mL/h at 10 mg/mL
    with pytest.raises(Forbidden, match="Faster infusion"):
        _change(db, dosing, nurse, InfusionEventKind.rate_change, "Running late today.", Decimal(6))
    _change(db, dosing, prescriber, InfusionEventKind.rate_change, "Tolerating well.", Decimal(8))
    assert given.rate_ml_per_hour == 8
    # 11 mL/h of 10 mg/mL is 1.83 mg/min, 0.0262 mg/kg/min at 70 kg: above 0.025 for anyone.
    with pytest.raises(InfusionRateTooHigh, match="Maximum infusion rate"):
        _change(
            db, dosing, prescriber, InfusionEventKind.rate_change, "Faster, please.", Decimal(11)
        )
    assert given.rate_ml_per_hour == 8


@pytest.mark.parametrize(
    ("kind", "first"),
    [
        (InfusionEventKind.resume, None),
        (InfusionEventKind.pause, InfusionEventKind.pause),
    ],
)
def test_changes_that_do_not_follow_the_state_are_refused(db, org, nurse, ketamine, kind, first):
    dosing = administered_session(db, dosable_episode(db, org), nurse, stock=ketamine)
    if first:
        _change(db, dosing, nurse, first)
    with pytest.raises(AdministrationRefused, match=kind.value):
        _change(db, dosing, nurse, kind)


@pytest.mark.parametrize(
    "kind", [InfusionEventKind.pause, InfusionEventKind.stop, InfusionEventKind.rate_change]
)
def test_pause_stop_and_rate_change_need_a_written_reason(db, org, nurse, ketamine, kind):
    dosing = administered_session(db, dosable_episode(db, org), nurse, stock=ketamine)
    with pytest.raises(InvalidSessionInput) as refused:
        _change(db, dosing, nurse, kind, reason="short", rate=Decimal(3))
    assert refused.value.field == "reason"


def test_a_rate_change_needs_the_new_rate(db, org, nurse, ketamine):
    dosing = administered_session(db, dosable_episode(db, org), nurse, stock=ketamine)
    with pytest.raises(InvalidSessionInput) as refused:
        _change(db, dosing, nurse, InfusionEventKind.rate_change, "Slowed for nausea.")
    assert refused.value.field == "rate_ml_per_hour"


def test_only_an_iv_infusion_is_paused(db, org, nurse, spravato):
    dosing = administered_session(
        db, dosable_episode(db, org, route="intranasal"), nurse, stock=spravato
    )
    with pytest.raises(AdministrationRefused, match="only be stopped"):
        _change(db, dosing, nurse, InfusionEventKind.pause)


def test_stopping_esketamine_after_device_one_ends_administration(db, org, nurse, spravato):
    dosing = administered_session(
        db, dosable_episode(db, org, route="intranasal"), nurse, stock=spravato
    )
    infusion.mark_device_given(db, dosing=dosing, number=1, by=nurse)
    stop = _change(db, dosing, nurse, InfusionEventKind.stop, "Severe nausea after device 1.")
    given = administration.get_administration(db, dosing=dosing)
    assert (given.status, given.stopped_at, given.stop_reason) == (
        "stopped",
        stop.at,
        "Severe nausea after device 1.",
    )
    assert (dosing.state, dosing.ended_at) == (SessionState.monitoring, stop.at)
    with pytest.raises(SessionStateRefused):
        infusion.mark_device_given(db, dosing=dosing, number=2, by=nurse)
    with pytest.raises(SessionStateRefused):
        _change(db, dosing, nurse, InfusionEventKind.stop, "Stopping once more.")


# The end of administration ------------------------------------------------------------------


def test_finishing_without_an_administration_is_refused(db, org, nurse):
    dosing = _in_dosing(db, org, nurse)
    with pytest.raises(SessionStateRefused, match="record the dose"):
        leaving.finish_administration(db, dosing=dosing, by=nurse)
    assert dosing.state == SessionState.dosing


def test_finishing_esketamine_needs_every_device_given(db, org, nurse, spravato):
    dosing = administered_session(
        db, dosable_episode(db, org, route="intranasal"), nurse, stock=spravato
    )
    infusion.mark_device_given(db, dosing=dosing, number=1, by=nurse)
    with pytest.raises(SessionStateRefused, match=re.escape("device(s) 2 not given")):
        leaving.finish_administration(db, dosing=dosing, by=nurse)
    shift_back(db, dosing, timedelta(minutes=5))
    give_devices(db, dosing, nurse)
    leaving.finish_administration(db, dosing=dosing, by=nurse)
    assert dosing.state == SessionState.monitoring
    assert administration.get_administration(db, dosing=dosing).status == "completed"


def test_finishing_a_paused_infusion_is_refused(db, org, nurse, ketamine):
    dosing = administered_session(db, dosable_episode(db, org), nurse, stock=ketamine)
    _change(db, dosing, nurse, InfusionEventKind.pause)
    with pytest.raises(SessionStateRefused, match="paused"):
        leaving.finish_administration(db, dosing=dosing, by=nurse)


def test_after_completion_the_infusion_takes_no_more_changes(db, org, nurse, ketamine):
    dosing = completed_session(db, dosable_episode(db, org), nurse, stock=ketamine)
    assert administration.get_administration(db, dosing=dosing).status == "completed"
    with pytest.raises(SessionStateRefused):
        _change(db, dosing, nurse, InfusionEventKind.pause)
