"""Synthetic therapy: preparation, dosing-support and integration notes, and integration plans.

Runs as a course's induction and maintenance sessions are made (after the dosing generator's
hooks): a signed preparation note before the first dose, a signed dosing-support note for every
session, and an integration note one or two days after it, except about one in ten, which the
follow-up inbox then shows as missed. Courses past induction get an integration plan shared
with the patient. Everything goes through the therapy services as the course's therapist.
"""

from datetime import date, timedelta

from openkap.core.demo import DemoContext
from openkap.core.time import clock_set_to
from openkap.dosing.models import DosingSession, SessionState
from openkap.dosing.sessions.service import list_sessions
from openkap.episodes.demo import Course, after_move, at
from openkap.episodes.models import EpisodeState
from openkap.therapy.integration import service as integration_plan
from openkap.therapy.models import NoteType
from openkap.therapy.notes import service, signing
from openkap.therapy.schemas import IntegrationPlanSave, NoteCreate, SupportContact

MISSED_INTEGRATION_SHARE = 0.1
NO_RISK = {
    "suicidal_ideation": "none",
    "plan": False,
    "intent": False,
    "protective_factors": "Close to her sister; engaged in treatment; future plans.",
    "action": "None needed; safety plan reviewed.",
}
THEMES = (
    ["Grief for a parent", "Self-compassion"],
    ["Control and letting go", "Work stress"],
    ["Memories of deployment", "Safety in the body"],
    ["Shame", "Connection with children"],
)
INSIGHTS = (
    "Noticed the critical voice is not the only voice; a kinder one was present too.",
    "Felt that the tiredness is carrying grief, not laziness.",
    "Realised that checking the locks every night is about an old fear.",
)


def generate(context: DemoContext) -> None:
    """Register the notes and plans to write as courses enter induction and maintenance."""
    after_move(context, EpisodeState.induction, lambda course: _course_notes(context, course))
    after_move(context, EpisodeState.maintenance, lambda course: _course_notes(context, course))
    context.advance(context.patient_count)


def _course_notes(context: DemoContext, course: Course) -> None:
    sessions = [
        s
        for s in list_sessions(context.session, episode=course.episode, by=course.therapist)
        if s.state == SessionState.discharged.value
    ]
    noted = _noted_sessions(context, course)
    if not noted:
        _note(context, course, NoteType.preparation, course.prepared_on, None)
    for dosing in sessions:
        if dosing.id in noted:
            continue
        day = dosing.scheduled_for.date()
        _note(context, course, NoteType.dosing_support, day, dosing)
        if context.rng.random() >= MISSED_INTEGRATION_SHARE:
            later = day + timedelta(days=context.rng.choice((1, 2)))
            _note(context, course, NoteType.integration, later, dosing)
    if course.reaches(EpisodeState.integration) and sessions:
        _plan(context, course, sessions[-1].scheduled_for.date() + timedelta(days=2))


def _noted_sessions(context: DemoContext, course: Course) -> set[object]:
    notes, _ = service.list_notes(
        context.session, episode=course.episode, by=course.therapist, limit=100
    )
    return {n.dosing_session_id for n in notes if n.dosing_session_id is not None}


def _sections(context: DemoContext, note_type: NoteType) -> dict[str, object]:
    rng = context.rng
    if note_type == NoteType.preparation:
        return {
            "subjective": "Nervous but hopeful; read the information sheet twice.",
            "assessment": "Prepared; expectations realistic; escort arranged.",
            "plan": "First dose next week; practise the breathing exercise daily.",
            "intentions": "To be kinder to myself.",
            "risk_assessment": NO_RISK,
        }
    during = note_type == NoteType.dosing_support
    written = {
        "data": "Session held in the dosing suite; music and eye mask used."
        if during
        else "Met the day after the dosing session to process what came up.",
        "themes": rng.choice(THEMES),
        "emotions": rng.choice((["Sadness", "Relief"], ["Fear", "Calm"], ["Warmth"])),
        "insights": rng.choice(INSIGHTS),
        "coping_techniques": ["Box breathing", "Grounding through the feet"],
        "assessment": "Engaged; processing well; no safety concerns.",
        "plan": "Continue the course; journal daily before the next session.",
        "risk_assessment": NO_RISK,
    }
    # The support note carries the session's intention; the integration note the homework.
    extra = (
        {"intentions": "To meet the sadness with kindness."}
        if during
        else {"homework": "Write three lines a day about what felt different."}
    )
    return {**written, **extra}


def _note(
    context: DemoContext,
    course: Course,
    note_type: NoteType,
    day: date,
    dosing: DosingSession | None,
) -> None:
    with clock_set_to(at(day, 16)):
        note = service.create_note(
            context.session,
            episode=course.episode,
            data=NoteCreate(
                note_type=note_type,
                dosing_session_id=None if dosing is None else dosing.id,
                session_on=day,
                sections=_sections(context, note_type),
            ),
            by=course.therapist,
        )
        signing.sign_note(
            context.session, note=note, expected_version=note.version, by=course.therapist
        )


def _plan(context: DemoContext, course: Course, day: date) -> None:
    session = context.session
    if integration_plan.newest_version(session, episode=course.episode) is not None:
        return
    with clock_set_to(at(day, 17)):
        plan = integration_plan.save_plan(
            session,
            episode=course.episode,
            data=IntegrationPlanSave(
                insights=[context.rng.choice(INSIGHTS)],
                practices=["Ten minutes of breathing each morning", "A walk outside daily"],
                warning_signs=["Staying in bed past ten", "Skipping meals", "Avoiding friends"],
                support_contacts=[
                    SupportContact(name="Sam", relationship="sister", phone="503-555-0142")
                ],
                next_steps=["Integration group on Thursdays", "PHQ-9 every two weeks"],
                change_note="Written with the patient at the last integration session.",
            ),
            based_on_version=0,
            by=course.therapist,
        )
        integration_plan.share_plan(session, plan=plan, by=course.therapist)
