"""Regenerating an episode's stored due items from its sessions, moves, responses and notes.

Idempotent: each planned item has one row (episode, anchor, instrument), found again on every
run. A done item is never changed. An open item whose window passed becomes missed, unless a
response (or, for integration, a note) inside its window turns it done, even one entered late.
An open item that is no longer planned (its session was aborted, the clinic changed its
settings, the course was withdrawn) is cancelled, never deleted.
"""

import uuid
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from openkap.assessments.models import AssessmentResponse
from openkap.core.audit import chain as audit
from openkap.core.audit.chain import Actor
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing.models import DosingSession
from openkap.episodes.errors import EpisodeNotFound
from openkap.episodes.models import Episode, EpisodeState, EpisodeTransition
from openkap.followup import therapy_link
from openkap.followup.models import DueItem, ItemKind, ItemStatus, ScheduleState
from openkap.followup.schedule.planning import (
    PlannedItem,
    SessionFacts,
    induction_ended_at,
    plan_items,
)
from openkap.followup.settings.service import FollowupRules, rules_in_force
from openkap.intake.models import Diagnosis, Intake
from openkap.intake.models import ItemStatus as IntakeItemStatus

MAX_SESSIONS = 2000
MAX_ITEMS = 20000
MAX_RESPONSES = 5000
MAX_DIAGNOSES = 50
INDUCTION_EXITS = (EpisodeState.integration, EpisodeState.maintenance, EpisodeState.completed)
CLOSED = (EpisodeState.withdrawn.value, EpisodeState.discharged.value)
SETTLED = (ItemStatus.done.value,)
Key = tuple[str, str]


def actor_of(by: Principal | None, organization_id: uuid.UUID) -> Actor:
    """Return who acts for the audit log: the caller, or the follow-up rules themselves."""
    if by is not None:
        return by.actor
    return Actor(
        user_id=None, organization_id=organization_id, roles="system", client_address="followup"
    )


def _session_facts(session: Session, episode: Episode) -> list[SessionFacts]:
    rows = session.scalars(
        select(DosingSession)
        .where(
            DosingSession.organization_id == episode.organization_id,
            DosingSession.episode_id == episode.id,
        )
        .order_by(DosingSession.scheduled_for)
        .limit(MAX_SESSIONS)
    )
    return [
        SessionFacts(
            id=row.id,
            state=row.state,
            scheduled_for=row.scheduled_for,
            dosed_at=row.dosing_started_at,
            discharged_at=row.discharged_at,
        )
        for row in rows
    ]


def _induction_exits(session: Session, episode: Episode) -> list[datetime]:
    return list(
        session.scalars(
            select(EpisodeTransition.at)
            .where(
                EpisodeTransition.organization_id == episode.organization_id,
                EpisodeTransition.episode_id == episode.id,
                EpisodeTransition.from_state == EpisodeState.induction.value,
                EpisodeTransition.to_state.in_([s.value for s in INDUCTION_EXITS]),
            )
            .order_by(EpisodeTransition.at)
            .limit(1)
        )
    )


def has_ptsd_presentation(session: Session, *, episode: Episode, prefixes: Sequence[str]) -> bool:
    """Tell whether the episode's intake records an active diagnosis starting with a prefix."""
    codes = session.scalars(
        select(Diagnosis.code)
        .join(
            Intake,
            and_(
                Intake.organization_id == Diagnosis.organization_id,
                Intake.id == Diagnosis.intake_id,
            ),
        )
        .where(
            Intake.organization_id == episode.organization_id,
            Intake.episode_id == episode.id,
            Diagnosis.status == IntakeItemStatus.active.value,
        )
        .limit(MAX_DIAGNOSES)
    )
    return any(code.upper().startswith(tuple(prefixes)) for code in codes)


def instruments_for(session: Session, *, episode: Episode, rules: FollowupRules) -> list[str]:
    """Return the questionnaires of the episode: the clinic's, plus its PTSD ones if it applies."""
    extra: list[str] = []
    if rules.ptsd_instruments and has_ptsd_presentation(
        session, episode=episode, prefixes=rules.ptsd_diagnosis_prefixes
    ):
        extra = [i for i in rules.ptsd_instruments if i not in rules.instruments]
    return [*rules.instruments, *extra]


def planned_items(session: Session, *, episode: Episode, rules: FollowupRules) -> list[PlannedItem]:
    """Return the items the episode should have now (none once it is withdrawn or discharged)."""
    if episode.state in CLOSED:
        return []
    sessions = _session_facts(session, episode)
    return plan_items(
        sessions=sessions,
        induction_end=induction_ended_at(sessions, _induction_exits(session, episode)),
        instruments=instruments_for(session, episode=episode, rules=rules),
        rules=rules,
    )


def _existing(session: Session, episode: Episode) -> dict[Key, DueItem]:
    rows = session.scalars(
        select(DueItem)
        .where(DueItem.organization_id == episode.organization_id, DueItem.episode_id == episode.id)
        .limit(MAX_ITEMS)
    )
    return {(row.anchor, row.instrument_id): row for row in rows}


def _new_row(episode: Episode, item: PlannedItem) -> DueItem:
    return DueItem(
        organization_id=episode.organization_id,
        patient_id=episode.patient_id,
        episode_id=episode.id,
        kind=item.kind.value,
        anchor=item.anchor,
        instrument_id=item.instrument_id,
        dosing_session_id=item.dosing_session_id,
        status=ItemStatus.open.value,
    )


def _store(
    session: Session,
    episode: Episode,
    planned: Iterable[PlannedItem],
    existing: dict[Key, DueItem],
    version: int,
) -> None:
    for item in planned:
        row = existing.get(item.key)
        if row is None:
            row = existing[item.key] = _new_row(episode, item)
            session.add(row)
        if row.status in SETTLED:
            continue
        row.reason = item.reason
        row.opens_at, row.due_at, row.closes_at = item.opens_at, item.due_at, item.closes_at
        row.settings_version = version
        if row.status == ItemStatus.cancelled.value:
            row.status = ItemStatus.open.value


def _cancel_unplanned(rows: Iterable[DueItem], planned: set[Key], now: datetime) -> None:
    for row in rows:
        unplanned = (row.anchor, row.instrument_id) not in planned
        if unplanned and row.status == ItemStatus.open.value and row.closes_at > now:
            row.status = ItemStatus.cancelled.value


def _responses(
    session: Session, episode: Episode, rows: Sequence[DueItem]
) -> list[AssessmentResponse]:
    if not rows:
        return []
    return list(
        session.scalars(
            select(AssessmentResponse)
            .where(
                AssessmentResponse.organization_id == episode.organization_id,
                AssessmentResponse.patient_id == episode.patient_id,
                AssessmentResponse.instrument_id.in_({row.instrument_id for row in rows}),
                AssessmentResponse.status == "active",
                or_(
                    AssessmentResponse.episode_id == episode.id,
                    AssessmentResponse.episode_id.is_(None),
                ),
                AssessmentResponse.completed_at >= min(row.opens_at for row in rows),
                AssessmentResponse.completed_at <= max(row.closes_at for row in rows),
            )
            .order_by(AssessmentResponse.completed_at)
            .limit(MAX_RESPONSES)
        )
    )


def _match_responses(rows: Sequence[DueItem], responses: Sequence[AssessmentResponse]) -> None:
    by_instrument: dict[str, list[AssessmentResponse]] = {}
    for response in responses:  # already in completion order
        by_instrument.setdefault(response.instrument_id, []).append(response)
    for row in rows:
        candidates = by_instrument.get(row.instrument_id, [])
        first = bisect_left(candidates, row.opens_at, key=lambda r: r.completed_at)
        if first < len(candidates) and candidates[first].completed_at <= row.closes_at:
            hit = candidates[first]
            row.status, row.response_id = ItemStatus.done.value, hit.id
            row.done_at = hit.completed_at


def _as_moment(moment: datetime | date) -> datetime:
    if isinstance(moment, datetime):
        return moment
    return datetime.combine(moment, time.min, tzinfo=UTC)


def _match_notes(rows: Sequence[DueItem], note_times: Sequence[datetime | date]) -> None:
    # Notes record the day of the integration session, so the window is compared in whole days.
    moments = sorted(_as_moment(moment) for moment in note_times)
    for row in rows:
        opens, closes = row.opens_at.date(), row.closes_at.date()
        held = next((m for m in moments if opens <= m.date() <= closes), None)
        if held is not None:
            row.status, row.done_at = ItemStatus.done.value, held


def _close_passed(rows: Iterable[DueItem], now: datetime, *, notes_known: bool) -> None:
    for row in rows:
        if row.status not in (ItemStatus.open.value, ItemStatus.missed.value):
            continue
        unknown = row.kind == ItemKind.integration.value and not notes_known
        passed = now >= row.closes_at and not unknown
        row.status = ItemStatus.missed.value if passed else ItemStatus.open.value


def _settle(session: Session, episode: Episode, rows: Sequence[DueItem], now: datetime) -> None:
    waiting = [r for r in rows if r.status in (ItemStatus.open.value, ItemStatus.missed.value)]
    questionnaires = [r for r in waiting if r.kind == ItemKind.questionnaire.value]
    _match_responses(questionnaires, _responses(session, episode, questionnaires))
    integrations = [r for r in waiting if r.kind == ItemKind.integration.value]
    note_times = (
        therapy_link.integration_note_times(session, episode_id=episode.id) if integrations else []
    )
    if note_times:
        _match_notes(integrations, note_times)
    _close_passed(waiting, now, notes_known=note_times is not None)


def _mark_refreshed(session: Session, episode: Episode, version: int) -> None:
    state = session.scalars(
        select(ScheduleState).where(
            ScheduleState.organization_id == episode.organization_id,
            ScheduleState.episode_id == episode.id,
        )
    ).first()
    if state is None:
        state = ScheduleState(organization_id=episode.organization_id, episode_id=episode.id)
        session.add(state)
    state.refreshed_at, state.settings_version = utcnow(), version


def load_episode(session: Session, *, episode_id: uuid.UUID) -> Episode:
    """Return an episode by id in the session's clinic."""
    episode = session.scalars(select(Episode).where(Episode.id == episode_id)).first()
    if episode is None:
        raise EpisodeNotFound("No such episode.")
    return episode


def regenerate_schedule(
    session: Session, *, episode_id: uuid.UUID, now: datetime, by: Principal | None = None
) -> list[DueItem]:
    """Bring an episode's due items in line with its sessions, moves, responses and notes."""
    episode = load_episode(session, episode_id=episode_id)
    rules, version = rules_in_force(session, organization_id=episode.organization_id)
    planned = planned_items(session, episode=episode, rules=rules)
    existing = _existing(session, episode)
    _store(session, episode, planned, existing, version)
    _cancel_unplanned(existing.values(), {item.key for item in planned}, now)
    rows = sorted(existing.values(), key=lambda row: (row.due_at, row.anchor, row.instrument_id))
    _settle(session, episode, rows, now)
    _mark_refreshed(session, episode, version)
    session.flush()
    audit.record(
        session,
        actor=actor_of(by, episode.organization_id),
        action="followup_schedule.regenerate",
        resource_type="episode",
        resource_id=episode.id,
        patient_id=episode.patient_id,
        detail=f"items={len(rows)} settings_version={version}",
    )
    return rows
