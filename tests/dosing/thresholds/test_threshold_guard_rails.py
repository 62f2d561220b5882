"""Guard-rails on the clinic's thresholds: tighten freely, loosen only inside them with a second
prescriber's approval, never past them."""

import pytest
from sqlalchemy import select

from openkap.core.audit.chain import _PENDING_KEY
from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.settings import guard_rails
from openkap.core.settings.approval import ApprovalRefused, NotPending, ProposalStale
from openkap.core.settings.guard_rails import OutsideGuardRail
from openkap.dosing.models import ThresholdSet
from openkap.dosing.thresholds import service as threshold_settings
from openkap.dosing.thresholds.rules import DEFAULT_THRESHOLDS
from tests.dosing.builders import as_role
from tests.fixtures.factories import make_user

REASON = "Medical director's protocol revision of this month."


@pytest.fixture
def admin(db, org):
    return as_role(db, org, Role.admin)


def _save(db, by, **changes):
    values = {**DEFAULT_THRESHOLDS.model_dump(mode="json"), **changes}
    return threshold_settings.save_thresholds(db, values=values, reason=REASON, by=by)


def _in_force(db, org):
    return threshold_settings.clinic_thresholds(db, organization_id=org.id)


def _actions(db, org):
    return [
        e["action"]
        for e in db.info.get(_PENDING_KEY, [])
        if e["action"].startswith("dosing_thresholds.") and e["organization_id"] == org.id
    ]


def test_the_guard_rails_and_pre_dose_ceilings_are_the_clinical_reference_values():
    assert (
        guard_rails.PRE_DOSE_CEILING_SBP_AT_OR_ABOVE,
        guard_rails.PRE_DOSE_CEILING_DBP_AT_OR_ABOVE,
        guard_rails.PRE_DOSE_CEILING_SPO2_BELOW,
    ) == (180, 110, 90)
    assert "ACC/AHA" in guard_rails.PRE_DOSE_CEILING_SOURCE
    bounds = {name: rail.bound for name, rail in guard_rails.DOSING_THRESHOLD_RAILS.items()}
    assert bounds == {
        "pre_dose_sbp_above": 160,
        "pre_dose_dbp_above": 100,
        "alert_sbp_at_or_above": 180,
        "alert_dbp_at_or_above": 110,
        "alert_hr_above": 130,
        "alert_hr_below": 40,
        "alert_spo2_below": 88,
        "alert_rr_below": 8,
        "sedation_moaas_at_or_below": 3,
        "dissociation_cadss_above": None,
        "min_hours_between_doses": 20,
    }
    assert all(rail.source for rail in guard_rails.DOSING_THRESHOLD_RAILS.values())
    assert (
        guard_rails.MIN_HOURS_BETWEEN_DOSES_DEFAULT,
        DEFAULT_THRESHOLDS.min_hours_between_doses,
    ) == (44, 44)


def test_a_tightening_is_in_force_at_once(db, org, admin):
    saved = _save(
        db, admin, alert_spo2_below=94, min_hours_between_doses=48, pre_dose_sbp_above=130
    )
    assert saved.approval == "none"
    assert (_in_force(db, org).alert_spo2_below, _in_force(db, org).min_hours_between_doses) == (
        94,
        48,
    )
    assert _actions(db, org) == ["dosing_thresholds.save"]


def test_a_loosening_inside_the_guard_rail_waits_for_a_second_prescriber(
    db, org, admin, prescriber
):
    proposed = _save(db, admin, alert_spo2_below=90, min_hours_between_doses=24)
    assert (proposed.approval, proposed.compared_with) == ("pending", 0)
    assert "alert_spo2_below 92 → 90" in proposed.loosening
    assert "min_hours_between_doses 44 → 24" in proposed.loosening
    assert _in_force(db, org) == DEFAULT_THRESHOLDS
    assert threshold_settings.current_version(db, organization_id=org.id) == 0
    approved = threshold_settings.approve_thresholds(
        db, set_version=proposed.set_version, by=prescriber
    )
    assert (approved.approval, approved.approved_by_id) == ("approved", prescriber.user.id)
    assert approved.approved_at is not None
    assert (_in_force(db, org).alert_spo2_below, _in_force(db, org).min_hours_between_doses) == (
        90,
        24,
    )
    assert _actions(db, org) == ["dosing_thresholds.propose", "dosing_thresholds.approve"]


def test_a_version_that_tightens_one_value_and_loosens_another_waits_as_a_whole(db, org, admin):
    proposed = _save(db, admin, alert_hr_above=120, alert_rr_below=12)
    assert proposed.approval == "pending"
    assert _in_force(db, org).alert_rr_below == DEFAULT_THRESHOLDS.alert_rr_below


def test_the_proposer_cannot_approve_their_own_loosening(db, org):
    both = Principal(user=make_user(db, org, Role.admin, Role.prescriber), client_address="test")
    proposed = _save(db, both, alert_hr_below=45)
    with pytest.raises(ApprovalRefused, match="second prescriber"):
        threshold_settings.approve_thresholds(db, set_version=proposed.set_version, by=both)
    assert _in_force(db, org) == DEFAULT_THRESHOLDS


@pytest.mark.parametrize("role", [Role.nurse, Role.admin, Role.therapist])
def test_only_a_prescriber_approves(db, org, admin, role):
    proposed = _save(db, admin, alert_hr_below=45)
    with pytest.raises(Forbidden):
        threshold_settings.approve_thresholds(
            db, set_version=proposed.set_version, by=as_role(db, org, role)
        )
    assert _in_force(db, org) == DEFAULT_THRESHOLDS


OUTSIDE = [
    ("pre_dose_sbp_above", 165, "not above 160 mmHg"),
    ("pre_dose_dbp_above", 105, "not above 100 mmHg"),
    ("alert_sbp_at_or_above", 190, "not above 180 mmHg"),
    ("alert_dbp_at_or_above", 115, "not above 110 mmHg"),
    ("alert_hr_above", 140, "not above 130 /min"),
    ("alert_hr_below", 35, "not below 40 /min"),
    ("alert_spo2_below", 85, "not below 88 %"),
    ("alert_rr_below", 6, "not below 8 /min"),
    ("sedation_moaas_at_or_below", 2, "not below 3"),
    ("min_hours_between_doses", 19, "not below 20 hours"),
]


@pytest.mark.parametrize(("name", "value", "bound"), OUTSIDE)
def test_a_loosening_past_the_guard_rail_is_refused_naming_the_bound(
    db, org, admin, name, value, bound
):
    changes = {name: value}
    if name == "alert_sbp_at_or_above":
        changes["sbp_plausible"] = {"low": 50, "high": 300}
    with pytest.raises(OutsideGuardRail, match=bound) as refused:
        _save(db, admin, **changes)
    assert refused.value.status_code == 422
    assert refused.value.field == name
    assert f"{name} {value}" in refused.value.message
    assert "source: OpenKAP clinical reference, 'Chair guard-rails'" in refused.value.message
    assert (
        db.scalars(select(ThresholdSet).where(ThresholdSet.organization_id == org.id)).all() == []
    )


def test_a_pending_version_goes_stale_when_another_version_comes_into_force(
    db, org, admin, prescriber
):
    proposed = _save(db, admin, alert_hr_above=120)
    tightened = _save(db, admin, alert_hr_above=105)
    assert (proposed.set_version, tightened.set_version) == (1, 2)
    with pytest.raises(ProposalStale, match="version 2 is now in force") as refused:
        threshold_settings.approve_thresholds(db, set_version=proposed.set_version, by=prescriber)
    assert refused.value.status_code == 409
    assert (proposed.approval, _in_force(db, org).alert_hr_above) == ("pending", 105)


def test_a_later_loosening_is_compared_with_the_version_in_force_not_the_pending_one(
    db, org, admin
):
    first = _save(db, admin, alert_hr_above=120)
    second = _save(db, admin, alert_hr_above=125)
    assert (first.compared_with, second.compared_with, second.set_version) == (0, 0, 2)
    assert "alert_hr_above 110 → 125" in second.loosening


def test_a_version_without_a_loosening_cannot_be_approved(db, org, admin, prescriber):
    saved = _save(db, admin, alert_hr_above=100)
    with pytest.raises(NotPending):
        threshold_settings.approve_thresholds(db, set_version=saved.set_version, by=prescriber)
