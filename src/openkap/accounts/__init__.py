"""Accounts: signing in (`signin`), a user's own credentials (`credentials`) and administrators'
actions on others' access (`administration`), one sub-package each; the errors, shapes, the
authenticated principal, users and roles (`service`) and the witness check are shared at the
root. This module exports the domain's one API router and one page router.
"""

from fastapi import APIRouter

from openkap.accounts.credentials import routes as credentials_routes
from openkap.accounts.signin import api as signin_api
from openkap.accounts.signin import routes as signin_routes

api_router = APIRouter()
api_router.include_router(signin_api.router)
page_router = APIRouter()
for router in (signin_routes.router, credentials_routes.router):
    page_router.include_router(router)
