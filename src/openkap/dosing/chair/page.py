"""What the chair-side page shows and how its forms are read: the context builders, the form
dependency (ChairForm) and its answers. openkap.dosing.chair.routes holds the routes themselves.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from openkap.core.deps import DbSession, web_permission
from openkap.core.errors import OpenKapError
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.schemas import InputModel
from openkap.core.time import utcnow
from openkap.dosing.administration.calculator import DEVICE_SPACING
from openkap.dosing.chair import day_checks, pre_dose
from openkap.dosing.chair import service as chair
from openkap.dosing.chair.discharge import minimum_met_at
from openkap.dosing.chair.service import ChairView
from openkap.dosing.models import DosingSession, SessionState
from openkap.dosing.monitoring.schemas import (
    DissociationInstrument,
)
from openkap.dosing.sessions import service, views
from openkap.dosing.thresholds.service import clinic_thresholds
from openkap.episodes.models import Episode
from openkap.instruments import get_instrument
from openkap.intake.record.service import find_intake
from openkap.inventory.schemas import BalanceRead
from openkap.inventory.stock.reports import balances
from openkap.patients.service import get_patient
from openkap.plans.access import user_names
from openkap.plans.models import Drug, Route
from openkap.plans.treatment.page_forms import as_utc
from openkap.web.forms import (
    FormFields,
    InvalidForm,
    refusal_errors,
    refusal_status,
    unprefixed,
    validate_form,
)
from openkap.web.templating import render

PRE_DOSE = frozenset({SessionState.checked_in.value, SessionState.pre_dose_checks.value})
SUMMARY_STATES = (SessionState.ready_for_discharge, SessionState.discharged)
DISSOCIATION_ITEMS = {DissociationInstrument.cadss6: 6, DissociationInstrument.cadss: 23}
ModelT = TypeVar("ModelT", bound=BaseModel)
Fields = dict[str, str]


class NoFields(InputModel):
    """A form that is only a button."""


def can_do(principal: Principal) -> dict[str, bool]:
    return {p.value: allows(principal.roles, p) for p in Permission}


def present_fields(fields: Fields) -> dict[str, object]:
    """Leave out what the form left blank, so optional fields take their defaults."""
    return {key: value for key, value in fields.items() if value.strip()}


def _moment(value: str, now: datetime) -> str:
    """Read a time field: ISO from the tablet's script, or a bare HH:MM as today's UTC time."""
    try:
        clock = time.fromisoformat(value.strip())
    except ValueError:
        return as_utc(value)
    return datetime.combine(now.date(), clock, tzinfo=now.tzinfo).isoformat()


def timed_fields(*names: str, now_for: str = "") -> Callable[[Fields], dict[str, object]]:
    """Read the form's time fields; a blank `now_for` field means the moment it was sent."""

    def prepare(fields: Fields) -> dict[str, object]:
        data = present_fields(fields)
        now = utcnow()
        for name in names:
            if isinstance(value := data.get(name), str):
                data[name] = _moment(value, now)
        if now_for:
            data.setdefault(now_for, now.isoformat())
        return data

    return prepare


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
        *([given.administered_by_id, given.witness_id, given.reconciled_by_id] if given else []),
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
    stops = pre_dose.pre_dose_hard_stops(session, dosing=dosing) if pre else []
    return {
        "view": view,
        "stops": stops,
        "answers": pre_dose.checklist_answers(session, dosing=dosing) if pre else {},
        "medication_names": day_checks.CATALOGUE_NAMES,
        "stock": _stock(session, principal, dosing) if giving else [],
        "names": user_names(session, _people(view, stops)),
        "thresholds": clinic_thresholds(session, organization_id=dosing.organization_id),
        "moaas_options": get_instrument("moaas").items[0].options,
        "dissociation_items": DISSOCIATION_ITEMS,
        "minimum_until": _minimum_until(view),
        "spacing": DEVICE_SPACING,
    }


def render_live(
    session: Session,
    principal: Principal,
    dosing: DosingSession,
    view: ChairView | None = None,
) -> dict[str, Any]:
    """Return what the live region shows: the chair view to clinicians, the state to others.

    `failed`, `values` and `errors` are those of a refused form, set by ChairForm.answer.
    """
    now, can = utcnow(), can_do(principal)
    context: dict[str, Any] = {
        "dosing": views.shown_session(dosing, by=principal),
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


def shown_context(session: Session, principal: Principal, session_id: uuid.UUID) -> dict[str, Any]:
    """Read a session for the page or its poll: one audited read of the chair view, or of the
    session alone for a role that sees only its state."""
    if not allows(principal.roles, Permission.dosing_read):
        return render_live(session, principal, _load(session, principal, session_id))
    view = chair.read_chair_view_of(session, session_id=session_id, by=principal, now=utcnow())
    return render_live(session, principal, view.dosing, view)


def _load(session: Session, principal: Principal, session_id: uuid.UUID) -> DosingSession:
    return service.get_session(session, session_id=session_id, by=principal)


def _allergies(session: Session, principal: Principal, dosing: DosingSession) -> str | None:
    """The intake's allergies for the identity check; None for a role that sees no clinical data."""
    if not allows(principal.roles, Permission.dosing_read):
        return None
    episode = session.get(Episode, (dosing.organization_id, dosing.episode_id))
    intake = None if episode is None else find_intake(session, episode=episode)
    recorded = "" if intake is None else intake.allergies.strip()
    return recorded or "none recorded in the intake"


def render_chair(
    request: Request, session: Session, principal: Principal, live: dict[str, Any], status: int
) -> HTMLResponse:
    patient = get_patient(session, patient_id=live["dosing"].patient_id, by=principal)
    return render(
        request,
        "dosing/chair.html",
        principal=principal,
        patient=patient,
        allergies=_allergies(session, principal, live["dosing"]),
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
        live = render_live(self.db, self.by, self.dosing)
        status = 200
        if refused:
            errors = refusal_errors(refused, prefix=prefix)
            live.update(failed=prefix, values=self.fields, errors=errors)
            status = refusal_status(refused)
        if partial:
            return render(
                self.request, "dosing/_live.html", principal=self.by, status_code=status, **live
            )
        return render_chair(self.request, self.db, self.by, live, status)

    def submit(
        self,
        prefix: str,
        model: type[ModelT],
        act: Callable[[ModelT], object],
        prepare: Callable[[Fields], dict[str, object]] = present_fields,
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
Ordering = Annotated[ChairForm, Depends(_chair_form(Permission.dosing_order))]


def stored_answer(answer: Response, entry_id: str) -> Response:
    """Name the entry the tablet's queue sent once it is stored (or was stored before)."""
    if answer.status_code < 400 and entry_id:
        answer.headers["X-Entry-Stored"] = entry_id
    return answer
