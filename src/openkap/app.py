"""The application factory: assembles every domain's routes; core imports no domain."""

import gc
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Connection, Engine

from openkap import (
    accounts,
    dosing,
    followup,
    intake,
    inventory,
    models_registry,
    plans,
    portal,
    therapy,
)
from openkap.admin import api as admin_api
from openkap.admin import routes as admin_routes
from openkap.core.db import get_engine, session_factory
from openkap.core.handlers import install_error_handlers
from openkap.episodes import api as episodes_api
from openkap.episodes import routes as episode_routes
from openkap.outcomes import api as outcomes_api
from openkap.outcomes import routes as outcomes_routes
from openkap.patients import api as patients_api
from openkap.patients import routes as patient_routes
from openkap.web import health, home
from openkap.web.limits import RequestLimits
from openkap.web.security_headers import SecurityHeaders
from openkap.web.templating import render

API_DESCRIPTION = """The OpenKAP JSON API. Authenticate with `POST /api/v1/auth/token` (OAuth2
password flow) or a personal API token, and send `Authorization: Bearer <token>`. Errors are
`{"error": "...", "detail": "..."}`; malformed input is 422 with `fields`."""


def create_app(*, bind: Engine | Connection | None = None) -> FastAPI:
    """Build the OpenKAP application on a database (the configured one by default).

    Tests pass a connection inside a transaction they roll back afterwards.
    """
    models_registry.load_all()
    app = FastAPI(
        title="OpenKAP",
        version="0.1.0",
        description=API_DESCRIPTION,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.session_factory = session_factory(bind or get_engine())
    static = resources.files("openkap.web").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    for router in (
        health.router,
        home.router,
        accounts.api_router,
        patients_api.router,
        admin_api.router,
        episodes_api.router,
        intake.api_router,
        plans.api_router,
        dosing.api_router,
        inventory.api_router,
        therapy.api_router,
        followup.api_router,
        portal.api_router,
        outcomes_api.router,
        accounts.page_router,
        patient_routes.router,
        admin_routes.router,
        episode_routes.router,
        intake.page_router,
        plans.page_router,
        dosing.page_router,
        inventory.page_router,
        therapy.page_router,
        followup.page_router,
        portal.page_router,
        outcomes_routes.router,
    ):
        app.include_router(router)
    install_error_handlers(app, render_page=render)
    app.add_middleware(RequestLimits)
    app.add_middleware(SecurityHeaders)
    # What start-up made lives as long as the process: frozen, a full garbage collection no
    # longer rescans it, which otherwise costs a request a pause of tens of milliseconds.
    gc.freeze()
    return app
