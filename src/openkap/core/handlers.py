"""The one place errors become responses: JSON for the API, a page for people."""

import logging
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DataError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from openkap.core.deps import LoginRequired, MfaRequired
from openkap.core.errors import OpenKapError

logger = logging.getLogger("openkap.errors")
# How a page of the web layer is rendered (web.templating.render): the request, the template
# and its context; app.py hands it in.
ErrorPageRenderer = Callable[..., Response]

_TITLES = {
    400: "Request refused",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    422: "Invalid input",
    428: "Version needed",
    429: "Too many attempts",
    500: "Something went wrong",
}


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith(("/api/", "/fhir/"))


def _respond(
    request: Request,
    *,
    status: int,
    name: str,
    detail: str,
    fields: list[dict[str, Any]] | None = None,
) -> Response:
    if _wants_json(request):
        body: dict[str, Any] = {"error": name, "detail": detail}
        if fields is not None:
            body["fields"] = fields
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(body, status_code=status, headers=headers)
    title = _TITLES.get(status, "Request refused")
    render: ErrorPageRenderer = request.app.state.render_error_page
    return render(
        request,
        "web/error.html",
        status_code=status,
        title=title,
        detail=detail,
        fields=fields,
        principal=getattr(request.state, "principal", None),
    )


def _redirect(request: Request, location: str) -> Response:
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": location})
    return RedirectResponse(location, status_code=303)


_LOCATIONS = {"body", "query", "path", "header", "cookie"}
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            fields.append({"name": "body", "message": "The body is not valid JSON."})
            continue
        location = [str(part) for part in error.get("loc", ()) if part not in _LOCATIONS]
        fields.append({"name": ".".join(location) or "request", "message": error.get("msg", "")})
    return fields


async def _openkap_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OpenKapError)
    if isinstance(exc, LoginRequired) and not _wants_json(request):
        return _redirect(request, "/login?next=" + quote(request.url.path))
    if isinstance(exc, MfaRequired) and not _wants_json(request):
        return _redirect(request, exc.location)
    fields = None
    if exc.status_code == 422:
        fields = [{"name": exc.field or "request", "message": exc.message}]
    return _respond(
        request, status=exc.status_code, name=exc.name, detail=exc.message, fields=fields
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return _respond(
        request,
        status=422,
        name="ValidationError",
        detail="Some fields are missing or invalid.",
        fields=_field_errors(exc),
    )


async def _stale_data(request: Request, exc: Exception) -> Response:
    return _respond(
        request,
        status=409,
        name="Conflict",
        detail="Someone else changed this record. Reload it and apply your change again.",
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and _wants_json(request):
        # Starlette refuses a body it cannot decode before validation runs; to a client it is
        # malformed input like any other.
        return _respond(
            request,
            status=422,
            name="ValidationError",
            detail=str(exc.detail),
            fields=[{"name": "body", "message": str(exc.detail)}],
        )
    names = {404: "NotFound", 405: "MethodNotAllowed"}
    detail = "No such page." if exc.status_code == 404 else str(exc.detail)
    response = _respond(
        request, status=exc.status_code, name=names.get(exc.status_code, "HTTPError"), detail=detail
    )
    if exc.status_code == 405:
        response.headers["Allow"] = ", ".join(_allowed_methods(request))
    return response


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at this path (Starlette names only the first route's)."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]


async def _unstorable_input(request: Request, exc: Exception) -> Response:
    return _respond(
        request,
        status=422,
        name="ValidationError",
        detail="The input contains characters that cannot be stored.",
        fields=[{"name": "request", "message": "remove control characters"}],
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    incident = uuid.uuid4().hex[:12]
    route = request.scope.get("route")
    # Only the type, route template and incident id are logged: the exception text and the
    # concrete URL may carry patient data.
    logger.error(
        "unhandled %s on %s %s (incident %s)",
        type(exc).__name__,
        request.method,
        getattr(route, "path", "?"),
        incident,
    )
    return _respond(
        request,
        status=500,
        name="InternalError",
        detail=f"An unexpected error occurred (incident {incident}). Nothing was saved.",
    )


def install_error_handlers(app: FastAPI, *, render_page: ErrorPageRenderer) -> None:
    """Register the handlers on the application, with the web layer's page renderer (handed in
    by app.py, so core imports no web module)."""
    app.state.render_error_page = render_page
    app.add_exception_handler(OpenKapError, _openkap_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StaleDataError, _stale_data)
    app.add_exception_handler(DataError, _unstorable_input)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
