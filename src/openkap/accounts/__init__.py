"""Accounts: signing in (`signin`), a user's own credentials (`credentials`) and administrators'
actions on others' access (`administration`), one sub-package each; the errors, shapes, the
authenticated principal, users and roles (`service`) and the witness check are shared at the
root. This module exports the domain's one API router and one page router, and installs in
core how a caller is found and checked (core.deps.CallerChecks), since core imports no domain.
"""

from fastapi import APIRouter

from openkap.accounts.administration import refusals
from openkap.accounts.credentials import revocation
from openkap.accounts.credentials import routes as credentials_routes
from openkap.accounts.errors import MfaEnrolmentRequired
from openkap.accounts.signin import api as signin_api
from openkap.accounts.signin import routes as signin_routes
from openkap.accounts.signin import service as signin
from openkap.core.deps import CallerChecks, install_caller_checks

api_router = APIRouter()
api_router.include_router(signin_api.router)
page_router = APIRouter()
for router in (signin_routes.router, credentials_routes.router):
    page_router.include_router(router)

install_caller_checks(
    CallerChecks(
        resolve_bearer=signin.resolve_bearer,
        resolve_web_session=signin.resolve_web_session,
        mfa_enrolment_due=revocation.mfa_enrolment_due,
        enrolment_refusal=lambda: MfaEnrolmentRequired(revocation.MFA_ENROLMENT_MESSAGE),
        note_refusal=refusals.note_refusal,
        refused_statuses=frozenset(refusals.REFUSED_STATUSES),
    )
)
