"""Synthetic intakes and screenings: histories that fit each course, through the services.

Each course that gets past referral has its intake written section by section by the staff who
would write it, with the baseline instruments; then the intake is completed, screened, and, where
the course calls for it, a prescriber overrides the screening with a written justification.
"""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openkap.assessments.schemas import AssessmentCreate, CompletedBy
from openkap.core.demo import DemoContext
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import clock_set_to
from openkap.episodes import pathway
from openkap.episodes.demo import Course, at, courses, follow_courses
from openkap.episodes.models import EpisodeState as S
from openkap.intake import demo_history as history
from openkap.intake.models import Intake, ScreeningOutcome
from openkap.intake.record.overview import complete_intake, record_baseline
from openkap.intake.record.schemas import CREATE_SCHEMAS, IntakeUpdate, ItemKind
from openkap.intake.record.sections import SECTION_FIELDS, Section
from openkap.intake.record.service import add_item, body_measures, get_intake, record_intake_weight
from openkap.intake.record.service import update_intake as save_intake
from openkap.intake.screening.facts import age_on
from openkap.intake.screening.service import override_screening, run_screening
from openkap.patients.schemas import WeightCreate


@dataclass(frozen=True)
class Concern:
    """A finding written into an intake that screening catches, and why a prescriber may treat."""

    name: str
    outcome: ScreeningOutcome
    fields: dict[str, Any] = field(default_factory=dict)
    codes: tuple[str, ...] = ()
    medication: tuple[str, str] | None = None
    substance: tuple[str, str] | None = None
    justifications: tuple[str, ...] = ()  # none: never overridden
    childbearing: bool = False  # only for a patient of childbearing age, female at birth


_REVIEW, _ABSOLUTE = ScreeningOutcome.needs_review, ScreeningOutcome.ineligible
CONCERNS = (
    Concern(
        "hypertension",
        _REVIEW,
        {"hypertension": "controlled", "baseline_sbp": 150, "baseline_dbp": 94},
        ("I10",),
        ("amlodipine", "5 mg daily"),
        justifications=(
            "Essential hypertension treated with amlodipine; four weeks of home readings average "
            "132/82 and the intake reading followed a rushed arrival. Check BP before each dose; "
            "hold if above 160/100; clonidine available on the unit.",
            "Reading at intake was taken after a long drive; repeat seated readings with the "
            "primary care physician are 128-136/80-86 on amlodipine. Treat with pre-dose and "
            "40-minute BP checks and a hold threshold of 160/100.",
        ),
    ),
    Concern(
        "past_psychosis",
        _REVIEW,
        {"psychosis": "past"},
        ("F23",),
        justifications=(
            "Single brief psychotic episode in 2009 during heavy cannabis use, resolved within "
            "a week, no recurrence and no antipsychotic for 16 years. Severe, chronic symptoms; "
            "patient informed of the risk. Therapist present throughout; stop at any sign of "
            "psychotic symptoms.",
        ),
    ),
    Concern(
        "breastfeeding",
        _REVIEW,
        {"breastfeeding": True},
        ("Z39.1",),
        childbearing=True,
        justifications=(
            "Severe symptoms since the birth despite medication and psychotherapy. Limited "
            "lactation data discussed with the patient and her obstetrician: she will pump and "
            "discard milk for 24 hours after each dose and feed stored milk. Informed choice.",
        ),
    ),
    Concern(
        "recent_suicidal_behaviour",
        _REVIEW,
        {"recent_suicidal_behaviour": True, "safety_plan_in_place": True, "suicide_attempts": 1},
        ("Z91.51",),
        justifications=(
            "Overdose shortly before referral, medically treated, no intent since. Written safety "
            "plan reviewed with the patient and partner, medicines locked away, weekly therapy. "
            "Severity calls for a rapid-acting treatment; C-SSRS repeated before every session.",
        ),
    ),
    Concern(
        "alcohol_use_disorder",
        _REVIEW,
        codes=("F10.20",),
        substance=("alcohol", "current_use_disorder"),
    ),
    Concern("interstitial_cystitis", _REVIEW, {"interstitial_cystitis": True}, ("N30.10",)),
    Concern("unstable_heart", _REVIEW, {"cardiovascular_disease": "unstable"}, ("I20.9",)),
    Concern(
        "arteriovenous_malformation",
        _ABSOLUTE,
        {"arteriovenous_malformation": True},
        ("Q28.2",),
        justifications=(
            "Cerebral AVM resected in 2015; post-operative and 2024 angiography confirm complete "
            "obliteration, and neurosurgery (letter on file) sees no residual bleeding risk from "
            "brief rises in blood pressure. BP checked at 0, 15, 30 and 40 minutes; hold if "
            "above 150/95.",
        ),
    ),
    Concern(
        "aneurysm",
        _ABSOLUTE,
        {"aneurysmal_vascular_disease": True},
        ("I67.1",),
        justifications=(
            "3 mm unruptured intracranial aneurysm, unchanged on MRA over six years; "
            "neurosurgery and cardiology both cleared treatment. Conservative dose, BP ceiling "
            "150/95 before dosing, labetalol at hand, monitoring every 10 minutes.",
        ),
    ),
    Concern(
        "intracerebral_haemorrhage",
        _ABSOLUTE,
        {"intracerebral_haemorrhage": True},
        ("I61.9",),
    ),
    Concern(
        "ketamine_hypersensitivity",
        _ABSOLUTE,
        {"ketamine_hypersensitivity": True},
        ("Z88.4",),
    ),
)


NO_CONCERN = Concern("none", ScreeningOutcome.eligible)


def generate(context: DemoContext) -> None:
    """Write the intakes, run the screenings and record the overrides the courses call for."""
    dealt = _deal_concerns(context)
    follow_courses(
        context, lambda course: _assess(context, course, dealt.get(course.episode.id, NO_CONCERN))
    )


def _deal_concerns(context: DemoContext) -> dict[uuid.UUID, Concern]:
    """Give every screened course the finding its outcome needs, and a share of cleared ones."""
    rng, dealt = context.rng, {}
    cleared = [c for c in courses(context) if c.cleared]
    deck = [_REVIEW] + ([_ABSOLUTE] if len(cleared) >= 8 else [])
    deck += rng.choices(
        (ScreeningOutcome.eligible, _REVIEW, _ABSOLUTE), (78, 18, 4), k=len(cleared) - len(deck)
    )
    rng.shuffle(deck)
    for course, outcome in zip(cleared, deck, strict=False):
        if outcome is not ScreeningOutcome.eligible:
            dealt[course.episode.id] = _concern(context, course, outcome, overridable=True)
    for course in courses(context):
        if course.reach in (S.needs_review, S.ineligible):
            outcome = ScreeningOutcome(course.reach.value)
            dealt[course.episode.id] = _concern(context, course, outcome)
    return dealt


def _concern(
    context: DemoContext, course: Course, outcome: ScreeningOutcome, *, overridable: bool = False
) -> Concern:
    age = age_on(course.patient.birth_date, course.intake_on)
    childbearing = course.patient.sex_at_birth == "female" and age < 45
    fitting = [
        c
        for c in CONCERNS
        if c.outcome is outcome
        and (childbearing or not c.childbearing)
        and (c.justifications or not overridable)
    ]
    return context.rng.choice(fitting)


def _assess(context: DemoContext, course: Course, concern: Concern) -> None:
    if not course.reaches(S.intake):
        return
    intake = get_intake(context.session, episode=course.episode, by=course.nurse)
    answers = history.answers(context, course, concern.fields)
    rows = _rows(context, course, concern, answers)
    first = (Section.presenting, Section.psychiatric)
    _write(
        context, course, intake, answers, first, rows, (ItemKind.diagnoses, ItemKind.medications)
    )
    if course.reach == S.intake:
        return  # the intake is still being written
    # Half the courses waiting in screening were screened before the vitals were taken.
    early_run = course.reach == S.screening and context.rng.random() < 0.5
    lists = (ItemKind.substance_use, ItemKind.prior_treatments, ItemKind.goals)
    _write(context, course, intake, answers, (Section.medical,), rows, lists)
    _weigh(context, course, intake)
    _baselines(context, course, answers)
    if not early_run:
        _write(context, course, intake, answers, (Section.vitals,), rows, ())
        complete_intake(context.session, intake=intake, episode=course.episode, by=course.therapist)
    _screen(context, course, concern, early_run=early_run)


def _rows(
    context: DemoContext, course: Course, concern: Concern, answers: dict[str, Any]
) -> dict[ItemKind, list[dict[str, Any]]]:
    trials = history.prior_treatments(context, course)
    return {
        ItemKind.diagnoses: history.diagnoses(context, course, answers, concern.codes),
        ItemKind.medications: history.medications(context, course, trials, concern.medication),
        ItemKind.substance_use: history.substance_use(context, course, concern.substance),
        ItemKind.prior_treatments: trials,
        ItemKind.goals: history.goals(context, course),
    }


def _write(
    context: DemoContext,
    course: Course,
    intake: Intake,
    answers: dict[str, Any],
    sections: tuple[Section, ...],
    rows: dict[ItemKind, list[dict[str, Any]]],
    kinds: tuple[ItemKind, ...],
) -> None:
    """Save sections of the intake one at a time, as the page does, then fill some of its lists."""
    for section in sections:
        by = course.nurse if section in (Section.medical, Section.vitals) else course.therapist
        data = IntakeUpdate.model_validate(
            {name: answers[name] for name in SECTION_FIELDS[section]}
        )
        save_intake(
            context.session,
            intake=intake,
            episode=course.episode,
            data=data,
            expected_version=intake.version,
            by=by,
        )
    for kind in kinds:
        _add_rows(context, course, intake, kind, rows[kind])


def _add_rows(
    context: DemoContext, course: Course, intake: Intake, kind: ItemKind, rows: list[dict[str, Any]]
) -> None:
    # Diagnoses and prior treatments are the prescriber's; the nurse takes the rest.
    prescribers = (ItemKind.diagnoses, ItemKind.prior_treatments)
    by = course.prescriber if kind in prescribers else course.nurse
    for row in rows:
        item = CREATE_SCHEMAS[kind].model_validate(row)
        add_item(
            context.session, intake=intake, episode=course.episode, kind=kind, data=item, by=by
        )


def _weigh(context: DemoContext, course: Course, intake: Intake) -> None:
    last = body_measures(context.session, intake=intake, episode=course.episode).weight_kg
    base = float(last) if last is not None else 70.0
    weight = Decimal(f"{base + context.rng.gauss(0, 0.6):.1f}")
    record_intake_weight(
        context.session,
        episode=course.episode,
        data=WeightCreate(weight_kg=weight, measured_on=course.intake_on),
        by=course.nurse,
    )


def _baselines(context: DemoContext, course: Course, answers: dict[str, Any]) -> None:
    responses = history.baseline_answers(context, course, answers)
    for minute, (instrument_id, values) in enumerate(responses):
        rated = instrument_id in ("cssrs_screener", "madrs")
        data = AssessmentCreate(
            instrument_id=instrument_id,
            answers=values,
            completed_by=CompletedBy.clinician if rated else CompletedBy.patient,
            completed_at=at(course.intake_on, 10, 5 * minute),
        )
        by = course.prescriber if rated else course.nurse
        # Stored at intake time, so an alert a response raises is raised then too.
        with clock_set_to(at(course.intake_on, 10, 5 * minute)):
            record_baseline(context.session, episode=course.episode, data=data, by=by)


def _screen(context: DemoContext, course: Course, concern: Concern, *, early_run: bool) -> None:
    session, episode = context.session, course.episode
    reason = (
        "Screening requested before the vitals were taken."
        if early_run
        else "Intake complete; ready for suitability screening."
    )
    pathway.move(session, episode=episode, to_state=S.screening, reason=reason, by=course.nurse)
    if course.reach == S.screening and not early_run:
        return  # waiting for the prescriber to run it
    screener = course.prescriber if context.rng.random() < 0.6 else course.nurse
    run = run_screening(session, episode=episode, by=screener)
    expected = ScreeningOutcome.incomplete if early_run else concern.outcome
    if run.outcome != expected.value:
        raise RuntimeError(f"demo screening gave {run.outcome}, expected {expected.value}")
    if course.cleared and concern.justifications:
        justification = context.rng.choice(concern.justifications)
        override_screening(session, run=run, justification=justification, by=course.prescriber)
        if run.outcome == ScreeningOutcome.ineligible.value:
            # An absolute contraindication is overridden only by two different prescribers.
            override_screening(
                session, run=run, justification=SECOND_OPINION, by=_second(context, course)
            )


SECOND_OPINION = (
    "Second prescriber: reviewed the specialist letters and the record with the first "
    "prescriber and agree that the benefit outweighs the risk under the stated precautions."
)


def _second(context: DemoContext, course: Course) -> Principal:
    others = [
        user
        for user in context.staff.get(Role.prescriber, [])
        if user.id != course.prescriber.user.id
    ]
    if not others:
        raise RuntimeError("the demo clinic has a second prescriber to confirm overrides")
    return Principal(user=context.rng.choice(others), client_address="demo")
