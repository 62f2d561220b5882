"""`openkap demo`: the synthetic clinic walks step 1 of the pathway through the services."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from openkap.accounts.demo import demo_email
from openkap.assessments.models import AssessmentResponse
from openkap.cli.demo import GENERATORS, progress_total
from openkap.cli.main import app
from openkap.core import config
from openkap.core import db as core_db
from openkap.core.database.migrate import upgrade
from openkap.core.database.tenancy import all_tenants
from openkap.core.db import build_engine, session_scope
from openkap.core.dea import dea_registration_problem
from openkap.core.demo import DemoContext
from openkap.core.models import Site, User
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.models import (
    Administration,
    AdverseEvent,
    DosingSession,
    RemsMonitoringForm,
    SessionAlert,
    VitalSigns,
)
from openkap.episodes.models import Episode, EpisodeState
from openkap.episodes.pathway import blockers
from openkap.followup.models import Review, UrgentAlert
from openkap.intake.models import ScreeningOutcome, ScreeningOverride, ScreeningRun
from openkap.inventory.counts.biennial import biennial_inventory
from openkap.inventory.models import EntryKind, InventoryCount, LedgerEntry, LotBalance
from openkap.patients.models import Patient, WeightMeasurement
from openkap.patients.weight_check import weight_change
from openkap.plans import readiness
from openkap.plans.models import Drug, PlanStatus, TreatmentPlan
from openkap.therapy.models import TherapyNote

PATIENTS, SEED = 40, 7
S = EpisodeState
READY_OR_LATER = frozenset({S.ready, S.induction, S.integration, S.maintenance, S.completed})


@dataclass
class Demo:
    engine: Engine
    loaded: Result
    verified: Result


def _load_demo(path: Path, seed: int) -> Demo:
    """Migrate a fresh SQLite database, load the demo through the CLI, then verify the audit."""
    url = f"sqlite:///{path}"
    engine = build_engine(url)
    upgrade(engine)
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPENKAP_DATABASE_URL", url)
        config.get_settings.cache_clear()
        core_db.get_engine.cache_clear()
        try:
            loaded = runner.invoke(app, ["demo", "--patients", str(PATIENTS), "--seed", str(seed)])
            verified = runner.invoke(app, ["audit", "verify"])
        finally:
            core_db.get_engine().dispose()
            config.get_settings.cache_clear()
            core_db.get_engine.cache_clear()
    return Demo(engine=engine, loaded=loaded, verified=verified)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    loaded = _load_demo(tmp_path_factory.mktemp("demo") / "demo.sqlite3", SEED)
    yield loaded
    loaded.engine.dispose()


@pytest.fixture
def session(demo: Demo) -> Iterator[Session]:
    with Session(demo.engine) as session, all_tenants(session):
        yield session


def _episode_of(session: Session, plan: TreatmentPlan) -> Episode:
    episode = session.get(Episode, (plan.organization_id, plan.episode_id))
    assert episode is not None
    return episode


def _names_and_states(session: Session) -> list[tuple[str, str, str]]:
    rows = session.execute(
        select(Patient.family_name, Patient.given_name, Episode.state).join(
            Episode, Episode.patient_id == Patient.id
        )
    ).all()
    return sorted((family, given, state) for family, given, state in rows)


def test_demo_command_loads_the_clinic(demo):
    assert demo.loaded.exit_code == 0, demo.loaded.output
    assert f"Created a clinic with {PATIENTS} patients" in demo.loaded.output


def test_episodes_end_up_in_every_state_of_the_pathway(session):
    states = set(session.scalars(select(Episode.state)))
    assert states == {state.value for state in EpisodeState}


def test_screenings_include_ineligible_runs_and_prescriber_overrides(session):
    outcomes = set(session.scalars(select(ScreeningRun.outcome)))
    assert {ScreeningOutcome.ineligible.value, ScreeningOutcome.needs_review.value} <= outcomes
    overrides = session.scalars(select(ScreeningOverride)).all()
    assert overrides
    assert all(len(o.justification) >= 20 for o in overrides)


def test_episodes_at_ready_or_later_meet_every_requirement_of_ready(session):
    later = [e for e in session.scalars(select(Episode)) if S(e.state) in READY_OR_LATER]
    assert later
    assert {e.id: blockers(session, episode=e, to_state=S.ready) for e in later} == {
        e.id: [] for e in later
    }


def test_no_episode_that_reached_ready_stands_on_an_unoverridden_ineligible_screening(session):
    for episode in session.scalars(select(Episode)):
        if S(episode.state) not in READY_OR_LATER:
            continue
        runs = session.scalars(
            select(ScreeningRun).where(ScreeningRun.episode_id == episode.id)
        ).all()
        for run in runs:
            if run.outcome == ScreeningOutcome.ineligible.value:
                overridden = session.scalars(
                    select(ScreeningOverride).where(ScreeningOverride.run_id == run.id)
                ).first()
                assert overridden is not None


def test_signed_plans_that_reached_ready_have_a_witnessed_consent_for_their_route(session):
    signed = session.scalars(
        select(TreatmentPlan).where(TreatmentPlan.status == PlanStatus.signed.value)
    ).all()
    reached = [p for p in signed if S(_episode_of(session, p).state) in READY_OR_LATER]
    assert reached
    for plan in reached:
        episode = _episode_of(session, plan)
        consent = readiness.valid_consent(
            session, episode=episode, route=plan.route, drug=plan.drug
        )
        assert consent is not None
        assert consent.witness_id != consent.created_by_id
        patient = session.get(Patient, (episode.organization_id, episode.patient_id))
        assert consent.signed_name == f"{patient.given_name} {patient.family_name}"


def test_every_esketamine_plan_that_reached_ready_has_rems_enrolment(session):
    for plan in session.scalars(
        select(TreatmentPlan).where(TreatmentPlan.drug == Drug.esketamine.value)
    ):
        episode = _episode_of(session, plan)
        if S(episode.state) in READY_OR_LATER:
            assert readiness.rems_enrolment(session, patient_id=episode.patient_id) is not None


def test_audit_chain_verifies_after_loading_the_demo(demo):
    assert demo.verified.exit_code == 0, demo.verified.output
    assert "intact" in demo.verified.output


def test_the_same_seed_gives_the_same_patients_in_the_same_states(demo, tmp_path):
    again = _load_demo(tmp_path / "again.sqlite3", SEED)
    try:
        assert again.loaded.exit_code == 0, again.loaded.output
        with (
            Session(demo.engine) as first,
            all_tenants(first),
            Session(again.engine) as second,
            all_tenants(second),
        ):
            assert _names_and_states(first) == _names_and_states(second)
    finally:
        again.engine.dispose()


def test_generators_advance_the_progress_exactly_to_its_total(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'progress.sqlite3'}")
    upgrade(engine)
    steps: list[int] = []
    try:
        with session_scope(engine) as session, all_tenants(session):
            context = DemoContext(session=session, seed=3, patient_count=12, advance=steps.append)
            for generate in GENERATORS:
                generate(context)
    finally:
        engine.dispose()
    assert sum(steps) == progress_total(12)


def _sessions(session: Session) -> list[DosingSession]:
    return list(session.scalars(select(DosingSession)))


def test_demo_dosing_sessions_run_to_discharge_with_an_administration_from_the_ledger(session):
    dosings = _sessions(session)
    assert dosings, "courses that reached induction have dosing sessions"
    assert {d.state for d in dosings} == {"discharged"}
    given = session.scalars(select(Administration)).all()
    assert len(given) == len(dosings)
    drawn = session.scalars(
        select(LedgerEntry.id).where(LedgerEntry.kind == EntryKind.administration.value)
    ).all()
    assert {a.ledger_entry_id for a in given} == set(drawn)


def test_demo_blood_pressure_peaks_near_40_minutes_and_returns(session):
    for dosing in _sessions(session):
        readings = session.scalars(
            select(VitalSigns).where(VitalSigns.session_id == dosing.id)
        ).all()
        after = [r for r in readings if r.minute_offset is not None and r.minute_offset >= 0]
        peak = max(after, key=lambda r: r.sbp or 0)
        last = max(after, key=lambda r: r.minute_offset or 0)
        first = min(readings, key=lambda r: r.measured_at)
        assert peak.minute_offset == 40
        assert last.sbp is not None
        assert first.sbp is not None
        assert abs(last.sbp - first.sbp) <= 5


def test_demo_alerts_are_acknowledged_with_an_action_and_adverse_events_have_rescue(session):
    alerts = session.scalars(select(SessionAlert)).all()
    assert alerts
    assert all(a.acknowledged_at is not None and a.action_taken for a in alerts)
    events = session.scalars(select(AdverseEvent)).all()
    assert events
    assert all(e.rescue_drug and e.rescue_dose and e.rescue_given_at for e in events)


def test_demo_esketamine_sessions_have_rems_forms_all_submitted_but_the_newest(session):
    esketamine = [d for d in _sessions(session) if d.drug == Drug.esketamine.value]
    assert esketamine
    forms = {f.session_id: f for f in session.scalars(select(RemsMonitoringForm))}
    assert {d.id for d in esketamine} == set(forms)
    newest = {}
    for dosing in sorted(esketamine, key=lambda d: d.scheduled_for):
        newest[dosing.episode_id] = dosing.id
    for dosing in esketamine:
        submitted = forms[dosing.id].submitted_on is not None
        assert submitted == (dosing.id not in newest.values())


def test_demo_ledger_balances_and_its_counts_are_signed(session):
    for balance in session.scalars(select(LotBalance)):
        entries = session.scalars(
            select(LedgerEntry.quantity_mg).where(
                LedgerEntry.lot_id == balance.lot_id,
                LedgerEntry.location_id == balance.location_id,
            )
        ).all()
        assert balance.balance_mg == sum(entries) >= 0
    counts = session.scalars(select(InventoryCount).order_by(InventoryCount.started_at)).all()
    assert [c.status for c in counts] == ["completed", "completed"]
    discrepant = counts[1]
    assert discrepant.explanation
    assert discrepant.second_signer_id not in (None, discrepant.first_signer_id)


def test_demo_ledger_obeys_the_truthful_ledger_rules(session):
    sites = session.scalars(select(Site)).all()
    assert sites
    assert all(s.address and dea_registration_problem(s.dea_registration) is None for s in sites)
    receipts = session.scalars(
        select(LedgerEntry).where(LedgerEntry.kind == EntryKind.receipt.value)
    ).all()
    assert receipts
    assert all(r.supplier_address and r.supplier_dea_registration for r in receipts)
    witnessed = session.scalars(
        select(LedgerEntry).where(LedgerEntry.witness_id.is_not(None))
    ).all()
    assert {e.witness_method for e in witnessed} == {"password", "count_signature"}
    nurse = session.scalars(select(User).where(User.email == demo_email("nurse"))).one()
    report = biennial_inventory(
        session, by=Principal(user=nurse, client_address="test"), as_of=utcnow().date()
    )
    assert report.lines
    assert any(line.estimated for line in report.lines)
    assert {line.site.dea_registration for line in report.lines} == {"FR1234563"}


def test_demo_sessions_have_signed_support_notes_and_most_an_integration_note(session):
    dosings = _sessions(session)
    notes = session.scalars(select(TherapyNote)).all()
    support = {n.dosing_session_id for n in notes if n.note_type == "dosing_support"}
    integrated = {n.dosing_session_id for n in notes if n.note_type == "integration"}
    assert {d.id for d in dosings} == support
    assert all(n.status == "signed" for n in notes)
    assert 0.7 * len(dosings) <= len(integrated) < len(dosings)


def test_demo_patients_answer_after_the_first_dose_and_relapses_open_reviews(session):
    first_doses = {}
    for dosing in _sessions(session):
        known = first_doses.get(dosing.episode_id)
        if known is None or dosing.first_device_at < known:
            first_doses[dosing.episode_id] = dosing.first_device_at
    answered_next_day = 0
    for episode_id, first in first_doses.items():
        times = session.scalars(
            select(AssessmentResponse.completed_at).where(
                AssessmentResponse.episode_id == episode_id,
                AssessmentResponse.instrument_id == "phq9",
                AssessmentResponse.completed_at > first,
            )
        ).all()
        answered_next_day += any(t - first <= timedelta(hours=25) for t in times)
    assert answered_next_day == len(first_doses)
    reviews = session.scalars(select(Review)).all()
    assert reviews
    assert all(r.evidence["rule"] == "relapse_confirmed" for r in reviews)
    assert all(5 <= r.evidence["days_apart"] <= 15 for r in reviews)


def test_demo_patients_have_heights_and_no_unconfirmed_implausible_weight(session):
    assert session.scalars(select(Patient).where(Patient.height_cm.is_(None))).first() is None
    rows = session.scalars(
        select(WeightMeasurement)
        .where(WeightMeasurement.status == "active")
        .order_by(WeightMeasurement.patient_id, WeightMeasurement.measured_on)
    ).all()
    by_patient: dict[object, list[WeightMeasurement]] = {}
    for row in rows:
        by_patient.setdefault(row.patient_id, []).append(row)
    for history in by_patient.values():
        for before, after in itertools.pairwise(history):
            change = weight_change(before, weight_kg=after.weight_kg, measured_on=after.measured_on)
            assert change is None or after.change_reason, (before.weight_kg, after.weight_kg)


def test_demo_suicide_risk_answers_raised_alerts_assessed_before_the_next_dose(session):
    responses = session.scalars(select(AssessmentResponse)).all()
    flagged = {r.id for r in responses if "suicide_risk" in r.flags}
    alerts = session.scalars(select(UrgentAlert)).all()
    assert flagged
    assert flagged <= {a.response_id for a in alerts}
    assert all(a.status == "acknowledged" and a.risk_level for a in alerts)
    doses = [(d.patient_id, d.first_device_at) for d in _sessions(session) if d.first_device_at]
    # No dose was given while an alert of its patient stood unassessed (the pre-dose hard stop).
    assert not [
        (a.id, at)
        for a in alerts
        for patient_id, at in doses
        if patient_id == a.patient_id and a.raised_at <= at <= a.acknowledged_at
    ]
