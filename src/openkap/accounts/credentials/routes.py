"""The account page: password, MFA, personal API tokens, and signing out everywhere."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from openkap.accounts import service
from openkap.accounts.credentials import revocation
from openkap.accounts.signin import service as sessions
from openkap.core.deps import (
    SESSION_COOKIE,
    DbSession,
    WebUser,
    check_csrf,
    csrf_protect,
    web_principal_mfa_setup,
)
from openkap.core.errors import BadRequest, NotFound
from openkap.core.principal import Principal
from openkap.core.security import totp_uri
from openkap.web.templating import render

router = APIRouter(include_in_schema=False)
MfaSetupUser = Annotated[Principal, Depends(web_principal_mfa_setup)]


async def _mfa_setup_csrf(request: Request, principal: MfaSetupUser) -> None:
    await check_csrf(request, principal.web_session.csrf_token if principal.web_session else None)


def _account_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    *,
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    tokens = sessions.list_personal_tokens(session, user=principal.user)
    return render(
        request,
        "accounts/account.html",
        principal=principal,
        tokens=tokens,
        status_code=status,
        **extra,
    )


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, session: DbSession, principal: WebUser) -> HTMLResponse:
    return _account_page(request, session, principal)


@router.post("/account/password", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def change_password(
    request: Request,
    session: DbSession,
    principal: WebUser,
    current_password: Annotated[str, Form(max_length=256)] = "",
    new_password: Annotated[str, Form(max_length=256)] = "",
) -> HTMLResponse:
    try:
        service.change_password(
            session, principal=principal, current=current_password, new=new_password
        )
    except BadRequest as error:
        return _account_page(request, session, principal, status=422, password_error=error.message)
    return _account_page(request, session, principal, notice="Your password was changed.")


@router.post("/account/tokens", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)])
def create_token(
    request: Request,
    session: DbSession,
    principal: WebUser,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    expires_in_days: Annotated[int | None, Form(ge=1, le=365)] = None,
) -> HTMLResponse:
    try:
        record, raw = sessions.create_personal_token(
            session,
            user=principal.user,
            name=name,
            expires_in_days=expires_in_days,
            client_address=principal.client_address,
        )
    except BadRequest as error:
        return _account_page(request, session, principal, status=422, token_error=error.message)
    return _account_page(request, session, principal, new_token=raw, new_token_name=record.name)


@router.post("/account/tokens/{token_id}/revoke", dependencies=[Depends(csrf_protect)])
def revoke_token(session: DbSession, principal: WebUser, token_id: uuid.UUID) -> Response:
    if (
        sessions.revoke_token(
            session, user=principal.user, token_id=token_id, client_address=principal.client_address
        )
        is None
    ):
        raise NotFound("No such token.")
    return RedirectResponse("/account", status_code=303)


@router.post("/account/sign-out-everywhere", dependencies=[Depends(csrf_protect)])
def sign_out_everywhere(session: DbSession, principal: WebUser) -> Response:
    revocation.end_access(
        session, user=principal.user, actor=principal.actor, why="signed out everywhere"
    )
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account/mfa", response_class=HTMLResponse)
def mfa_setup(request: Request, session: DbSession, principal: MfaSetupUser) -> HTMLResponse:
    secret = (
        None
        if principal.user.mfa_enabled
        else service.begin_mfa_enrolment(session, user=principal.user)
    )
    uri = totp_uri(secret, account=principal.user.email) if secret else None
    return render(request, "accounts/mfa.html", principal=principal, secret=secret, uri=uri)


@router.post("/account/mfa", response_class=HTMLResponse, dependencies=[Depends(_mfa_setup_csrf)])
def mfa_confirm(
    request: Request,
    session: DbSession,
    principal: MfaSetupUser,
    code: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    try:
        service.confirm_mfa_enrolment(session, principal=principal, code=code)
    except BadRequest as error:
        secret = principal.user.totp_pending_secret
        return render(
            request,
            "accounts/mfa.html",
            principal=principal,
            secret=secret,
            uri=totp_uri(secret, account=principal.user.email) if secret else None,
            error=error.message,
            status_code=422,
        )
    if principal.web_session is not None:
        principal.web_session.mfa_passed = True
    return RedirectResponse("/account", status_code=303)


@router.post(
    "/account/mfa/disable", response_class=HTMLResponse, dependencies=[Depends(csrf_protect)]
)
def mfa_disable(
    request: Request,
    session: DbSession,
    principal: WebUser,
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    try:
        service.disable_mfa(session, principal=principal, password=password)
    except BadRequest as error:
        return _account_page(request, session, principal, status=422, mfa_error=error.message)
    return RedirectResponse("/account", status_code=303)
