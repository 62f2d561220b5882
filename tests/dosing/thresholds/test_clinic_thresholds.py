"""A clinic's own thresholds, the sedation alert, and the weight-of-the-day hard stop."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.dosing.chair import pre_dose
from openkap.dosing.chair.pre_dose import ChecklistKey, StopKey
from openkap.dosing.errors import InvalidSessionInput
from openkap.dosing.thresholds import service as threshold_settings
from openkap.dosing.thresholds.rules import DEFAULT_THRESHOLDS, AlertKind
from openkap.patients.models import Patient
from openkap.plans.models import TreatmentPlan
from tests.dosing.builders import (
    NORMAL,
    as_role,
    checked_in,
    cleared,
    dosing_started,
    reading,
    ready_episode,
)
from tests.plans.builders import weigh

REASON = "Medical director's protocol revision of this month."


@pytest.fixture
def admin(db, org):
    return as_role(db, org, Role.admin)


def _save(db, admin, **changes):
    values = {**DEFAULT_THRESHOLDS.model_dump(mode="json"), **changes}
    return threshold_settings.save_thresholds(db, values=values, reason=REASON, by=admin)


def test_a_clinic_without_saved_thresholds_uses_the_defaults(db, org):
    assert threshold_settings.clinic_thresholds(db, organization_id=org.id) == DEFAULT_THRESHOLDS


def test_a_raised_pre_dose_hold_lets_a_reading_below_it_dose(db, org, nurse, admin):
    vitals = {**NORMAL, "sbp": 145}
    held = cleared(db, ready_episode(db, org), nurse, vitals=vitals)
    assert {s.key for s in pre_dose.pre_dose_hard_stops(db, dosing=held)} == {
        StopKey.pre_dose_vitals
    }
    raised = _save(db, admin, pre_dose_sbp_above=150)
    # Raising a hold loosens it: pending, and the chair still holds, until a prescriber approves.
    assert {s.key for s in pre_dose.pre_dose_hard_stops(db, dosing=held)} == {
        StopKey.pre_dose_vitals
    }
    prescriber = as_role(db, org, Role.prescriber)
    threshold_settings.approve_thresholds(db, set_version=raised.set_version, by=prescriber)
    assert pre_dose.pre_dose_hard_stops(db, dosing=held) == []


def test_a_lowered_alert_threshold_raises_alerts_at_the_clinic_value(db, org, nurse, admin):
    _save(db, admin, alert_sbp_at_or_above=170)
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    [alert] = reading(dosing, nurse, db, reading_id="r-1", **{**NORMAL, "sbp": 172}).alerts
    assert (alert.kind, alert.threshold) == (AlertKind.high_systolic.value, 170)


def test_each_save_is_a_new_version_with_its_reason(db, admin):
    first = _save(db, admin, alert_hr_above=105)
    second = _save(db, admin, alert_hr_above=100)
    assert (first.set_version, second.set_version) == (1, 2)
    history = threshold_settings.threshold_history(db, by=admin)
    assert [h.set_version for h in history] == [2, 1]
    assert history[0].change_reason == REASON


def test_inconsistent_thresholds_are_refused_naming_the_problem(db, admin):
    with pytest.raises(InvalidSessionInput, match="pre-dose systolic hold must be below"):
        _save(db, admin, pre_dose_sbp_above=190)
    with pytest.raises(InvalidSessionInput, match="alert_spo2_below") as refused:
        _save(db, admin, alert_spo2_below="low")
    assert refused.value.field == "alert_spo2_below"


def test_only_an_administrator_changes_thresholds(db, org):
    with pytest.raises(Forbidden):
        _save(db, as_role(db, org, Role.prescriber), alert_hr_above=115)


def test_a_change_without_a_reason_is_refused(db, admin):
    with pytest.raises(InvalidSessionInput, match="reason"):
        threshold_settings.save_thresholds(
            db, values=DEFAULT_THRESHOLDS.model_dump(mode="json"), reason="x", by=admin
        )


@pytest.mark.parametrize(("moaas", "alerted"), [(3, True), (4, False), (5, False)])
def test_moaas_at_or_below_3_raises_a_sedation_alert(db, org, nurse, moaas, alerted):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    alerts = reading(dosing, nurse, db, reading_id="r-1", **NORMAL, moaas=moaas).alerts
    assert [a.kind for a in alerts] == ([AlertKind.sedation.value] if alerted else [])


def _weight_based(db, org):
    episode = ready_episode(db, org)
    plan = db.scalars(select(TreatmentPlan).where(TreatmentPlan.episode_id == episode.id)).one()
    plan.dose_per_kg = Decimal("0.5")
    db.flush()
    return episode


def _stops(db, dosing):
    return {stop.key for stop in pre_dose.pre_dose_hard_stops(db, dosing=dosing)}


def test_a_weight_based_dose_without_a_recent_weight_is_held(db, org, nurse):
    episode = _weight_based(db, org)
    weigh(db, db.get(Patient, (org.id, episode.patient_id)), "70", days_ago=45)
    dosing = cleared(db, episode, nurse)
    assert _stops(db, dosing) == {StopKey.weight_not_current}


def test_a_weight_within_the_allowed_age_clears_the_weight_stop(db, org, nurse):
    episode = _weight_based(db, org)
    weigh(db, db.get(Patient, (org.id, episode.patient_id)), "70", days_ago=3)
    assert _stops(db, cleared(db, episode, nurse)) == set()


def test_the_weight_of_the_day_in_the_checklist_clears_the_weight_stop(db, org, nurse):
    dosing = checked_in(db, _weight_based(db, org), nurse)
    pre_dose.record_checklist(db, dosing=dosing, key=ChecklistKey.weight_kg, value="71.4", by=nurse)
    assert StopKey.weight_not_current not in _stops(db, dosing)
