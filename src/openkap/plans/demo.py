"""Synthetic preparation: checks, consent, REMS enrolment, a preparation session and the plan.

Every course cleared for treatment moves to preparing. Courses that go on to `ready` get all of
it, a plan signed by their prescriber and the move to ready; those still preparing stop at some
point on the way (a session booked, a draft plan, consent still to sign).
"""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from openkap.core.demo import DemoContext
from openkap.core.time import utcnow
from openkap.episodes import pathway
from openkap.episodes.demo import Course, Presentation, at, follow_courses, words
from openkap.episodes.models import EpisodeState as S
from openkap.intake.record.service import body_measures, record_intake_weight
from openkap.patients.schemas import WeightCreate
from openkap.plans import readiness
from openkap.plans.consent import service as consent
from openkap.plans.models import TreatmentPlan
from openkap.plans.preparation import rems
from openkap.plans.preparation import service as preparation
from openkap.plans.preparation.schemas import (
    CheckKind,
    ConsentFields,
    ConsentMethod,
    PreparationCheckCreate,
    PreparationSessionComplete,
    RemsEnrolmentCreate,
)
from openkap.plans.treatment.doses import OLDER_ADULT_AGE, age_on
from openkap.plans.treatment.schemas import PlanCreate
from openkap.plans.treatment.service import create_plan, sign_plan
from openkap.plans.treatment.templates import current_template

ESKETAMINE = "intranasal_esketamine"
RACEMIC_SHARES = {"iv_racemic": 70, "im_racemic": 15, "sublingual_racemic": 15}
# A prescriber's chosen start in mg/kg, or None for the template's own start dose.
DOSE_CHOICES = {
    "iv_racemic": (None, None, None, None, Decimal("0.4"), Decimal("0.6"), Decimal("0.75")),
    "im_racemic": (None, None, Decimal("0.6"), Decimal("0.75")),
}
PDMP_CONCERN = (
    "Benzodiazepines from two prescribers in 2025; discussed, now a single prescriber and a "
    "controlled-substance agreement."
)
CANNABIS_NOTE = "Occasional evening cannabis; agreed to stop 48 hours before each session."
# How far a course still preparing has got.
STAGES = ("booked", "booked", "draft", "draft", "consent_pending", "complete")
EDUCATION = {
    "iv_racemic": "Infusion over 40 minutes through a cannula; dissociation, nausea and the "
    "rise in blood pressure and how each is handled; vitals from 0 to 120 minutes; nothing to "
    "eat for 4 hours before; no driving until the next morning.",
    "im_racemic": "Injection into the upper arm; effects within minutes that ease within the "
    "hour; monitoring until ready to leave; fasting; an escort home.",
    "sublingual_racemic": "Hold the lozenge under the tongue for 15 minutes, then spit; slower "
    "onset; a sitter present; keep the supply locked away.",
    ESKETAMINE: "Two or three nasal devices five minutes apart, taken under supervision; at "
    "least two hours of monitoring under the REMS, with blood pressure before, at 40 minutes "
    "and before leaving; no driving until the next day.",
}
INTENTIONS = {
    "trauma": (
        "To meet the memory from a safer distance and let my body settle.",
        "To feel, even for an afternoon, that I am safe now.",
    ),
    "mood": (
        "To loosen the grip of the heaviness and remember what I care about.",
        "To meet whatever comes with curiosity instead of fear.",
        "To find my way back to feeling something for the people I love.",
    ),
}
SETTINGS = (
    "Reclining chair, eye mask and an instrumental playlist; therapist present for the first "
    "hour; blanket and water; a hand signal agreed to pause the music.",
    "Quiet room with dimmed lights and a weighted blanket; the patient's own playlist; escort "
    "in the waiting room; therapist checks in every 15 minutes.",
)


def generate(context: DemoContext) -> None:
    """Prepare every course cleared for treatment, and move those that get there to ready."""
    follow_courses(context, lambda course: _prepare(context, course))


def _prepare(context: DemoContext, course: Course) -> None:
    if not course.reaches(S.preparing):
        return
    session, episode = context.session, course.episode
    reason = "Cleared by screening; preparation under way."
    pathway.move(session, episode=episode, to_state=S.preparing, reason=reason, by=course.therapist)
    key = _template_key(context, course)
    stage = "complete" if course.reaches(S.ready) else context.rng.choice(STAGES)
    _checks(context, course)
    if stage == "booked":
        _book_session(context, course)
        return
    _hold_session(context, course, key)
    if stage != "consent_pending":
        _consent(context, course, key)
    plan = _plan(context, course, key)
    if stage != "draft":
        sign_plan(session, plan=plan, by=course.prescriber)
    if course.reaches(S.ready):
        reason = f"Plan signed, preparation complete; first dose {words(course.first_dose_on)}."
        pathway.move(
            session, episode=episode, to_state=S.ready, reason=reason, by=course.prescriber
        )


def _template_key(context: DemoContext, course: Course) -> str:
    """Intranasal esketamine for some treatment-resistant depression, most of it at 65 or over."""
    story, rng = course.story, context.rng
    older = age_on(course.patient.birth_date, course.first_dose_on) >= OLDER_ADULT_AGE
    # Esketamine is labelled for treatment-resistant major depression, not bipolar depression.
    labelled = story.resistant and story.presentation is not Presentation.bipolar_depression
    if labelled and rng.random() < (0.8 if older else 0.25):
        return ESKETAMINE
    keys = list(RACEMIC_SHARES)
    return rng.choices(keys, weights=list(RACEMIC_SHARES.values()))[0]


def _checks(context: DemoContext, course: Course) -> None:
    """Record the PDMP check, the urine drug screen and the escort plan."""
    checks = (
        (course.prescriber, _pdmp(context, course)),
        (course.nurse, _drug_screen(context, course)),
        (course.therapist, _escort(context, course)),
    )
    for by, data in checks:
        preparation.record_check(context.session, episode=course.episode, data=data, by=by)


def _pdmp(context: DemoContext, course: Course) -> PreparationCheckCreate:
    concerns = context.rng.random() < 0.06
    return PreparationCheckCreate(
        kind=CheckKind.pdmp,
        performed_on=course.prepared_on - timedelta(days=2),
        result="concerns" if concerns else "no_concerns",
        details=PDMP_CONCERN if concerns else None,
    )


def _drug_screen(context: DemoContext, course: Course) -> PreparationCheckCreate:
    cannabis = context.rng.random() < 0.12
    return PreparationCheckCreate(
        kind=CheckKind.urine_drug_screen,
        performed_on=course.prepared_on - timedelta(days=2),
        result="positive" if cannabis else "negative",
        substances=["cannabis (THC)"] if cannabis else [],
        details=CANNABIS_NOTE if cannabis else None,
    )


def _escort(context: DemoContext, course: Course) -> PreparationCheckCreate:
    patient = course.patient
    return PreparationCheckCreate(
        kind=CheckKind.escort_plan,
        performed_on=course.prepared_on,
        escort_name=patient.emergency_contact_name or context.faker.name(),
        escort_phone=patient.emergency_contact_phone or "(503) 555-0100",
        relationship=patient.emergency_contact_relationship or "friend",
        details="Drives the patient to and from every session and stays reachable by phone; "
        "no driving until the next morning.",
    )


def _book_session(context: DemoContext, course: Course) -> None:
    days_ahead = context.rng.randint(2, 9)
    when = datetime.combine(utcnow().date() + timedelta(days=days_ahead), time(15), tzinfo=UTC)
    preparation.schedule_session(
        context.session,
        episode=course.episode,
        scheduled_for=when,
        clinician_id=None,
        by=course.therapist,
    )


def _hold_session(context: DemoContext, course: Course, key: str) -> None:
    session, rng = context.session, context.rng
    encounter = preparation.schedule_session(
        session,
        episode=course.episode,
        scheduled_for=at(course.prepared_on, 14),
        clinician_id=None,
        by=course.therapist,
    )
    intentions = INTENTIONS["trauma" if course.story.trauma else "mood"]
    notes = PreparationSessionComplete(
        intentions=rng.choice(intentions),
        education_given=EDUCATION[key],
        set_and_setting=rng.choice(SETTINGS),
        summary="Questions about dissociation and dependence answered; ready to begin.",
    )
    preparation.complete_session(session, encounter=encounter, data=notes, by=course.therapist)


def _consent(context: DemoContext, course: Course, key: str) -> None:
    """Record the typed consent (the patient's name, witnessed by the nurse); REMS if needed."""
    patient = course.patient
    fields = ConsentFields(
        document_key=key,
        method=ConsentMethod.typed,
        signed_name=f"{patient.given_name} {patient.family_name}",
        signed_at=at(course.prepared_on, 14, 50),
        witness_id=course.nurse.user.id,
    )
    session = context.session
    consent.record_consent(
        session, episode=course.episode, data=fields, scan=None, by=course.therapist
    )
    if key == ESKETAMINE and readiness.rems_enrolment(session, patient_id=patient.id) is None:
        enrolment = RemsEnrolmentCreate(
            rems_patient_id=f"SPR-{context.rng.randint(10**7, 10**8 - 1)}",
            enrolled_on=course.prepared_on,
        )
        rems.record_enrolment(session, episode=course.episode, data=enrolment, by=course.nurse)


def _plan(context: DemoContext, course: Course, key: str) -> TreatmentPlan:
    """Create the plan from the template, weighing the patient first for a weight-based dose."""
    session = context.session
    template = current_template(session, key=key, by=course.prescriber)
    if template.weight_based:
        _weigh_for_plan(context, course, template.weight_max_age_days)
    per_kg = context.rng.choice(DOSE_CHOICES.get(key, (None,)))
    data = PlanCreate(template_key=key, start_on=course.first_dose_on, dose_per_kg=per_kg)
    return create_plan(session, episode=course.episode, data=data, by=course.prescriber)


def _weigh_for_plan(context: DemoContext, course: Course, max_age_days: int) -> None:
    # The plan service takes a weight from the template's window before the real today, so an
    # older course is weighed again (as at a later visit) for its plan to be made now.
    today = utcnow().date()
    day = min(max(course.prepared_on, today - timedelta(days=max_age_days - 2)), today)
    last = body_measures(context.session, intake=None, episode=course.episode).weight_kg
    weight = Decimal(f"{float(last or 70) + context.rng.gauss(0, 0.4):.1f}")
    record_intake_weight(
        context.session,
        episode=course.episode,
        data=WeightCreate(weight_kg=weight, measured_on=day),
        by=course.nurse,
    )
