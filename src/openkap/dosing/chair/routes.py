"""Pages of dosing sessions: an episode's sessions, the chair-side page, the discharge summary.

The chair-side page is one live region (dosing/_live.html) that htmx polls every few seconds;
each form on it posts with htmx and gets the region back, its errors beside its fields. A plain
form post (no htmx) gets a redirect to the page, or the whole page with the errors. Vital signs
and observations also come from the tablet's reading queue (web/static/chair.js): their answer
names the stored entry in X-Entry-Stored, which is how the queue knows it may let the entry go.
Observations and dissociation have their forms in dosing.observation_routes.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from openkap.core.deps import DbSession, csrf_protect, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.dosing import state
from openkap.dosing.administration import adverse_events, infusion, order_changes
from openkap.dosing.administration import service as administration
from openkap.dosing.administration.schemas import (
    AdministrationInput,
    AdverseEventInput,
    InfusionEventCreate,
    OrderChangeInput,
)
from openkap.dosing.chair import leaving, pre_dose
from openkap.dosing.chair import service as chair
from openkap.dosing.chair.page import (
    SUMMARY_STATES,
    Administering,
    Fields,
    NoFields,
    Ordering,
    Overriding,
    Scheduling,
    can_do,
    present_fields,
    render_chair,
    shown_context,
    stored_answer,
    timed_fields,
)
from openkap.dosing.models import InfusionEventKind
from openkap.dosing.monitoring import service as monitoring
from openkap.dosing.sessions import service, views
from openkap.dosing.sessions.schemas import (
    AbortRequest,
    AlertAcknowledge,
    OverrideCreate,
    SessionCreate,
    VitalsCreate,
)
from openkap.episodes.models import Episode
from openkap.episodes.service import get_episode
from openkap.patients.service import get_patient
from openkap.plans.access import user_names
from openkap.web.forms import (
    FormFields,
    InvalidForm,
    refusal_errors,
    refusal_status,
    validate_form,
)
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
Staff = Annotated[Principal, Depends(web_permission(Permission.dosing_session_read))]
Scheduler = Annotated[Principal, Depends(web_permission(Permission.dosing_schedule))]
Clinician = Annotated[Principal, Depends(web_permission(Permission.dosing_read))]
CSRF = [Depends(csrf_protect)]
SESSION = "/dosing-sessions/{session_id}"


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
        sessions=[
            views.shown_session(s, by=principal)
            for s in service.list_sessions(session, episode=episode, by=principal)
        ],
        can=can_do(principal),
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
    data, errors = validate_form(SessionCreate, timed_fields("scheduled_for")(fields))
    try:
        if data is None:
            raise InvalidForm(errors)
        service.schedule_session(
            session,
            episode=episode,
            scheduled_for=data.scheduled_for,
            by=principal,
        )
    except (OpenKapError, InvalidForm) as refused:
        status = refusal_status(refused)
        errors = refusal_errors(refused)
        return _sessions_page(
            request, session, principal, episode, values=fields, errors=errors, status=status
        )
    return RedirectResponse(f"/episodes/{episode.id}/dosing-sessions", status_code=303)


# --- the chair-side page and its live region ---------------------------------------------


@router.get(SESSION, response_class=HTMLResponse)
def chair_page(
    request: Request, session: DbSession, principal: Staff, session_id: uuid.UUID
) -> HTMLResponse:
    return render_chair(
        request, session, principal, shown_context(session, principal, session_id), 200
    )


@router.get(f"{SESSION}/live", response_class=HTMLResponse)
def live_region(
    request: Request, session: DbSession, principal: Staff, session_id: uuid.UUID
) -> HTMLResponse:
    live = shown_context(session, principal, session_id)
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
        if key == pre_dose.ChecklistKey.pregnancy_status and value == "not_applicable":
            value += ": " + form.fields.get("checklist-pregnancy_reason", "").strip()
        if not value or answered.get(key.value) == value:
            continue
        try:
            reason = form.fields.get("checklist-weight_change_reason", "").strip() or None
            pre_dose.record_checklist(
                form.db,
                dosing=form.dosing,
                key=key,
                value=value,
                by=form.by,
                weight_change_reason=reason if key == pre_dose.ChecklistKey.weight_kg else None,
            )
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

    prepare = lambda fields: {**present_fields(fields), "stop_key": stop_key.value}  # noqa: E731
    return form.submit(f"override-{stop_key.value}", OverrideCreate, act, prepare)


@router.post(f"{SESSION}/order-changes", response_class=HTMLResponse, dependencies=CSRF)
def change_order(form: Ordering) -> Response:
    def act(data: OrderChangeInput) -> object:
        return order_changes.change_order(form.db, dosing=form.dosing, data=data, by=form.by)

    return form.submit("order", OrderChangeInput, act, present_fields)


@router.post(f"{SESSION}/vitals", response_class=HTMLResponse, dependencies=CSRF)
def record_vitals(form: Administering) -> Response:
    def act(data: VitalsCreate) -> object:
        reading = monitoring.VitalsInput(**data.model_dump())
        return monitoring.record_vitals(form.db, dosing=form.dosing, data=reading, by=form.by)

    answer = form.submit(
        "vitals", VitalsCreate, act, timed_fields("measured_at", now_for="measured_at")
    )
    return stored_answer(answer, form.fields.get("vitals-client_reading_id", ""))


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


def _stock_fields(fields: Fields) -> dict[str, object]:
    """Read the lot picker: one choice names the lot and the place it is taken from."""
    data = present_fields(fields)
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
        return infusion.mark_device_given(form.db, dosing=form.dosing, number=number, by=form.by)

    return form.submit(f"device-{number}", NoFields, act)


@router.post(f"{SESSION}/infusion/{{kind}}", response_class=HTMLResponse, dependencies=CSRF)
def change_infusion(form: Administering, kind: InfusionEventKind) -> Response:
    def act(data: InfusionEventCreate) -> object:
        return infusion.change_infusion(
            form.db,
            dosing=form.dosing,
            kind=data.kind,
            reason=data.reason,
            rate_ml_per_hour=data.rate_ml_per_hour,
            by=form.by,
        )

    prepare = lambda fields: {**present_fields(fields), "kind": kind.value}  # noqa: E731
    return form.submit(f"infusion-{kind.value}", InfusionEventCreate, act, prepare)


@router.post(f"{SESSION}/adverse-events", response_class=HTMLResponse, dependencies=CSRF)
def record_adverse_event(form: Administering) -> Response:
    def act(data: AdverseEventInput) -> object:
        return adverse_events.record_adverse_event(
            form.db, dosing=form.dosing, data=data, by=form.by
        )

    prepare = timed_fields("onset_at", "rescue_given_at", "resolved_at", now_for="onset_at")
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
    state.require_state(view.dosing, *SUMMARY_STATES)
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
