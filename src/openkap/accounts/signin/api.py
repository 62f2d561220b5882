"""Accounts JSON API: the OAuth2 password flow, the caller, personal tokens."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from openkap.accounts.credentials import revocation
from openkap.accounts.credentials.revocation import MFA_ENROLMENT_MESSAGE, mfa_enrolment_due
from openkap.accounts.schemas import (
    AccessEnded,
    PersonalTokenCreate,
    PersonalTokenCreated,
    PersonalTokenRead,
    TokenResponse,
    UserRead,
)
from openkap.accounts.signin import service as sessions
from openkap.core.config import get_settings
from openkap.core.deps import ApiUser, DbSession, client_address
from openkap.core.errors import NotFound
from openkap.core.responses import error_responses

router = APIRouter(prefix="/api/v1", tags=["auth"])
MFA_CODE_MISSING = (
    "This account uses MFA: send the current code of your authenticator app as totp_code."
)


def _error(status: int, name: str, detail: str) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse({"error": name, "detail": detail}, status_code=status, headers=headers)


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    responses=error_responses(400, 401, 403, 409, 422, 429),
)
def issue_token(
    request: Request,
    session: DbSession,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    totp_code: Annotated[str | None, Form(max_length=16)] = None,
    clinic: Annotated[
        str | None,
        Form(
            max_length=64,
            description="The clinic's short name, needed only when the e-mail and password "
            "open accounts at more than one clinic",
        ),
    ] = None,
) -> TokenResponse | JSONResponse:
    """Exchange e-mail and password (and a TOTP code when MFA is on) for a bearer token."""
    # Failures are returned, not raised, so the attempt and its audit event are committed.
    address = client_address(request)
    outcome = sessions.authenticate(
        session, email=form.username, password=form.password, client_address=address, clinic=clinic
    )
    if outcome.error is not None or outcome.user is None:
        error = outcome.error
        assert error is not None
        return _error(error.status_code, error.name, error.message)
    user = outcome.user
    if outcome.second_factor_due:
        mfa_error = sessions.pass_second_factor(
            session, user=user, code=totp_code or "", client_address=address
        )
        if mfa_error is not None:
            if mfa_error.status_code == 429:
                return _error(429, "LoginThrottled", mfa_error.message)
            detail = mfa_error.message if totp_code else MFA_CODE_MISSING
            return _error(mfa_error.status_code, "InvalidMfaCode", detail)
    if mfa_enrolment_due(user):
        return _error(403, "MfaEnrolmentRequired", MFA_ENROLMENT_MESSAGE)
    _, raw = sessions.issue_access_token(session, user=user)
    return TokenResponse(access_token=raw, expires_in=get_settings().access_token_minutes * 60)


@router.get("/me", response_model=UserRead, responses=error_responses(401))
def me(principal: ApiUser) -> UserRead:
    """Return the calling user."""
    return UserRead.model_validate(principal.user)


@router.post(
    "/me/sign-out-everywhere", response_model=AccessEnded, responses=error_responses(401, 403)
)
def sign_out_everywhere(session: DbSession, principal: ApiUser) -> AccessEnded:
    """End every session of the caller and revoke all their tokens, this one included."""
    ended = revocation.end_access(
        session, user=principal.user, actor=principal.actor, why="signed out everywhere"
    )
    return AccessEnded(ended=ended)


@router.get("/tokens", response_model=list[PersonalTokenRead], responses=error_responses(401))
def list_tokens(session: DbSession, principal: ApiUser) -> list[PersonalTokenRead]:
    """List the caller's personal API tokens."""
    return [
        PersonalTokenRead.model_validate(t)
        for t in sessions.list_personal_tokens(session, user=principal.user)
    ]


@router.post(
    "/tokens",
    response_model=PersonalTokenCreated,
    status_code=201,
    responses=error_responses(401, 403, 422),
)
def create_token(
    session: DbSession, principal: ApiUser, body: PersonalTokenCreate
) -> PersonalTokenCreated:
    """Create a personal API token; the token itself is returned only this once."""
    record, raw = sessions.create_personal_token(
        session,
        user=principal.user,
        name=body.name,
        expires_in_days=body.expires_in_days,
        client_address=principal.client_address,
    )
    return PersonalTokenCreated.model_validate(
        {**PersonalTokenRead.model_validate(record).model_dump(), "token": raw}
    )


@router.post(
    "/tokens/{token_id}/revoke",
    response_model=PersonalTokenRead,
    responses=error_responses(401, 404, 422),
)
def revoke_token(session: DbSession, principal: ApiUser, token_id: uuid.UUID) -> PersonalTokenRead:
    """Revoke one of the caller's tokens."""
    record = sessions.revoke_token(
        session, user=principal.user, token_id=token_id, client_address=principal.client_address
    )
    if record is None:
        raise NotFound("No such token.")
    return PersonalTokenRead.model_validate(record)
