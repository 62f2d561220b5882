"""Pages of dosing sessions: an episode's sessions, the chair-side page, the discharge summary.

The chair-side page is one live region (dosing/_live.html) that htmx polls every few seconds;
each form on it posts with htmx and gets the region back, its errors beside its fields. A plain
form post (no htmx) gets a redirect to the page, or the whole page with the errors. Vital signs
and observations also come from the tablet's reading queue (web/static/chair.js): their answer
names the stored entry in X-Entry-Stored, which is how the queue knows it may let the entry go.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from openkap.accounts.principal import Principal
from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.schemas import InputModel
from openkap.core.time import utcnow
from openkap.dosing import (
    administration,
    adverse_events,
    chair,
    leaving,
    monitoring,
    observations,
    pre_dose,
    service,
)
from openkap.dosing.calculator import DEVICE_SPACING
from openkap.dosing.chair import ChairView
from openkap.dosing.discharge import minimum_met_at
from openkap.dosing.models import DosingSession, InfusionEventKind, SessionState
from openkap.dosing.schemas import (
    AbortRequest,
    AlertAcknowledge,
    OverrideCreate,
    SessionCreate,
    VitalsCreate,
)
from openkap.dosing.schemas_administration import (
    AdministrationInput,
    AdverseEventInput,
    InfusionEventCreate,
)
from openkap.dosing.schemas_observations import (
    DissociationCreate,
    DissociationInstrument,
    ObservationCreate,
)
from openkap.dosing.threshold_settings import clinic_thresholds
from openkap.episodes.models import Episode
from openkap.episodes.service import get_episode
from openkap.instruments import get_instrument
from openkap.inventory.reports import balances
from openkap.inventory.schemas import BalanceRead
from openkap.patients.service import get_patient
from openkap.plans.access import staff_of_clinic, user_names
from openkap.plans.models import Drug, Route
from openkap.plans.page_forms import as_utc
from openkap.web.forms import (
    FormFields,
    InvalidForm,
    refusal_errors,
    refusal_status,
    unprefixed,
    validate_form,
)
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
Staff = Annotated[Principal, Depends(web_permission(Permission.dosing_session_read))]
Scheduler = Annotated[Principal, Depends(web_permission(Permission.dosing_schedule))]
Clinician = Annotated[Principal, Depends(web_permission(Permission.dosing_read))]
CSRF = [Depends(csrf_protect)]
SESSION = "/dosing-sessions/{session_id}"
ModelT = TypeVar("ModelT", bound=BaseModel)
Fields = dict[str, str]
PRE_DOSE = frozenset({SessionState.checked_in.value, SessionState.pre_dose_checks.value})
SUMMARY_STATES = (SessionState.ready_for_discharge, SessionState.discharged)
DISSOCIATION_ITEMS = {DissociationInstrument.cadss6: 6, DissociationInstrument.cadss: 23}


class NoFields(InputModel):
    """A form that is only a button."""


def _can(principal: Principal) -> dict[str, bool]:
    return {p.value: allows(principal.roles, p) for p in Permission}


def _present(fields: Fields) -> dict[str, object]:
    """Leave out what the form left blank, so optional fields take their defaults."""
    return {key: value for key, value in fields.items() if value.strip()}


def _moment(value: str, now: datetime) -> str:
    """Read a time field: ISO from the tablet's script, or a bare HH:MM as today's UTC time."""
    try:
        clock = time.fromisoformat(value.strip())
    except ValueError:
        return as_utc(value)
    return datetime.combine(now.date(), clock, tzinfo=now.tzinfo).isoformat()


def _timed(*names: str, now_for: str = "") -> Callable[[Fields], dict[str, object]]:
    """Read the form's time fields; a blank `now_for` field means the moment it was sent."""

    def prepare(fields: Fields) -> dict[str, object]:
        data = _present(fields)
        now = utcnow()
        for name in names:
            if isinstance(value := data.get(name), str):
                data[name] = _moment(value, now)
        if now_for:
            data.setdefault(now_for, now.isoformat())
        return data

    return prepare


# --- an episode's sessions ---------------------------------------------------------------


def _sessions_page(
    request: Request,
    session: Session,
    principal: Principal,
    episode: Episode,
    *,
    values: Fields | None = None,
    errors: Fields | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "dosing/sessions.html",
        principal=principal,
        episode=episode,
        patient=get_patient(session, patient_id=episode.patient_id, by=principal),
        sessions=service.list_sessions(session, episode=episode, by=principal),
        can=_can(principal),
        values=values or {},
        errors=errors or {},
        status_code=status,
    )


@router.get("/episodes/{episode_id}/dosing-sessions", response_class=HTMLResponse)
def sessions_page(
    request: Request, session: DbSession, principal: Staff, episode_id: uuid.UUID
) -> HTMLResponse:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    return _sessions_page(request, session, principal, episode)


@router.post(
    "/episodes/{episode_id}/dosing-sessions", response_class=HTMLResponse, dependencies=CSRF
)
def schedule_session(
    request: Request,
    session: DbSession,
    principal: Scheduler,
    episode_id: uuid.UUID,
    fields: FormFields,
) -> Response:
    episode = get_episode(session, episode_id=episode_id, by=principal)
    data, errors = validate_form(SessionCreate, _timed("scheduled_for")(fields))
    try:
        if data is None:
            raise InvalidForm(errors)
        service.schedule_session(
            session,
            episode=episode,
            scheduled_for=data.scheduled_for,
            planned_dose_mg=data.planned_dose_mg,
            by=principal,
        )
    except (OpenKapError, InvalidForm) as refused:
        status = refusal_status(refused)
        errors = refusal_errors(refused)
        return _sessions_page(
            request, session, principal, episode, values=fields, errors=errors, status=status
        )
    return RedirectResponse(f"/episodes/{episode.id}/dosing-sessions", status_code=303)


# --- what the chair-side page shows ------------------------------------------------------


def _stock(session: Session, principal: Principal, dosing: DosingSession) -> list[BalanceRead]:
    today = utcnow().date()
    found = balances(session, by=principal)
    return [b for b in found if b.drug == dosing.drug and b.expiry >= today and b.balance_mg > 0]


def _giving(view: ChairView, can: dict[str, bool]) -> bool:
    waiting = view.state == SessionState.dosing.value and view.administration is None
    return waiting and can[Permission.dosing_administer.value]


def _people(view: ChairView, stops: list[pre_dose.HardStop]) -> list[uuid.UUID | None]:
    given = view.administration
    return [
        *(s.override.prescriber_id for s in stops if s.override),
        *(a.acknowledged_by_id for a in view.alerts),
        *(v.recorded_by_id for v in view.vitals),
        *(o.recorded_by_id for o in view.observations),
        *(d.given_by_id for d in view.devices),
        *(e.recorded_by_id for e in view.infusion_events),
        *([given.administered_by_id, given.witness_id] if given else []),
    ]


def _minimum_until(view: ChairView) -> datetime | None:
    dosing = view.dosing
    if dosing.first_device_at is None:
        return None
    return minimum_met_at(
        drug=Drug(dosing.drug),
        route=Route(dosing.route),
        first_dose_at=dosing.first_device_at,
        administration_ended_at=dosing.ended_at,
    )


def _chair_context(
    session: Session, principal: Principal, view: ChairView, can: dict[str, bool]
) -> dict[str, Any]:
    dosing, pre, giving = view.dosing, view.state in PRE_DOSE, _giving(view, can)
    staff = staff_of_clinic(session, by=principal) if giving else []
    stops = pre_dose.pre_dose_hard_stops(session, dosing=dosing) if pre else []
    return {
        "view": view,
        "stops": stops,
        "answers": pre_dose.checklist_answers(session, dosing=dosing) if pre else {},
        "stock": _stock(session, principal, dosing) if giving else [],
        "witnesses": [(str(u.id), u.full_name) for u in staff if u.id != principal.user.id],
        "names": user_names(session, _people(view, stops)),
        "thresholds": clinic_thresholds(session, organization_id=dosing.organization_id),
        "moaas_options": get_instrument("moaas").items[0].options,
        "dissociation_items": DISSOCIATION_ITEMS,
        "minimum_until": _minimum_until(view),
        "spacing": DEVICE_SPACING,
    }


def _live(
    session: Session,
    principal: Principal,
    dosing: DosingSession,
    view: ChairView | None = None,
) -> dict[str, Any]:
    """Return what the live region shows: the chair view to clinicians, the state to others.

    `failed`, `values` and `errors` are those of a refused form, set by ChairForm.answer.
    """
    now, can = utcnow(), _can(principal)
    context: dict[str, Any] = {
        "dosing": dosing,
        "view": None,
        "can": can,
        "now": now,
        "failed": "",
        "values": {},
        "errors": {},
        "fresh_id": uuid.uuid4().hex,
    }
    if can[Permission.dosing_read.value]:
        view = view or chair.read_chair_view(session, dosing=dosing, by=principal, now=now)
        context.update(_chair_context(session, principal, view, can))
    return context


def _shown(session: Session, principal: Principal, session_id: uuid.UUID) -> dict[str, Any]:
    """Read a session for the page or its poll: one audited read of the chair view, or of the
    session alone for a role that sees only its state."""
    if not allows(principal.roles, Permission.dosing_read):
        return _live(session, principal, _load(session, principal, session_id))
    view = chair.read_chair_view_of(session, session_id=session_id, by=principal, now=utcnow())
    return _live(session, principal, view.dosing, view)


def _load(session: Session, principal: Principal, session_id: uuid.UUID) -> DosingSession:
    return service.get_session(session, session_id=session_id, by=principal)


def _chair_page(
    request: Request, session: Session, principal: Principal, live: dict[str, Any], status: int
) -> HTMLResponse:
    patient = get_patient(session, patient_id=live["dosing"].patient_id, by=principal)
    return render(
        request,
        "dosing/chair.html",
        principal=principal,
        patient=patient,
        status_code=status,
        **live,
    )


@dataclass(frozen=True)
class ChairForm:
    """A form sent from the chair-side page: who sent it, for which session, with what."""

    request: Request
    db: Session
    by: Principal
    dosing: DosingSession
    fields: Fields

    def answer(self, refused: Exception | None = None, prefix: str = "") -> Response:
        """Answer with the live region to htmx; otherwise redirect, or show the whole page."""
        partial = self.request.headers.get("HX-Request") == "true"
        if refused is None and not partial:
            return RedirectResponse(f"/dosing-sessions/{self.dosing.id}", status_code=303)
        live = _live(self.db, self.by, self.dosing)
        status = 200
        if refused:
            errors = refusal_errors(refused, prefix=prefix)
            live.update(failed=prefix, values=self.fields, errors=errors)
            status = refusal_status(refused)
        if partial:
            return render(
                self.request, "dosing/_live.html", principal=self.by, status_code=status, **live
            )
        return _chair_page(self.request, self.db, self.by, live, status)

    def submit(
        self,
        prefix: str,
        model: type[ModelT],
        act: Callable[[ModelT], object],
        prepare: Callable[[Fields], dict[str, object]] = _present,
    ) -> Response:
        """Validate the form `prefix` of the page, run its use case, answer with the page."""
        data, errors = validate_form(model, prepare(unprefixed(self.fields, prefix)))
        try:
            if data is None:
                raise InvalidForm(errors)
            act(data)
        except (OpenKapError, InvalidForm) as refused:
            return self.answer(refused, prefix)
        return self.answer()

    def press(self, prefix: str, use_case: Callable[..., object]) -> Response:
        """Run a use case that takes only the session (a button), answering like a form."""
        return self.submit(
            prefix, NoFields, lambda _: use_case(self.db, dosing=self.dosing, by=self.by)
        )


def _chair_form(permission: Permission) -> Callable[..., ChairForm]:
    def dependency(
        request: Request,
        session: DbSession,
        session_id: uuid.UUID,
        fields: FormFields,
        principal: Principal = Depends(web_permission(permission)),
    ) -> ChairForm:
        return ChairForm(request, session, principal, _load(session, principal, session_id), fields)

    return dependency


Scheduling = Annotated[ChairForm, Depends(_chair_form(Permission.dosing_schedule))]
Administering = Annotated[ChairForm, Depends(_chair_form(Permission.dosing_administer))]
Observing = Annotated[ChairForm, Depends(_chair_form(Permission.dosing_observe))]
Overriding = Annotated[ChairForm, Depends(_chair_form(Permission.dosing_override))]


def _stored(answer: Response, entry_id: str) -> Response:
    """Name the entry the tablet's queue sent once it is stored (or was stored before)."""
    if answer.status_code < 400 and entry_id:
        answer.headers["X-Entry-Stored"] = entry_id
    return answer


# --- the chair-side page and its live region ---------------------------------------------


@router.get(SESSION, response_class=HTMLResponse)
def chair_page(
    request: Request, session: DbSession, principal: Staff, session_id: uuid.UUID
) -> HTMLResponse:
    return _chair_page(request, session, principal, _shown(session, principal, session_id), 200)


@router.get(f"{SESSION}/live", response_class=HTMLResponse)
def live_region(
    request: Request, session: DbSession, principal: Staff, session_id: uuid.UUID
) -> HTMLResponse:
    live = _shown(session, principal, session_id)
    return render(request, "dosing/_live.html", principal=principal, **live)


@router.post(f"{SESSION}/check-in", response_class=HTMLResponse, dependencies=CSRF)
def check_in(form: Scheduling) -> Response:
    return form.press("check-in", service.check_in)


@router.post(f"{SESSION}/start", response_class=HTMLResponse, dependencies=CSRF)
def start_dosing(form: Administering) -> Response:
    return form.press("start", pre_dose.start_dosing)


@router.post(f"{SESSION}/finish-administration", response_class=HTMLResponse, dependencies=CSRF)
def finish_administration(form: Administering) -> Response:
    return form.press("finish-administration", leaving.finish_administration)


@router.post(f"{SESSION}/ready-for-discharge", response_class=HTMLResponse, dependencies=CSRF)
def mark_ready_for_discharge(form: Administering) -> Response:
    return form.press("ready-for-discharge", leaving.mark_ready_for_discharge)


@router.post(f"{SESSION}/discharge", response_class=HTMLResponse, dependencies=CSRF)
def discharge(form: Administering) -> Response:
    return form.press("discharge", leaving.discharge)


@router.post(f"{SESSION}/checklist", response_class=HTMLResponse, dependencies=CSRF)
def answer_checklist(form: Administering) -> Response:
    answered = pre_dose.checklist_answers(form.db, dosing=form.dosing)
    # Only the answers that changed are recorded: each is kept with who gave it and when.
    for key in pre_dose.ChecklistKey:
        value = form.fields.get(f"checklist-{key.value}", "").strip()
        if not value or answered.get(key.value) == value:
            continue
        try:
            pre_dose.record_checklist(form.db, dosing=form.dosing, key=key, value=value, by=form.by)
        except OpenKapError as refused:
            refused.field = key.value
            return form.answer(refused, "checklist")
    return form.answer()


@router.post(f"{SESSION}/overrides/{{stop_key}}", response_class=HTMLResponse, dependencies=CSRF)
def override_hard_stop(form: Overriding, stop_key: pre_dose.StopKey) -> Response:
    def act(data: OverrideCreate) -> object:
        return pre_dose.override_hard_stop(
            form.db, dosing=form.dosing, key=data.stop_key, reason=data.reason, by=form.by
        )

    prepare = lambda fields: {**_present(fields), "stop_key": stop_key.value}  # noqa: E731
    return form.submit(f"override-{stop_key.value}", OverrideCreate, act, prepare)


@router.post(f"{SESSION}/vitals", response_class=HTMLResponse, dependencies=CSRF)
def record_vitals(form: Administering) -> Response:
    def act(data: VitalsCreate) -> object:
        reading = monitoring.VitalsInput(**data.model_dump())
        return monitoring.record_vitals(form.db, dosing=form.dosing, data=reading, by=form.by)

    answer = form.submit("vitals", VitalsCreate, act, _timed("measured_at", now_for="measured_at"))
    return _stored(answer, form.fields.get("vitals-client_reading_id", ""))


@router.post(
    f"{SESSION}/alerts/{{alert_id}}/acknowledge", response_class=HTMLResponse, dependencies=CSRF
)
def acknowledge_alert(form: Administering, alert_id: uuid.UUID) -> Response:
    def act(data: AlertAcknowledge) -> object:
        return monitoring.acknowledge_alert(
            form.db,
            dosing=form.dosing,
            alert_id=alert_id,
            action_taken=data.action_taken,
            by=form.by,
        )

    return form.submit(f"ack-{alert_id}", AlertAcknowledge, act)


@router.post(f"{SESSION}/observations", response_class=HTMLResponse, dependencies=CSRF)
def record_observation(form: Observing) -> Response:
    def act(data: ObservationCreate) -> object:
        return observations.record_observation(
            form.db,
            dosing=form.dosing,
            client_entry_id=data.client_entry_id,
            observed_at=data.observed_at,
            text=data.text,
            by=form.by,
        )

    prepare = _timed("observed_at", now_for="observed_at")
    answer = form.submit("observation", ObservationCreate, act, prepare)
    return _stored(answer, form.fields.get("observation-client_entry_id", ""))


def _answers(instrument: DissociationInstrument) -> Callable[[Fields], dict[str, object]]:
    """Read a CADSS form: one 0-4 select per item, blank for an item not rated."""

    def prepare(fields: Fields) -> dict[str, object]:
        raw = [
            fields.get(f"item{n}", "").strip() for n in range(1, DISSOCIATION_ITEMS[instrument] + 1)
        ]
        if not all(value.isdigit() for value in raw if value):
            return {"answers": "not numbers"}
        measured = _timed("measured_at", now_for="measured_at")(fields)["measured_at"]
        answers = [int(value) if value else None for value in raw]
        return {"instrument_id": instrument.value, "answers": answers, "measured_at": measured}

    return prepare


@router.post(
    f"{SESSION}/dissociation/{{instrument}}", response_class=HTMLResponse, dependencies=CSRF
)
def record_dissociation(form: Observing, instrument: DissociationInstrument) -> Response:
    def act(data: DissociationCreate) -> object:
        return observations.record_dissociation(
            form.db,
            dosing=form.dosing,
            instrument_id=data.instrument_id.value,
            answers=data.answers,
            measured_at=data.measured_at,
            by=form.by,
        )

    return form.submit(instrument.value, DissociationCreate, act, _answers(instrument))


def _stock_fields(fields: Fields) -> dict[str, object]:
    """Read the lot picker: one choice names the lot and the place it is taken from."""
    data = _present(fields)
    lot, _, location = str(data.pop("stock", "")).partition("/")
    return {**data, **({"lot_id": lot, "location_id": location} if location else {})}


@router.post(f"{SESSION}/administration", response_class=HTMLResponse, dependencies=CSRF)
def record_administration(form: Administering) -> Response:
    def act(data: AdministrationInput) -> object:
        return administration.record_administration(
            form.db, dosing=form.dosing, data=data, by=form.by
        )

    return form.submit("admin", AdministrationInput, act, _stock_fields)


@router.post(f"{SESSION}/devices/{{number}}", response_class=HTMLResponse, dependencies=CSRF)
def mark_device_given(form: Administering, number: int) -> Response:
    def act(_: NoFields) -> object:
        return administration.mark_device_given(
            form.db, dosing=form.dosing, number=number, by=form.by
        )

    return form.submit(f"device-{number}", NoFields, act)


@router.post(f"{SESSION}/infusion/{{kind}}", response_class=HTMLResponse, dependencies=CSRF)
def change_infusion(form: Administering, kind: InfusionEventKind) -> Response:
    def act(data: InfusionEventCreate) -> object:
        return administration.change_infusion(
            form.db,
            dosing=form.dosing,
            kind=data.kind,
            reason=data.reason,
            rate_ml_per_hour=data.rate_ml_per_hour,
            by=form.by,
        )

    prepare = lambda fields: {**_present(fields), "kind": kind.value}  # noqa: E731
    return form.submit(f"infusion-{kind.value}", InfusionEventCreate, act, prepare)


@router.post(f"{SESSION}/adverse-events", response_class=HTMLResponse, dependencies=CSRF)
def record_adverse_event(form: Administering) -> Response:
    def act(data: AdverseEventInput) -> object:
        return adverse_events.record_adverse_event(
            form.db, dosing=form.dosing, data=data, by=form.by
        )

    prepare = _timed("onset_at", "rescue_given_at", "resolved_at", now_for="onset_at")
    return form.submit("ae", AdverseEventInput, act, prepare)


@router.post(f"{SESSION}/abort", response_class=HTMLResponse, dependencies=CSRF)
def abort(form: Administering) -> Response:
    def act(data: AbortRequest) -> object:
        return service.abort(form.db, dosing=form.dosing, reason=data.reason, by=form.by)

    return form.submit("abort", AbortRequest, act)


# --- the discharge summary ---------------------------------------------------------------


@router.get(f"{SESSION}/discharge-summary", response_class=HTMLResponse)
def discharge_summary(
    request: Request, session: DbSession, principal: Clinician, session_id: uuid.UUID
) -> HTMLResponse:
    view = chair.read_chair_view_of(session, session_id=session_id, by=principal, now=utcnow())
    service.require_state(view.dosing, *SUMMARY_STATES)
    episode = get_episode(session, episode_id=view.dosing.episode_id, by=principal)
    with_values = [v for v in view.vitals if v.sbp is not None or v.hr is not None]
    return render(
        request,
        "dosing/discharge_summary.html",
        principal=principal,
        view=view,
        patient=get_patient(session, patient_id=view.dosing.patient_id, by=principal),
        prescriber=user_names(session, [episode.prescriber_id]).get(episode.prescriber_id)
        if episode.prescriber_id
        else None,
        last_vitals=with_values[-1] if with_values else None,
        last_moaas=next((v.moaas for v in reversed(view.vitals) if v.moaas is not None), None),
        clinic=principal.user.organization.name,
    )
