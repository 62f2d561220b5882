"""Synthetic follow-up: maintenance approvals, questionnaire trajectories and relapse reviews.

`generate` approves each maintenance course (six sessions over six months) when a demo course
enters maintenance, ahead of the dosing generator's sessions. `trajectories` runs after the
dosing sessions of induction are made: the patient answers PHQ-9 and GAD-7 at the follow-up
times (24 hours and day 5 after the first dose, before each dose, and 1, 2, 4, 8 and 12 weeks
after induction), along one of four courses seen in KAP clinics: rapid responders, gradual
responders, non-responders, and responders who relapse. A score above the response line is
confirmed by a second questionnaire a week later (the relapse rule needs two consecutive
assessments 5-15 days apart), which opens the review. Every suicide-risk alert an intake raised
is acknowledged by the course's prescriber with a risk assessment before the first dose.
"""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from openkap.assessments.models import AssessmentResponse
from openkap.assessments.schemas import CompletedBy
from openkap.assessments.service import record_response
from openkap.core.demo import DemoContext
from openkap.core.models import Role, User
from openkap.core.principal import Principal
from openkap.core.time import clock_set_to
from openkap.dosing.models import DosingSession, SessionState
from openkap.episodes.demo import Course, after_move, at, demo_today
from openkap.episodes.models import EpisodeState
from openkap.followup.alerts.service import SUICIDE_RISK, acknowledge_urgent_alert
from openkap.followup.models import AlertStatus, RiskLevel, UrgentAlert
from openkap.followup.reviews.maintenance import approve_maintenance
from openkap.patients.models import Patient

MAINTENANCE_SESSIONS = 6
MAINTENANCE_DAYS = 182
REASON = "Responded to induction; monthly maintenance to keep the response, reviewed at 6 months."
WEEKS_AFTER_INDUCTION = (1, 2, 4, 8, 12)
CONFIRM_AFTER = timedelta(days=7)
ASSESSED_AFTER = timedelta(minutes=20)
INDUCTION_DAYS = 17
DEFAULT_BASELINE = 19


class Trajectory(enum.StrEnum):
    rapid = "rapid"
    responder = "responder"
    non_responder = "non_responder"
    relapse = "relapse"


TRAJECTORY_WEIGHTS = {
    Trajectory.rapid: 25,
    Trajectory.responder: 30,
    Trajectory.non_responder: 25,
    Trajectory.relapse: 20,
}


def generate(context: DemoContext) -> None:
    """Assess the intake's suicide-risk alerts; approve maintenance when a course enters it."""
    _assess_risk_alerts(context)
    after_move(context, EpisodeState.maintenance, lambda course: _approve(context, course))
    context.advance(context.patient_count)


def _risk_level(alert: UrgentAlert) -> RiskLevel:
    level = alert.evidence.get("risk_level")
    return RiskLevel.high if level == "high" else RiskLevel.moderate if level else RiskLevel.low


def _assess_risk_alerts(context: DemoContext) -> None:
    """Have a prescriber assess each open suicide-risk alert twenty minutes after it was raised."""
    session = context.session
    prescribers = context.staff.get(Role.prescriber, [])
    open_alerts = session.scalars(
        select(UrgentAlert)
        .where(UrgentAlert.kind == SUICIDE_RISK, UrgentAlert.status == AlertStatus.open.value)
        .order_by(UrgentAlert.raised_at)
    ).all()
    for alert in open_alerts:
        user = session.get(User, alert.assignee_id) if alert.assignee_id else None
        by = Principal(user=user or prescribers[0], client_address="demo")
        with clock_set_to(alert.raised_at + ASSESSED_AFTER):
            acknowledge_urgent_alert(
                session,
                alert_id=alert.id,
                action_taken="Saw the patient at intake; risk assessed and safety plan reviewed.",
                risk_level=_risk_level(alert),
                safety_plan_reviewed=True,
                by=by,
            )


def trajectories(context: DemoContext) -> None:
    """Register the questionnaires to answer once a course's induction sessions are made."""
    after_move(context, EpisodeState.induction, lambda course: _answer(context, course))
    context.advance(context.patient_count)


def _approve(context: DemoContext, course: Course) -> None:
    starts_on = course.first_dose_on + timedelta(days=21)
    approve_maintenance(
        context.session,
        episode_id=course.episode.id,
        sessions_approved=MAINTENANCE_SESSIONS,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(days=MAINTENANCE_DAYS),
        reason=REASON,
        by=course.prescriber,
    )


def fraction_left(trajectory: Trajectory, day: float) -> float:
    """Return the share of the baseline score left `day` days after the first dose."""
    settle = min(1.0, day / 14)
    if trajectory == Trajectory.rapid:
        return 0.45 if day < 3 else 0.25
    if trajectory == Trajectory.non_responder:
        return 1 - 0.2 * settle
    gradual = 1 - 0.6 * settle
    if trajectory == Trajectory.relapse and day > 30:
        return min(0.85, gradual + (day - 30) / 40)
    return gradual


@dataclass
class Answering:
    """One course's patient answering questionnaires along a trajectory."""

    context: DemoContext
    course: Course
    trajectory: Trajectory
    baseline: int

    def answer(self, when: datetime, first_dose: datetime) -> None:
        day = (when - first_dose).total_seconds() / 86400
        noise = self.context.rng.choice((-1, 0, 0, 1))
        phq9 = max(0, min(27, round(self.baseline * fraction_left(self.trajectory, day)) + noise))
        gad7 = max(0, min(21, round(phq9 * 0.75)))
        for instrument_id, total, items, top in (("phq9", phq9, 9, 3), ("gad7", gad7, 7, 3)):
            self._record(instrument_id, _spread(total, items, top), when)

    def _record(self, instrument_id: str, answers: list[int], when: datetime) -> None:
        patient = self.context.session.get(
            Patient, (self.course.episode.organization_id, self.course.episode.patient_id)
        )
        assert patient is not None
        with clock_set_to(when):
            record_response(
                self.context.session,
                patient=patient,
                episode=self.course.episode,
                instrument_id=instrument_id,
                answers=[*answers, 0] if instrument_id == "phq9" else answers,
                completed_by=CompletedBy.patient,
                completed_at=when,
                by=self.course.nurse,
            )


def _spread(total: int, items: int, top: int) -> list[int]:
    """Spread a total over items of 0..top, never using the last PHQ-9 item (suicide risk)."""
    usable = items - 1 if items == 9 else items
    answers = [0] * items
    for n in range(min(total, usable * top)):
        answers[n % usable] += 1
    return answers


def _baseline(context: DemoContext, course: Course) -> int:
    total = context.session.scalars(
        select(AssessmentResponse.total)
        .where(
            AssessmentResponse.episode_id == course.episode.id,
            AssessmentResponse.instrument_id == "phq9",
        )
        .order_by(AssessmentResponse.completed_at)
        .limit(1)
    ).first()
    return DEFAULT_BASELINE if total is None else total


def _answer(context: DemoContext, course: Course) -> None:
    doses = context.session.scalars(
        select(DosingSession.first_device_at)
        .where(
            DosingSession.episode_id == course.episode.id,
            DosingSession.state == SessionState.discharged.value,
        )
        .order_by(DosingSession.first_device_at)
    ).all()
    if not doses or doses[0] is None:
        return
    first = doses[0]
    trajectory = context.rng.choices(
        list(TRAJECTORY_WEIGHTS), weights=list(TRAJECTORY_WEIGHTS.values())
    )[0]
    answering = Answering(context, course, trajectory, _baseline(context, course))
    end = at(demo_today(), 12)
    times = _times(first, [d for d in doses[1:] if d is not None])
    if trajectory == Trajectory.relapse:
        times += _confirmations(first)
    # Each stored response goes through the follow-up rules, relapse included.
    for when in sorted(times):
        if when < end:
            answering.answer(when, first)


def _confirmations(first: datetime) -> list[datetime]:
    """A week after each later weekly questionnaire: the clinic confirms a loss of response."""
    induction_end = first + timedelta(days=INDUCTION_DAYS)
    return [induction_end + timedelta(weeks=w) + CONFIRM_AFTER for w in (4, 8)]


def _times(first: datetime, later_doses: list[datetime]) -> list[datetime]:
    induction_end = first + timedelta(days=INDUCTION_DAYS)
    return [
        first + timedelta(hours=24),
        first + timedelta(days=5),
        *(dose - timedelta(hours=1) for dose in later_doses),
        *(induction_end + timedelta(weeks=w) for w in WEEKS_AFTER_INDUCTION),
    ]
