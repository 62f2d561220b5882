"""Typed FastAPI dependencies: the database session, the caller, and permission checks.

How a caller's credentials are looked up and checked (tokens, cookies, MFA enrolment, the audit
of refusals) belongs to accounts, which core does not import: accounts installs its
`CallerChecks` here when it is imported, as app.py does before serving a request.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated, Protocol

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from openkap.core.audit.chain import Actor
from openkap.core.database.tenancy import bind_tenant
from openkap.core.db import commit_or_rollback
from openkap.core.errors import Forbidden, NotAuthenticated, OpenKapError
from openkap.core.models import User, UserSession
from openkap.core.permissions import Permission, allows
from openkap.core.principal import Principal
from openkap.core.security import same_secret

SESSION_COOKIE = "openkap_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class LoginRequired(OpenKapError):
    """A page needs a signed-in user; the handler redirects to the sign-in page."""

    status_code = 401


class MfaRequired(OpenKapError):
    """The user must pass (or set up) MFA before going on; the handler redirects."""

    status_code = 401

    def __init__(self, message: str, *, location: str) -> None:
        super().__init__(message)
        self.location = location


class BearerLookup(Protocol):
    def __call__(self, session: Session, *, token: str) -> User | None: ...


class CookieLookup(Protocol):
    def __call__(self, session: Session, *, token: str) -> UserSession | None: ...


class RefusalNote(Protocol):
    def __call__(
        self, session: Session, *, actor: Actor, status: int, method: str, path: str
    ) -> None: ...


@dataclass(frozen=True, kw_only=True)
class CallerChecks:
    """What finding and checking a caller takes, given by accounts."""

    resolve_bearer: BearerLookup
    resolve_web_session: CookieLookup
    mfa_enrolment_due: Callable[[User], bool]
    # The API's refusal of a user who must enrol in MFA first.
    enrolment_refusal: Callable[[], OpenKapError]
    note_refusal: RefusalNote
    refused_statuses: frozenset[int]


_INSTALLED: list[CallerChecks] = []


def install_caller_checks(checks: CallerChecks) -> None:
    """Install how callers are found and checked (accounts does, on import)."""
    _INSTALLED[:] = [checks]


def _checks() -> CallerChecks:
    if not _INSTALLED:
        raise RuntimeError("openkap.accounts is not imported: no caller checks are installed")
    return _INSTALLED[0]


def get_db(request: Request) -> Iterator[Session]:
    """Yield the request's session; the one commit point runs when the request ends."""
    session: Session = request.app.state.session_factory()
    try:
        yield session
    except BaseException as error:
        _note_refusal(request, session, error)
        commit_or_rollback(session, failed=True)
        raise
    commit_or_rollback(session, failed=False)


def _note_refusal(request: Request, session: Session, error: BaseException) -> None:
    actor = getattr(request.state, "refusal_actor", None)
    status = getattr(error, "status_code", None)
    checks = _checks()
    if isinstance(error, OpenKapError) and actor is not None and status in checks.refused_statuses:
        checks.note_refusal(
            session,
            actor=actor,
            status=status,
            method=request.method,
            path=request.url.path,
        )


# Function scope: the commit runs before the response is sent, so an acknowledged write is a
# committed one (the default scope would commit after the client already has its answer).
DbSession = Annotated[Session, Depends(get_db, scope="function")]


def client_address(request: Request) -> str:
    """Return the caller's network address as the audit log records it."""
    return request.client.host if request.client else ""


_bearer = HTTPBearer(
    auto_error=False, description="A token from /api/v1/auth/token or a personal API token"
)


def api_principal(
    request: Request,
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Authenticate an API call by its bearer token."""
    checks = _checks()
    token = credentials.credentials if credentials else None
    user = checks.resolve_bearer(session, token=token) if token else None
    if user is None:
        raise NotAuthenticated("A valid bearer token is required.")
    if checks.mfa_enrolment_due(user):
        raise checks.enrolment_refusal()
    return _bind(session, user=user, request=request)


def _bind(
    session: Session, *, user: User, request: Request, web: UserSession | None = None
) -> Principal:
    bind_tenant(session, user.organization_id)
    principal = Principal(user=user, client_address=client_address(request), web_session=web)
    # Kept for the commit point, which audits a refusal of this caller
    # (accounts.administration.refusals): the actor's plain values, which outlive the session.
    request.state.refusal_actor = principal.actor
    return principal


def _web_principal(request: Request, session: Session, *, mfa_setup_page: bool) -> Principal:
    checks = _checks()
    token = request.cookies.get(SESSION_COOKIE)
    record = checks.resolve_web_session(session, token=token) if token else None
    user = session.get(User, record.user_id) if record else None
    if record is None or user is None or not user.is_active:
        raise LoginRequired("Please sign in.")
    if user.mfa_enabled and not record.mfa_passed:
        raise MfaRequired("Enter your one-time code.", location="/login/mfa")
    if checks.mfa_enrolment_due(user) and not mfa_setup_page:
        raise MfaRequired("Your clinic requires MFA: set it up to go on.", location="/account/mfa")
    return _bind(session, user=user, request=request, web=record)


def web_principal(request: Request, session: DbSession) -> Principal:
    """Authenticate a page request by its session cookie, enforcing MFA."""
    return _web_principal(request, session, mfa_setup_page=False)


def web_principal_mfa_setup(request: Request, session: DbSession) -> Principal:
    """Authenticate the MFA set-up pages, which a user without MFA must still reach."""
    return _web_principal(request, session, mfa_setup_page=True)


ApiUser = Annotated[Principal, Depends(api_principal)]
WebUser = Annotated[Principal, Depends(web_principal)]


def _require(principal: Principal, permission: Permission) -> Principal:
    if not allows(principal.roles, permission):
        raise Forbidden("Your role does not allow this.")
    return principal


def api_permission(permission: Permission) -> Callable[[Principal], Principal]:
    """A dependency that authenticates an API call and checks one permission."""

    def dependency(principal: ApiUser) -> Principal:
        return _require(principal, permission)

    return dependency


def web_permission(permission: Permission) -> Callable[[Principal], Principal]:
    """A dependency that authenticates a page request and checks one permission."""

    def dependency(principal: WebUser) -> Principal:
        return _require(principal, permission)

    return dependency


async def csrf_protect(request: Request, principal: WebUser) -> None:
    """Refuse a state-changing page request whose CSRF token does not match the session's."""
    expected = principal.web_session.csrf_token if principal.web_session else None
    await check_csrf(request, expected)


async def check_csrf(request: Request, expected: str | None) -> None:
    """Compare the token sent in the form or header with the expected one."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if expected is None or sent is None or not same_secret(expected, sent):
        raise Forbidden("The form has expired or did not come from OpenKAP. Reload and retry.")
