"""The esketamine REMS Patient Monitoring Form: every field computed from constructed sessions."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from openkap.accounts.service import create_site
from openkap.assessments.models import AssessmentResponse
from openkap.core.errors import Forbidden
from openkap.core.models import Role
from openkap.core.time import utcnow
from openkap.dosing.models import ChecklistItem, SessionState, VitalSigns
from openkap.dosing.monitoring import service as monitoring
from openkap.dosing.rems import service as rems_form
from openkap.dosing.rems.pdf import form_pdf, labelled_sections
from openkap.dosing.rems.schemas import RemsFormContents
from openkap.dosing.rems.service import (
    InvalidRemsInput,
    RemsFormNotNeeded,
    RemsFormSubmitted,
    StaleRemsForm,
)
from openkap.intake.models import Intake, Medication
from openkap.patients.models import Patient
from openkap.plans.models import RemsEnrollment
from openkap.plans.readiness import current_plan
from tests.dosing.builders import NORMAL, as_role, dosing_started, ready_episode
from tests.dosing.matrix_rems import (
    CALM,
    administered,
    adverse_event,
    at,
    esketamine_episode,
    finished_session,
)
from tests.fixtures.factories import make_org

EVERY_FIELD = [
    "patient_name",
    "birth_date",
    "sex",
    "first_treatment",
    "rems_enrolled",
    "benzodiazepines",
    "sedative_hypnotics",
    "psychostimulants",
    "maois",
    "opioids",
    "monitoring_provider",
    "prescriber",
    "setting",
    "treatment_date",
    "dose",
    "lot_number",
    "session_outcome",
    "total_minutes",
    "ready_to_leave",
    "vitals_before_dosing",
    "vitals_before_completion",
    "bp_before_dosing",
    "bp_at_40",
    "bp_before_completion",
    "sedation",
    "dissociation",
    "respiratory_depression",
    "serious_adverse_events",
]


def pdf_text(text: str) -> bytes:
    """Return text as an uncompressed PDF's content stream holds it (Latin-1, escaped)."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return escaped.encode("latin-1")


def _contents(db, dosing, by) -> RemsFormContents:
    form = rems_form.build_form(db, dosing=dosing, by=by)
    return RemsFormContents.model_validate(form.contents)


def _session(db, org, nurse, **options):
    return finished_session(db, esketamine_episode(db, org), nurse, **options)


# --- patient, enrolment, people and place ------------------------------------------------------


def test_patient_enrolment_providers_and_setting_come_from_the_records(db, org, nurse):
    episode = esketamine_episode(db, org)
    prescriber = as_role(db, org, Role.prescriber)
    current_plan(db, episode=episode).signed_by_id = prescriber.user.id
    create_site(
        db,
        organization=org,
        name="Harbour Street",
        address="12 Harbour St, Portland",
        phone="+1 503 555 0142",
    )
    discharging = as_role(db, org, Role.nurse)
    dosing = finished_session(db, episode, discharging)
    form = rems_form.build_form(db, dosing=dosing, by=nurse)
    contents = RemsFormContents.model_validate(form.contents)
    patient = db.get(Patient, (org.id, dosing.patient_id))
    assert contents.patient_name == f"{patient.family_name}, {patient.given_name}"
    assert contents.birth_date == patient.birth_date
    assert contents.sex == "female"
    assert contents.rems_enrolled is True
    assert contents.rems_patient_id == "REMS-123"
    assert contents.monitoring_provider == discharging.user.full_name
    assert contents.prescriber == prescriber.user.full_name
    assert contents.monitoring_provider_email == discharging.user.email
    assert contents.monitoring_provider_phone == "+1 503 555 0142"
    assert contents.setting == f"{org.name}, Harbour Street"
    assert contents.setting_address == "12 Harbour St, Portland"
    shown = {line.key: line.value for part in labelled_sections(contents) for line in part.lines}
    assert shown["monitoring_provider"] == (
        f"{discharging.user.full_name} ({discharging.user.email}, +1 503 555 0142)"
    )
    assert shown["setting"] == f"{org.name}, Harbour Street; 12 Harbour St, Portland"
    assert contents.treatment_date == dosing.first_device_at.date()
    assert form.due_on == contents.treatment_date + timedelta(days=7)
    assert contents.session_outcome == "discharged"


def test_a_patient_whose_enrolment_is_not_active_is_reported_not_enrolled(db, org, nurse):
    dosing = _session(db, org, nurse)
    enrolment = db.scalars(
        select(RemsEnrollment).where(RemsEnrollment.patient_id == dosing.patient_id)
    ).one()
    enrolment.status = "entered-in-error"
    db.flush()
    contents = _contents(db, dosing, nurse)
    assert contents.rems_enrolled is False
    assert contents.rems_patient_id is None


# --- first treatment ----------------------------------------------------------------------------


def test_first_treatment_is_yes_for_the_patients_first_esketamine_session(db, org, nurse):
    assert _contents(db, _session(db, org, nurse), nurse).first_treatment is True


def test_first_treatment_is_no_after_an_earlier_session_in_another_episode(db, org, nurse):
    first = esketamine_episode(db, org)
    finished_session(db, first, nurse, minutes=600)
    patient = db.get(Patient, (org.id, first.patient_id))
    later_episode = esketamine_episode(db, org, patient, state="induction")
    later = finished_session(db, later_episode, nurse, minutes=150)
    assert _contents(db, later, nurse).first_treatment is False


def test_an_earlier_session_stopped_before_any_device_does_not_count(db, org, nurse):
    episode = esketamine_episode(db, org)
    stopped = dosing_started(db, episode, nurse)
    stopped.first_device_at = None
    stopped.state = SessionState.aborted.value
    db.flush()
    assert _contents(db, finished_session(db, episode, nurse), nurse).first_treatment is True


def test_a_later_session_does_not_change_the_earlier_forms_first_treatment(db, org, nurse):
    episode = esketamine_episode(db, org)
    earlier = finished_session(db, episode, nurse, minutes=600)
    finished_session(db, episode, nurse, minutes=150)
    assert _contents(db, earlier, nurse).first_treatment is True


# --- concomitant medications --------------------------------------------------------------------


def _medications(db, dosing, *rows):
    intake = Intake(organization_id=dosing.organization_id, episode_id=dosing.episode_id)
    db.add(intake)
    db.flush()
    for name, drug_class, status in rows:
        db.add(
            Medication(
                organization_id=dosing.organization_id,
                intake_id=intake.id,
                name=name,
                drug_class=drug_class,
                status=status,
            )
        )
    db.flush()


def test_concomitant_classes_come_from_the_current_intake_medications(db, org, nurse):
    dosing = _session(db, org, nurse)
    _medications(
        db,
        dosing,
        ("alprazolam", "benzodiazepine", "active"),
        ("zolpidem", "sedative_hypnotic", "active"),
        # No class stored: the catalogue knows the brand name.
        ("Adderall XR", None, "active"),
        ("escitalopram", None, "active"),
        ("oxycodone", "opioid", "entered-in-error"),
    )
    meds = _contents(db, dosing, nurse).concomitant
    assert meds.recorded is True
    assert meds.benzodiazepines == ["alprazolam"]
    assert meds.sedative_hypnotics == ["zolpidem"]
    assert meds.psychostimulants == ["Adderall XR"]
    assert meds.maois == []
    assert meds.opioids == []


def test_an_maoi_and_an_opioid_are_reported(db, org, nurse):
    dosing = _session(db, org, nurse)
    _medications(db, dosing, ("phenelzine", "maoi", "active"), ("tramadol", "opioid", "active"))
    meds = _contents(db, dosing, nurse).concomitant
    assert meds.maois == ["phenelzine"]
    assert meds.opioids == ["tramadol"]
    assert meds.benzodiazepines == []


def test_without_an_intake_the_medications_are_not_recorded(db, org, nurse):
    meds = _contents(db, _session(db, org, nurse), nurse).concomitant
    assert meds.recorded is False


# --- dose and lot -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dose", "given", "category", "mg"),
    [
        ("56", None, "56", "56.00"),
        ("84", None, "84", "84.00"),
        # One of two devices used before the session stopped: 28 mg, written as "other".
        ("56", 1, "other", "28.00"),
        # No device marked given: the administration's dose.
        ("56", 0, "56", "56.00"),
    ],
)
def test_dose_comes_from_the_devices_given_or_the_administration(
    db, org, nurse, dose, given, category, mg
):
    dosing = _session(db, org, nurse)
    administered(db, dosing, nurse, dose=dose, devices_given=given, lot_number="ESK-2291")
    contents = _contents(db, dosing, nurse)
    assert contents.dose_category == category
    assert f"{contents.dose_mg:.2f}" == mg
    assert contents.lot_number == "ESK-2291"


def test_without_an_administration_the_dose_and_lot_are_not_recorded(db, org, nurse):
    contents = _contents(db, _session(db, org, nurse), nurse)
    assert contents.dose_mg is None
    assert contents.dose_category is None
    assert contents.lot_number is None


# --- times and blood pressure -------------------------------------------------------------------


def test_total_minutes_run_from_the_first_device_to_discharge(db, org, nurse):
    contents = _contents(db, _session(db, org, nurse, minutes=150), nurse)
    assert contents.total_minutes == 150


def test_an_aborted_session_counts_minutes_to_its_end(db, org, nurse):
    dosing = _session(db, org, nurse, minutes=45, readings=(), state=SessionState.aborted)
    contents = _contents(db, dosing, nurse)
    assert contents.total_minutes == 45
    assert contents.session_outcome == "aborted"
    assert contents.aborted_reason.startswith("Patient asked to stop")


def test_blood_pressures_before_at_40_minutes_and_before_completion(db, org, nurse):
    readings = (
        (30, {**CALM, "sbp": 138, "dbp": 88}),
        (36, {**CALM, "sbp": 150, "dbp": 95}),
        (43, {**CALM, "sbp": 146, "dbp": 92}),
        (120, {**CALM, "sbp": 124, "dbp": 79}),
    )
    pre = {**NORMAL, "sbp": 118, "dbp": 76}
    contents = _contents(db, _session(db, org, nurse, readings=readings, pre=pre), nurse)
    before, near_40, last = (
        contents.bp_before_dosing,
        contents.bp_at_40_minutes,
        contents.bp_before_completion,
    )
    assert (before.sbp, before.dbp, before.minute) == (118, 76, -5)
    # 43 minutes is nearer 40 than 36 minutes is.
    assert (near_40.sbp, near_40.dbp, near_40.minute) == (146, 92, 43)
    assert (last.sbp, last.dbp, last.minute) == (124, 79, 120)


def test_no_bp_at_40_minutes_when_no_reading_is_within_the_tolerance(db, org, nurse):
    readings = ((30, CALM), (50, CALM), (120, CALM))
    contents = _contents(db, _session(db, org, nurse, readings=readings), nurse)
    assert contents.bp_at_40_minutes is None


def test_a_reading_entered_in_error_is_left_out(db, org, nurse):
    readings = ((40, {**CALM, "sbp": 170, "dbp": 100}), (41, {**CALM, "sbp": 131, "dbp": 84}))
    dosing = _session(db, org, nurse, readings=readings)
    wrong = db.scalars(select(VitalSigns).where(VitalSigns.client_reading_id == "m40")).one()
    wrong.status = "entered-in-error"
    db.flush()
    assert _contents(db, dosing, nurse).bp_at_40_minutes.sbp == 131


# --- acceptable vitals and ready to leave -------------------------------------------------------


def test_vitals_are_acceptable_before_dosing_and_completion_when_within_thresholds(db, org, nurse):
    contents = _contents(db, _session(db, org, nurse), nurse)
    assert contents.vitals_acceptable_before_dosing is True
    assert contents.vitals_acceptable_before_completion is True


def test_vitals_above_the_holds_are_not_acceptable(db, org, nurse):
    readings = ((40, CALM), (120, {**CALM, "spo2": 90}))
    dosing = _session(db, org, nurse, readings=readings)
    pre = db.scalars(select(VitalSigns).where(VitalSigns.client_reading_id == "pre-1")).one()
    pre.sbp, pre.dbp = 152, 96
    db.flush()
    contents = _contents(db, dosing, nurse)
    assert contents.vitals_acceptable_before_dosing is False
    assert contents.vitals_acceptable_before_completion is False


def _acknowledge_all(db, dosing, nurse, minute):
    for alert in monitoring.list_alerts(db, dosing=dosing, by=nurse):
        monitoring.acknowledge_alert(
            db, dosing=dosing, alert_id=alert.id, action_taken="Rechecked and observed", by=nurse
        )
        alert.acknowledged_at = at(dosing, minute)
    db.flush()


def test_ready_to_leave_is_the_first_reading_from_which_every_criterion_held(db, org, nurse):
    readings = (
        (15, CALM),
        (40, {**CALM, "sbp": 184, "dbp": 104}),
        (60, {**NORMAL, "moaas": 4}),
        (75, CALM),
        (90, CALM),
        (120, CALM),
    )
    dosing = _session(db, org, nurse, readings=readings)
    _acknowledge_all(db, dosing, nurse, minute=70)
    contents = _contents(db, dosing, nurse)
    assert contents.ready_to_leave_at == at(dosing, 75)
    assert contents.ready_to_leave_minutes == 75


def test_a_late_acknowledgement_delays_ready_to_leave(db, org, nurse):
    readings = ((15, CALM), (40, {**CALM, "spo2": 90}), (60, CALM), (120, CALM))
    dosing = _session(db, org, nurse, readings=readings)
    _acknowledge_all(db, dosing, nurse, minute=82)
    assert _contents(db, dosing, nurse).ready_to_leave_minutes == 82


def test_never_ready_when_the_last_reading_fails_a_criterion(db, org, nurse):
    readings = ((15, CALM), (120, {**NORMAL, "moaas": 4}))
    contents = _contents(db, _session(db, org, nurse, readings=readings), nurse)
    assert contents.ready_to_leave_at is None
    assert contents.ready_to_leave_minutes is None


def test_an_incomplete_last_vitals_reading_is_not_ready(db, org, nurse):
    readings = ((15, CALM), (100, {"sbp": 120, "dbp": 80}))
    contents = _contents(db, _session(db, org, nurse, readings=readings), nurse)
    assert contents.ready_to_leave_at is None


# --- sedation, dissociation, respiratory depression, serious events ----------------------------


@pytest.mark.parametrize(("moaas", "sedated"), [(3, True), (4, False)])
def test_sedation_is_any_moaas_of_3_or_lower(db, org, nurse, moaas, sedated):
    readings = ((30, {**NORMAL, "moaas": moaas}), (120, CALM))
    contents = _contents(db, _session(db, org, nurse, readings=readings), nurse)
    assert contents.sedation is sedated


def _cadss(db, dosing, total, *, instrument="cadss6", status="active"):
    db.add(
        AssessmentResponse(
            organization_id=dosing.organization_id,
            patient_id=dosing.patient_id,
            episode_id=dosing.episode_id,
            encounter_id=dosing.id,
            instrument_id=instrument,
            instrument_version="1",
            answers=[],
            total=total,
            scores={},
            completed_at=at(dosing, 40),
            completed_by="clinician",
            setting="dosing",
            status=status,
        )
    )
    db.flush()


@pytest.mark.parametrize(
    ("scores", "dissociated"),
    [
        ([("cadss6", 2, "active"), ("cadss", 5, "active")], True),
        ([("cadss6", 4, "active")], False),
        # A response marked entered-in-error is left out.
        ([("cadss", 12, "entered-in-error")], False),
    ],
)
def test_dissociation_is_any_cadss_total_above_4(db, org, nurse, scores, dissociated):
    dosing = _session(db, org, nurse)
    for instrument, total, status in scores:
        _cadss(db, dosing, total, instrument=instrument, status=status)
    assert _contents(db, dosing, nurse).dissociation is dissociated


def test_a_low_respiratory_rate_alert_is_respiratory_depression(db, org, nurse):
    readings = ((30, {**CALM, "rr": 8}), (120, CALM))
    contents = _contents(db, _session(db, org, nurse, readings=readings), nurse)
    assert contents.respiratory_depression is True


def test_a_respiratory_depression_adverse_event_is_respiratory_depression(db, org, nurse):
    dosing = _session(db, org, nurse)
    adverse_event(db, dosing, event_type="respiratory_depression")
    assert _contents(db, dosing, nurse).respiratory_depression is True


def test_no_respiratory_depression_when_the_only_low_spo2_was_entered_in_error(db, org, nurse):
    readings = ((30, {**CALM, "spo2": 89}), (120, CALM))
    dosing = _session(db, org, nurse, readings=readings)
    wrong = db.scalars(select(VitalSigns).where(VitalSigns.client_reading_id == "m30")).one()
    wrong.status = "entered-in-error"
    adverse_event(db, dosing, event_type="respiratory_depression", status="entered-in-error")
    contents = _contents(db, dosing, nurse)
    assert contents.respiratory_depression is False
    assert contents.sedation is False
    assert contents.dissociation is False


def test_only_serious_adverse_events_not_entered_in_error_are_listed(db, org, nurse):
    dosing = _session(db, org, nurse)
    adverse_event(db, dosing, event_type="hypertension", serious=True)
    adverse_event(db, dosing, event_type="headache")
    adverse_event(
        db, dosing, event_type="emergence_reaction", serious=True, status="entered-in-error"
    )
    [event] = _contents(db, dosing, nurse).serious_adverse_events
    assert (event.event_type, event.outcome, event.severity) == (
        "hypertension",
        "resolved",
        "severe",
    )


def test_no_serious_adverse_events_is_an_empty_list(db, org, nurse):
    assert _contents(db, _session(db, org, nurse), nurse).serious_adverse_events == []


# --- which sessions get a form, and who builds it -------------------------------------------------


def test_a_racemic_ketamine_session_needs_no_form(db, org, nurse):
    dosing = dosing_started(db, ready_episode(db, org), nurse)
    dosing.state = SessionState.discharged.value
    with pytest.raises(RemsFormNotNeeded, match="esketamine"):
        rems_form.build_form(db, dosing=dosing, by=nurse)


def test_a_session_still_being_monitored_gets_no_form_yet(db, org, nurse):
    dosing = dosing_started(db, esketamine_episode(db, org), nurse)
    with pytest.raises(RemsFormNotNeeded, match="dosing"):
        rems_form.build_form(db, dosing=dosing, by=nurse)


def test_an_aborted_session_after_a_first_device_gets_a_form(db, org, nurse):
    dosing = _session(db, org, nurse, minutes=20, readings=(), state=SessionState.aborted)
    assert rems_form.build_form(db, dosing=dosing, by=nurse).session_id == dosing.id


@pytest.mark.parametrize("role", [Role.therapist, Role.front_desk, Role.admin])
def test_roles_other_than_prescriber_and_nurse_cannot_build(db, org, nurse, role):
    dosing = _session(db, org, nurse)
    with pytest.raises(Forbidden):
        rems_form.build_form(db, dosing=dosing, by=as_role(db, org, role))


def test_a_rebuild_refreshes_the_contents_and_the_version(db, org, nurse):
    dosing = _session(db, org, nurse)
    form = rems_form.build_form(db, dosing=dosing, by=nurse)
    first_version = form.version
    adverse_event(db, dosing, event_type="hypertension", serious=True)
    again = rems_form.build_form(db, dosing=dosing, by=nurse)
    assert again.id == form.id
    assert again.version == first_version + 1
    assert again.contents["serious_adverse_events"][0]["event_type"] == "hypertension"


def test_builds_reads_and_downloads_are_audited_with_the_patient(db, org, nurse):
    dosing = _session(db, org, nurse)
    rems_form.build_form(db, dosing=dosing, by=nurse)
    rems_form.get_form(db, dosing=dosing, by=nurse)
    rems_form.download_pdf(db, dosing=dosing, by=nurse)
    actions = {
        event["action"]
        for event in db.info["pending_audit_events"]
        if event["resource_id"] == str(dosing.id) and event["patient_id"] == dosing.patient_id
    }
    assert {"rems_form.build", "rems_form.read", "rems_form.download_pdf"} <= actions


# --- the PDF ------------------------------------------------------------------------------------


def test_the_pdf_prints_every_labelled_field_the_clinic_and_the_day(db, org, nurse):
    dosing = _session(db, org, nurse)
    administered(db, dosing, nurse, dose="84", lot_number="ESK-7731")
    form = rems_form.build_form(db, dosing=dosing, by=nurse)
    contents = RemsFormContents.model_validate(form.contents)
    sections = labelled_sections(contents)
    keys = [line.key for section in sections for line in section.lines]
    assert keys == EVERY_FIELD
    pdf = form_pdf(form, generated_on=date(2026, 3, 4), compress=False)
    assert pdf.startswith(b"%PDF")
    assert b"/Count 1\n" in pdf  # one page
    for line in (line for section in sections for line in section.lines):
        assert pdf_text(line.label) in pdf, line.label
    assert pdf_text(contents.patient_name) in pdf
    assert b"ESK-7731" in pdf
    assert b"84 mg" in pdf
    assert pdf_text(f"Clinic: {org.name}") in pdf
    assert b"Generated by OpenKAP on 2026-03-04" in pdf


def test_the_pdf_is_compressed_by_default_and_still_a_pdf(db, org, nurse):
    dosing = _session(db, org, nurse)
    form = rems_form.build_form(db, dosing=dosing, by=nurse)
    pdf = form_pdf(form)
    assert pdf.startswith(b"%PDF")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert b"Generated by OpenKAP" not in pdf


def test_names_outside_latin_1_are_printed_with_their_base_letters(db, org, nurse):
    dosing = _session(db, org, nurse)
    patient = db.get(Patient, (org.id, dosing.patient_id))
    patient.family_name, patient.given_name = "Wałęsa", "Łucja 李"
    db.flush()
    form = rems_form.build_form(db, dosing=dosing, by=nurse)
    assert form.contents["patient_name"] == "Wałęsa, Łucja 李"
    assert b"Walesa, Lucja ?" in form_pdf(form, compress=False)


# --- submission ---------------------------------------------------------------------------------


def _built(db, org, nurse):
    dosing = _session(db, org, nurse)
    return dosing, rems_form.build_form(db, dosing=dosing, by=nurse)


def test_a_submission_records_the_day_the_number_and_who(db, org, nurse):
    dosing, form = _built(db, org, nurse)
    day = dosing.first_device_at.date()
    rems_form.mark_submitted(
        db, form=form, submitted_on=day, confirmation_number=" C-55 ", by=nurse
    )
    assert (form.submitted_on, form.confirmation_number) == (day, "C-55")
    assert form.submitted_by_id == nurse.user.id
    actions = [e["action"] for e in db.info["pending_audit_events"]]
    assert "rems_form.submit" in actions


def test_a_submission_dated_in_the_future_is_refused(db, org, nurse):
    _, form = _built(db, org, nurse)
    tomorrow = utcnow().date() + timedelta(days=1)
    with pytest.raises(InvalidRemsInput) as refused:
        rems_form.mark_submitted(
            db, form=form, submitted_on=tomorrow, confirmation_number=None, by=nurse
        )
    assert refused.value.field == "submitted_on"
    assert form.submitted_on is None


def test_a_submission_before_the_treatment_date_is_refused(db, org, nurse):
    dosing, form = _built(db, org, nurse)
    before = dosing.first_device_at.date() - timedelta(days=1)
    with pytest.raises(InvalidRemsInput, match="before the treatment date"):
        rems_form.mark_submitted(
            db, form=form, submitted_on=before, confirmation_number=None, by=nurse
        )


def test_a_submitted_form_is_frozen(db, org, nurse):
    dosing, form = _built(db, org, nurse)
    day = dosing.first_device_at.date()
    rems_form.mark_submitted(db, form=form, submitted_on=day, confirmation_number=None, by=nurse)
    frozen = dict(form.contents)
    adverse_event(db, dosing, event_type="hypertension", serious=True)
    with pytest.raises(RemsFormSubmitted):
        rems_form.build_form(db, dosing=dosing, by=nurse)
    with pytest.raises(RemsFormSubmitted):
        rems_form.mark_submitted(
            db, form=form, submitted_on=day, confirmation_number=None, by=nurse
        )
    assert form.contents == frozen


def test_a_submission_of_an_older_version_is_refused(db, org, nurse):
    dosing, form = _built(db, org, nurse)
    read_version = form.version
    rems_form.build_form(db, dosing=dosing, by=nurse)
    with pytest.raises(StaleRemsForm):
        rems_form.mark_submitted(
            db,
            form=form,
            submitted_on=dosing.first_device_at.date(),
            confirmation_number=None,
            expected_version=read_version,
            by=nurse,
        )
    assert form.submitted_on is None


def test_a_therapist_cannot_submit(db, org, nurse):
    dosing, form = _built(db, org, nurse)
    with pytest.raises(Forbidden):
        rems_form.mark_submitted(
            db,
            form=form,
            submitted_on=dosing.first_device_at.date(),
            confirmation_number=None,
            by=as_role(db, org, Role.therapist),
        )


# --- what is due --------------------------------------------------------------------------------


def _shift_days(db, dosing, days):
    for name in ("dosing_started_at", "first_device_at", "ended_at", "discharged_at"):
        value = getattr(dosing, name)
        if value is not None:
            setattr(dosing, name, value - timedelta(days=days))
    db.flush()


def test_forms_due_lists_unsubmitted_esketamine_sessions_most_urgent_first(db, org, nurse):
    episode = esketamine_episode(db, org)
    recent = finished_session(db, episode, nurse)
    old = finished_session(db, episode, nurse)
    _shift_days(db, old, 10)
    stopped = finished_session(db, episode, nurse, readings=(), state=SessionState.aborted)
    _shift_days(db, stopped, 3)
    rems_form.build_form(db, dosing=stopped, by=nurse)
    submitted = finished_session(db, episode, nurse)
    form = rems_form.build_form(db, dosing=submitted, by=nurse)
    rems_form.mark_submitted(
        db, form=form, submitted_on=utcnow().date(), confirmation_number=None, by=nurse
    )
    dosing_started(db, episode, nurse)  # still in the chair: no form yet
    racemic = dosing_started(db, ready_episode(db, org), nurse)
    racemic.state = SessionState.discharged.value
    other_clinic = make_org(db)
    finished_session(
        db, esketamine_episode(db, other_clinic), as_role(db, other_clinic, Role.nurse)
    )
    today = utcnow().date()

    page = rems_form.forms_due(db, by=nurse, today=today)

    assert [item.session_id for item in page.items] == [old.id, stopped.id, recent.id]
    assert page.total == 3
    assert page.next_offset is None
    old_item, stopped_item, recent_item = page.items
    # The sessions began 150 minutes ago: yesterday when the test runs just after midnight.
    late = (today - recent.first_device_at.date()).days
    assert late in (0, 1)
    assert old_item.due_on == old.first_device_at.date() + timedelta(days=7)
    assert (old_item.status, old_item.days_left) == ("overdue", -3 - late)
    assert (stopped_item.status, stopped_item.days_left) == ("due", 4 - late)
    assert stopped_item.form_id is not None
    assert recent_item.form_id is None
    assert recent_item.status == "due"


def test_a_form_becomes_overdue_the_day_after_its_due_date(db, org, nurse):
    dosing = _session(db, org, nurse)
    due_on = dosing.first_device_at.date() + timedelta(days=7)
    [on_the_day] = rems_form.forms_due(db, by=nurse, today=due_on).items
    [day_after] = rems_form.forms_due(db, by=nurse, today=due_on + timedelta(days=1)).items
    assert (on_the_day.status, on_the_day.days_left) == ("due", 0)
    assert (day_after.status, day_after.days_left) == ("overdue", -1)


def test_forms_due_is_paginated(db, org, nurse):
    episode = esketamine_episode(db, org)
    sessions = [finished_session(db, episode, nurse) for _ in range(3)]
    for days, dosing in enumerate(sessions):
        _shift_days(db, dosing, 3 - days)
    today = utcnow().date()
    first = rems_form.forms_due(db, by=nurse, today=today, limit=2)
    second = rems_form.forms_due(db, by=nurse, today=today, limit=2, offset=first.next_offset)
    assert [i.session_id for i in first.items + second.items] == [s.id for s in sessions]
    assert (first.total, first.next_offset, second.next_offset) == (3, 2, None)
    with pytest.raises(InvalidRemsInput) as refused:
        rems_form.forms_due(db, by=nurse, today=today, limit=101)
    assert refused.value.field == "limit"


def test_medications_reported_at_the_chair_are_concomitant_medications(db, org, nurse):
    dosing = _session(db, org, nurse)
    # The day's answer, as the checklist stores it once a prescriber has allowed the dose.
    db.add(
        ChecklistItem(
            organization_id=org.id,
            session_id=dosing.id,
            item_key="medications_since_last_visit",
            value="lorazepam, other: vitamin D",
            recorded_by_id=nurse.user.id,
            at=utcnow(),
        )
    )
    db.flush()
    form = rems_form.build_form(db, dosing=dosing, by=nurse)
    contents = RemsFormContents.model_validate(form.contents)
    assert contents.concomitant.recorded is True
    assert contents.concomitant.benzodiazepines == ["lorazepam"]
    assert contents.concomitant.opioids == []
