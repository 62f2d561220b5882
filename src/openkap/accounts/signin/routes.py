"""Sign-in pages: password, one-time code, sign-out."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from openkap.accounts.errors import ClinicChoiceNeeded
from openkap.accounts.signin import service as sessions
from openkap.core.config import get_settings
from openkap.core.deps import (
    SESSION_COOKIE,
    DbSession,
    LoginRequired,
    WebUser,
    check_csrf,
    client_address,
    csrf_protect,
)
from openkap.core.errors import Forbidden
from openkap.core.models import User, UserSession
from openkap.core.security import new_token, same_secret
from openkap.web.security_headers import secure_cookies
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "openkap_login_csrf"


def _safe_next(target: str | None) -> str:
    # Only same-site paths: an open redirect would let a phishing link reuse our sign-in page.
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and target.isprintable()
        and "\\" not in target
    ):
        return target
    return "/"


def _login_page(
    request: Request,
    *,
    error: str | None = None,
    status: int = 200,
    email: str = "",
    clinic: str = "",
    ask_clinic: bool = False,
) -> HTMLResponse:
    token = new_token()
    response = render(
        request,
        "accounts/login.html",
        status_code=status,
        error=error,
        login_csrf=token,
        email=email,
        clinic=clinic,
        ask_clinic=ask_clinic or bool(clinic),
        next=_safe_next(request.query_params.get("next")),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=secure_cookies(request),
        path="/login",
    )
    return response


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    """Give the browser its session cookie (staff sign-in and a patient's portal link alike)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
        max_age=get_settings().session_absolute_hours * 3600,
    )


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


async def _login_csrf(request: Request) -> None:
    await check_csrf(request, request.cookies.get(LOGIN_CSRF_COOKIE))


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(_login_csrf)])
def login_submit(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
    clinic: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    if not email or not password:
        return _login_page(
            request, error="Enter your e-mail and password.", status=422, email=email
        )
    outcome = sessions.authenticate(
        session,
        email=email,
        password=password,
        client_address=client_address(request),
        clinic=clinic or None,
    )
    if outcome.error is not None or outcome.user is None:
        error = outcome.error
        return _login_page(
            request,
            error=error.message if error else "Sign-in failed.",
            status=error.status_code if error else 401,
            email=email,
            clinic=clinic,
            ask_clinic=isinstance(error, ClinicChoiceNeeded),
        )
    user = outcome.user
    _, token = sessions.start_web_session(
        session, user=user, client_address=client_address(request), mfa_passed=not user.mfa_enabled
    )
    target = _safe_next(next)
    location = f"/login/mfa?next={quote(target)}" if user.mfa_enabled else target
    response = RedirectResponse(location, status_code=303)
    set_session_cookie(request, response, token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


def _pending(request: Request, session: Session) -> tuple[UserSession, User]:
    token = request.cookies.get(SESSION_COOKIE)
    pending = sessions.pending_web_session(session, token=token) if token else None
    if pending is None:
        raise LoginRequired("Please sign in.")
    return pending


@router.get("/login/mfa", response_class=HTMLResponse)
def mfa_form(request: Request, session: DbSession) -> HTMLResponse:
    record, _ = _pending(request, session)
    return render(
        request,
        "accounts/login_mfa.html",
        mfa_csrf=record.csrf_token,
        next=_safe_next(request.query_params.get("next")),
    )


@router.post("/login/mfa", response_class=HTMLResponse)
def mfa_submit(
    request: Request,
    session: DbSession,
    code: Annotated[str, Form(max_length=16)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    record, user = _pending(request, session)
    if not same_secret(record.csrf_token, csrf_token):
        raise Forbidden("The form has expired. Reload and retry.")
    error = sessions.pass_second_factor(
        session, user=user, code=code, client_address=client_address(request)
    )
    if error is not None:
        return render(
            request,
            "accounts/login_mfa.html",
            status_code=error.status_code,
            error=error.message,
            mfa_csrf=record.csrf_token,
            next=_safe_next(next),
        )
    record.mfa_passed = True
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(csrf_protect)])
def logout(principal: WebUser, session: DbSession) -> Response:
    if principal.web_session is not None:
        sessions.end_web_session(session, record=principal.web_session)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
