"""Synthetic episodes of care: referrals in every state of the pathway, drawn as courses.

The episodes generator draws each patient's course (where the episode ends up, what brought the
patient, when each step happened) and opens the episode. The intake and plans generators carry
each course through their own step, and `conclude` makes the moves after `ready` and the exits.
Everything goes through the services as the demo staff, so the clinic obeys every rule the
software enforces and the audit log records it. Services stamp their own moves and runs with the
real time; where a service takes a date, the course's date is given.
"""

import enum
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

from openkap.core.database.tenancy import bind_tenant
from openkap.core.demo import DemoContext
from openkap.core.models import Role
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.episodes import pathway, service
from openkap.episodes.models import Episode
from openkap.episodes.models import EpisodeState as S
from openkap.patients.models import Patient

DEMO_TODAY = date(2026, 11, 1)
EPISODE_SHARE = 0.7
# The courses travel from generator to generator with the session: DemoContext belongs to core,
# which knows no clinical domain.
_COURSES_KEY = "openkap.demo.courses"
_HOOKS_KEY = "openkap.demo.after_move"


class Presentation(enum.StrEnum):
    depression = "depression"
    ptsd = "ptsd"
    ptsd_depression = "ptsd_depression"
    bipolar_depression = "bipolar_depression"


PATHWAY = (
    *(S.referred, S.intake, S.screening, S.eligible, S.preparing),
    *(S.ready, S.induction, S.integration, S.maintenance, S.completed),
)
# How far along the pathway a state lies; the three screening outcomes share a step.
RANK = {state: step for step, state in enumerate(PATHWAY)} | {S.needs_review: 3, S.ineligible: 3}
CLEARED = frozenset(PATHWAY[3:])
# How often each state is where a course ends up, in EpisodeState order.
TARGET_WEIGHTS = dict(zip(S, (5, 6, 5, 4, 5, 4, 8, 6, 8, 7, 8, 12, 4, 4, 4), strict=True))
# Targets a returning patient's new course may have, with a completed course behind it.
RETURN_TARGETS = frozenset(PATHWAY[:6])
EXIT_REASONS: dict[S, dict[S, str]] = {
    S.on_hold: {
        S.intake: "Paused at the patient's request after a death in the family.",
        S.preparing: "Awaiting insurance authorisation for the treatment series.",
        S.induction: "Paused after the third session: patient travelling abroad for six weeks.",
    },
    S.withdrawn: {
        S.intake: "Patient decided to try TMS closer to home first.",
        S.screening: "Moved out of state; records sent to the new psychiatrist.",
        S.eligible: "Patient decided against ketamine after the information session.",
        S.preparing: "Unable to arrange an escort for dosing days; will call when possible.",
    },
    S.discharged: {
        S.ineligible: "Not suitable for ketamine (absolute contraindication); referred back "
        "with ECT and TMS as options.",
        S.needs_review: "Prescriber review: the risks outweigh the benefits at present; "
        "referred back with recommendations.",
        S.integration: "Partial response after induction; discharged to the community "
        "therapist with a relapse plan.",
    },
}
LATER_REASONS = {
    S.induction: "First dose given on {first_dose}.",
    S.integration: "Induction course completed; integration sessions continue.",
    S.maintenance: "Responded to induction; maintenance sessions every four to six weeks.",
    S.completed: "Course of care completed; relapse plan shared with the referring clinician.",
}
# Days from the referral back to the demo's today, by how far (RANK) the course gets.
REFERRAL_AGE = (
    *((1, 21), (10, 35), (18, 45), (25, 60), (30, 65)),
    *((40, 70), (45, 75), (60, 110), (100, 220), (130, 260)),
)
EARLIER_COURSE_AGE = (280, 330)
TRAUMAS = (
    "combat deployments in Afghanistan",
    "a sexual assault",
    "a serious motor vehicle collision",
    "childhood physical and emotional abuse",
    "years of work as a paramedic",
    "an armed robbery at work",
    "domestic violence in a previous relationship",
)
REFERRERS = (
    "primary care",
    "outpatient psychiatry",
    "VA Portland Health Care System",
    "Cascade community mental health",
    "OHSU psychiatry",
)
NUMBERS = ("no", "one", "two", "three", "four", "five")


@dataclass(frozen=True)
class Team:
    """The demo staff as principals, by role."""

    prescribers: list[Principal]
    nurses: list[Principal]
    therapists: list[Principal]


@dataclass(frozen=True)
class Story:
    """What brings the patient: the presentation, the treatments that failed, the trauma."""

    presentation: Presentation
    failed_trials: int  # adequate failed antidepressant trials in the current episode
    months_ill: int
    trauma: str | None

    @property
    def depressive(self) -> bool:
        return self.presentation is not Presentation.ptsd

    @property
    def resistant(self) -> bool:
        return self.depressive and self.failed_trials >= 2


@dataclass(frozen=True, kw_only=True)
class Course:
    """One episode's story: where it ends up, who cares for it, and when each step was."""

    patient: Patient
    episode: Episode
    target: S
    reach: S  # the furthest pathway state, before any exit
    story: Story
    prescriber: Principal
    therapist: Principal
    nurse: Principal
    intake_on: date
    prepared_on: date
    first_dose_on: date
    maintained: bool

    @property
    def cleared(self) -> bool:
        """Whether screening clears the course for treatment (by itself or overridden)."""
        return self.reach in CLEARED

    def reaches(self, state: S) -> bool:
        """Whether the course gets to a state of the main pathway (beyond screening: cleared)."""
        return RANK[self.reach] >= RANK[state] and (RANK[state] < 3 or self.cleared)


def demo_today() -> date:
    """Return the demo's today: 1 November 2026, or the real date when the clock is far from it.

    Services refuse future dates and plans starting more than a year away, so the courses are
    dated back from a day close to the real one.
    """
    today = utcnow().date()
    return DEMO_TODAY if today - timedelta(days=60) <= DEMO_TODAY <= today else today


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """Return a time on a day of the demo in UTC, never later than now."""
    return min(datetime.combine(day, time(hour, minute), tzinfo=UTC), utcnow())


def courses(context: DemoContext) -> list[Course]:
    """Return the courses the episodes generator drew, in the order they were opened."""
    return cast(list[Course], context.shared.setdefault(_COURSES_KEY, []))


def follow_courses(context: DemoContext, step: Callable[[Course], None]) -> None:
    """Take every patient's courses through one step, advancing the progress once per patient."""
    by_patient: dict[uuid.UUID, list[Course]] = defaultdict(list)
    for course in courses(context):
        by_patient[course.patient.id].append(course)
    for patient_id in context.patient_ids:
        for course in by_patient.get(patient_id, []):
            step(course)
        context.advance(1)


def _team(context: DemoContext) -> Team:
    def principals(role: Role) -> list[Principal]:
        return [Principal(user=u, client_address="demo") for u in context.staff.get(role, [])]

    return Team(principals(Role.prescriber), principals(Role.nurse), principals(Role.therapist))


def _targets(context: DemoContext) -> dict[uuid.UUID, S]:
    """Pick the patients with an episode and where each ends up; every state appears once first."""
    count = round(len(context.patient_ids) * EPISODE_SHARE)
    chosen = context.rng.sample(context.patient_ids, count)
    deck = list(TARGET_WEIGHTS)
    deck += context.rng.choices(
        list(TARGET_WEIGHTS), weights=list(TARGET_WEIGHTS.values()), k=max(0, count - len(deck))
    )
    context.rng.shuffle(deck)
    return dict(zip(chosen, deck, strict=False))


def generate(context: DemoContext) -> None:
    """Open episodes for about 70% of patients, ending in every state; some patients return."""
    # The CLI lifts the tenant scope; binding the clinic keeps the services scoped without it.
    bind_tenant(context.session, context.org.id)
    team, targets = _team(context), _targets(context)
    drawn = courses(context)
    for patient_id in context.patient_ids:
        target = targets.get(patient_id)
        if target is not None:
            patient = context.session.get(Patient, (context.org.id, patient_id))
            assert patient is not None, "the patients generator runs first"
            if target in RETURN_TARGETS and context.rng.random() < 0.25:
                drawn.append(_open(context, team, patient, S.completed, earlier=True))
            drawn.append(_open(context, team, patient, target))
        context.advance(1)


def _story(context: DemoContext, patient: Patient) -> Story:
    rng = context.rng
    # Late-life referrals are mostly long-standing, treatment-resistant depression.
    older = patient.birth_date <= demo_today() - timedelta(days=60 * 365)
    weights = (85, 5, 5, 5) if older else (55, 15, 18, 12)
    presentation = rng.choices(list(Presentation), weights=weights)[0]
    if presentation is Presentation.ptsd:
        failed = rng.choice((0, 1, 1))
    elif rng.random() < (0.6 if presentation is Presentation.bipolar_depression else 0.85):
        failed = rng.choice((2, 2, 3, 3, 3, 4, 5))
    else:
        failed = rng.choice((0, 1, 1))
    trauma = rng.choice(TRAUMAS) if "ptsd" in presentation.value else None
    return Story(presentation, failed, rng.randint(8, 40), trauma)


def _open(
    context: DemoContext, team: Team, patient: Patient, target: S, *, earlier: bool = False
) -> Course:
    rng = context.rng
    exits = EXIT_REASONS.get(target)
    reach = rng.choice(sorted(exits, key=RANK.__getitem__)) if exits else target
    story = _story(context, patient)
    low, high = EARLIER_COURSE_AGE if earlier else REFERRAL_AGE[RANK[reach]]
    referred_on = demo_today() - timedelta(days=rng.randint(low, high))
    prescriber, therapist = rng.choice(team.prescribers), rng.choice(team.therapists)
    nurse = rng.choice(team.nurses)
    episode = service.open_episode(
        context.session,
        patient=patient,
        referral_reason=_referral_reason(context, story),
        referred_by=_referrer(context),
        referred_on=referred_on,
        prescriber_id=prescriber.user.id,
        therapist_id=therapist.user.id,
        by=nurse,
    )
    course = Course(
        patient=patient,
        episode=episode,
        target=target,
        reach=reach,
        story=story,
        prescriber=prescriber,
        therapist=therapist,
        nurse=nurse,
        maintained=rng.random() < 0.5,
        **_timeline(context, referred_on),
    )
    if course.reaches(S.intake):
        reason = f"Intake assessment booked for {words(course.intake_on)}."
        pathway.move(context.session, episode=episode, to_state=S.intake, reason=reason, by=nurse)
    return course


def _timeline(context: DemoContext, referred_on: date) -> dict[str, date]:
    """Date the steps of a course; those that happened already are kept on or before today."""
    today, rng = demo_today(), context.rng
    intake_on = referred_on + timedelta(days=rng.randint(6, 14))
    prepared_on = intake_on + timedelta(days=rng.randint(8, 16))
    first_dose_on = prepared_on + timedelta(days=rng.randint(5, 9))
    return {
        "intake_on": min(intake_on, today),
        "prepared_on": min(prepared_on, today),
        "first_dose_on": first_dose_on,
    }


def words(day: date) -> str:
    """Write a date the way a note does: 3 November 2026."""
    return f"{day.day} {day:%B %Y}"


def _referral_reason(context: DemoContext, story: Story) -> str:
    months, count = story.months_ill, story.failed_trials
    trials = f"{NUMBERS[count]} adequate antidepressant trial{'' if count == 1 else 's'}"
    outcome = (
        f"no remission after {trials}" if count else "antidepressants stopped for side effects"
    )
    match story.presentation:
        case Presentation.ptsd:
            return (
                f"Chronic PTSD after {story.trauma}; nightmares and hyperarousal persist "
                "despite trauma-focused therapy. Referred for ketamine-assisted psychotherapy."
            )
        case Presentation.ptsd_depression:
            return f"Chronic PTSD after {story.trauma} with comorbid major depression; {outcome}."
        case Presentation.bipolar_depression:
            return f"Bipolar II depression for {months} months despite lamotrigine; {outcome}."
    if count >= 2:
        return context.rng.choice(
            (
                f"Treatment-resistant depression: {outcome} in the current episode ({months} "
                "months). Referred for ketamine-assisted psychotherapy.",
                f"Recurrent major depression, current episode {months} months; TRD after "
                f"{trials} and CBT. Requesting ketamine evaluation.",
            )
        )
    others = "; others poorly tolerated" if count else ""
    return f"Severe major depression for {months} months; {outcome}{others}. Asks about ketamine."


def _referrer(context: DemoContext) -> str | None:
    roll, fake = context.rng.random(), context.faker
    if roll < 0.15:
        return None  # self-referred
    name = f"{fake.first_name()} {fake.last_name()}"
    if roll < 0.3:
        return f"{name}, LCSW (therapist)"
    return f"Dr. {name}, {context.rng.choice(REFERRERS)}"


def after_move(context: DemoContext, state: S, hook: Callable[[Course], None]) -> None:
    """Run `hook` on each course right after `conclude` moves it into `state` (in the order
    the hooks were added).

    A later step of the pathway (dosing) uses this to add what happens in that state without
    episodes knowing about it.
    """
    hooks = cast(dict[S, list[Callable[[Course], None]]], context.shared.setdefault(_HOOKS_KEY, {}))
    hooks.setdefault(state, []).append(hook)


def conclude(context: DemoContext) -> None:
    """Make the moves after ready (induction to completion) and the exits the courses call for."""
    follow_courses(context, lambda course: _finish(context, course))
    context.shared.pop(_COURSES_KEY, None)
    context.shared.pop(_HOOKS_KEY, None)


def _later_states(course: Course) -> list[S]:
    if not course.reaches(S.induction):
        return []
    states = [S.induction]
    if course.reaches(S.integration):
        states.append(S.integration)
    maintained = course.reach == S.maintenance or (
        course.reach == S.completed and course.maintained
    )
    if maintained:
        states.append(S.maintenance)
    if course.reach == S.completed:
        states.append(S.completed)
    return states


def _finish(context: DemoContext, course: Course) -> None:
    first_dose = words(course.first_dose_on)
    moves = [(s, LATER_REASONS[s].format(first_dose=first_dose)) for s in _later_states(course)]
    exits = EXIT_REASONS.get(course.target)
    if exits:
        moves.append((course.target, exits[course.reach]))
    hooks = cast(dict[S, list[Callable[[Course], None]]], context.shared.get(_HOOKS_KEY, {}))
    for state, reason in moves:
        pathway.move(
            context.session,
            episode=course.episode,
            to_state=state,
            reason=reason,
            by=course.prescriber,
            confirmed=True,
        )
        for hook in hooks.get(state, []):
            hook(course)
