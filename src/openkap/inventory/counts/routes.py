"""Pages of inventory counts and the biennial inventory report (the ledger's other pages are in
openkap.inventory.stock.routes, whose form helpers these share).
"""

import enum
import uuid
from collections.abc import Mapping
from datetime import date
from functools import partial
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from openkap.core.deps import DbSession, csrf_protect
from openkap.core.errors import OpenKapError
from openkap.core.principal import Principal
from openkap.core.time import utcnow
from openkap.inventory.counts import biennial
from openkap.inventory.counts import service as counts
from openkap.inventory.counts.biennial import InventoryTime
from openkap.inventory.counts.pdf import inventory_pdf
from openkap.inventory.models import InventoryCount, InventoryCountLine
from openkap.inventory.schemas import (
    CountComplete,
    CountedLot,
    CountStart,
    SiteName,
)
from openkap.inventory.stock import catalog, reports
from openkap.inventory.stock.routes import Reader, Recorder, _page, _refused, _valid
from openkap.web.forms import (
    FormFields,
    InvalidForm,
    validate_form,
)

router = APIRouter(include_in_schema=False)


class CountStep(enum.StrEnum):
    complete = "complete"
    sign = "sign"


form_post = partial(router.post, response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])


def _counts_page(
    request: Request, session: Session, principal: Principal, **context: Any
) -> HTMLResponse:
    listed = reports.list_counts(session, by=principal)
    return _page(request, session, principal, "counts.html", counts=listed, **context)


@router.get("/inventory/counts", response_class=HTMLResponse)
def counts_page(request: Request, session: DbSession, principal: Reader) -> HTMLResponse:
    return _counts_page(request, session, principal)


@form_post("/inventory/counts")
def start_count(
    request: Request, session: DbSession, principal: Recorder, fields: FormFields
) -> Response:
    try:
        with session.begin_nested():
            start = _valid(CountStart, fields)
            count = counts.start_count(session, location_id=start.location_id, by=principal)
    except (OpenKapError, InvalidForm) as refused:
        return _counts_page(request, session, principal, values=fields, **_refused(refused))
    return RedirectResponse(f"/inventory/counts/{count.id}", status_code=303)


def _count_page(
    request: Request, session: Session, principal: Principal, count: InventoryCount, **context: Any
) -> HTMLResponse:
    return _page(
        request,
        session,
        principal,
        "count.html",
        count=count,
        lines=counts.count_lines(session, count=count),
        location=catalog.get_location(session, location_id=count.location_id, by=principal),
        **context,
    )


@router.get("/inventory/counts/{count_id}", response_class=HTMLResponse)
def count_page(
    request: Request, session: DbSession, principal: Reader, count_id: uuid.UUID
) -> HTMLResponse:
    count = counts.get_count(session, count_id=count_id, by=principal)
    return _count_page(request, session, principal, count)


def _counted(lines: list[InventoryCountLine], fields: Mapping[str, str]) -> CountComplete:
    counted: list[CountedLot] = []
    errors: dict[str, str] = {}
    for line in lines:
        name = f"counted-{line.lot_id}"
        value = {"lot_id": str(line.lot_id), "counted_mg": fields.get(name, "")}
        if fields.get(f"estimated-{line.lot_id}"):
            value["estimated"] = "true"
        if container := fields.get(f"container-{line.lot_id}", "").strip():
            value["container_units"] = container
        item, item_errors = validate_form(CountedLot, value)
        if item is None:
            errors[name] = item_errors.get("counted_mg", "Enter the quantity counted.")
        else:
            counted.append(item)
    if errors:
        raise InvalidForm(errors)
    explanation = fields.get("explanation", "").strip() or None
    return CountComplete(lines=counted, explanation=explanation)


@form_post("/inventory/counts/{count_id}/{step}")
def count_step(
    request: Request,
    session: DbSession,
    principal: Recorder,
    count_id: uuid.UUID,
    step: CountStep,
    fields: FormFields,
) -> Response:
    count = counts.get_count(session, count_id=count_id, by=principal)
    try:
        with session.begin_nested():
            if step is CountStep.complete:
                data = _counted(counts.count_lines(session, count=count), fields)
                counts.complete_count(session, count_id=count.id, data=data, by=principal)
            else:
                counts.sign_count(session, count_id=count.id, by=principal)
    except (OpenKapError, InvalidForm) as refused:
        context = _refused(refused)
        return _count_page(
            request, session, principal, count, values=fields, step=step.value, **context
        )
    return RedirectResponse(f"/inventory/counts/{count.id}", status_code=303)


@router.get("/inventory/reports/biennial", response_class=HTMLResponse)
def biennial_page(
    request: Request,
    session: DbSession,
    principal: Reader,
    as_of: date | None = None,
    taken_at: InventoryTime = InventoryTime.close,
    site: SiteName = None,
) -> HTMLResponse:
    chosen = as_of or utcnow().date()
    site = site or None
    values = {"as_of": chosen.isoformat(), "taken_at": taken_at.value, "site": site or ""}
    template = "_biennial_table.html" if request.headers.get("HX-Request") else "biennial.html"
    try:
        report = biennial.biennial_inventory(
            session, by=principal, as_of=chosen, taken_at=taken_at, site=site
        )
    except OpenKapError as refused:
        context = _refused(refused)
        return _page(request, session, principal, template, values=values, report=None, **context)
    return _page(request, session, principal, template, values=values, report=report)


class ReportFormat(enum.StrEnum):
    csv = "csv"
    pdf = "pdf"


@router.get("/inventory/reports/biennial.{fmt}")
def biennial_download(
    session: DbSession,
    principal: Reader,
    fmt: ReportFormat,
    as_of: date | None = None,
    taken_at: InventoryTime = InventoryTime.close,
    site: SiteName = None,
) -> Response:
    chosen = as_of or utcnow().date()
    report = biennial.biennial_inventory(
        session, by=principal, as_of=chosen, taken_at=taken_at, site=site or None
    )
    filename = f"biennial-inventory-{chosen.isoformat()}-{taken_at.value}.{fmt.value}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    if fmt is ReportFormat.pdf:
        pdf = inventory_pdf(report)
        return Response(content=pdf, media_type="application/pdf", headers=headers)
    return Response(content=biennial.inventory_csv(report), media_type="text/csv", headers=headers)
