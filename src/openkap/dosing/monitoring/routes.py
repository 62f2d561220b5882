"""Chair-side forms of observers: observations, CADSS scores, and the statement that
dissociation has resolved. They answer with the page's live region, as dosing.chair.routes
explains."""

from collections.abc import Callable

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse, Response

from openkap.core.deps import csrf_protect
from openkap.dosing.chair import leaving
from openkap.dosing.chair.page import (
    DISSOCIATION_ITEMS,
    Fields,
    Observing,
    stored_answer,
    timed_fields,
)
from openkap.dosing.monitoring import observations
from openkap.dosing.monitoring.schemas import (
    DissociationCreate,
    DissociationInstrument,
    DissociationStatement,
    ObservationCreate,
)

router = APIRouter(include_in_schema=False)
CSRF = [Depends(csrf_protect)]
SESSION = "/dosing-sessions/{session_id}"


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

    prepare = timed_fields("observed_at", now_for="observed_at")
    answer = form.submit("observation", ObservationCreate, act, prepare)
    return stored_answer(answer, form.fields.get("observation-client_entry_id", ""))


def _answers(instrument: DissociationInstrument) -> Callable[[Fields], dict[str, object]]:
    """Read a CADSS form: one 0-4 select per item, blank for an item not rated."""

    def prepare(fields: Fields) -> dict[str, object]:
        raw = [
            fields.get(f"item{n}", "").strip() for n in range(1, DISSOCIATION_ITEMS[instrument] + 1)
        ]
        if not all(value.isdigit() for value in raw if value):
            return {"answers": "not numbers"}
        measured = timed_fields("measured_at", now_for="measured_at")(fields)["measured_at"]
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


@router.post(f"{SESSION}/dissociation-statement", response_class=HTMLResponse, dependencies=CSRF)
def state_dissociation_resolved(form: Observing) -> Response:
    def act(data: DissociationStatement) -> object:
        return leaving.state_dissociation_resolved(
            form.db, dosing=form.dosing, statement=data.statement, by=form.by
        )

    return form.submit("dissociation-statement", DissociationStatement, act)
