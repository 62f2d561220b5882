"""Liveness for load balancers and monitoring: answers only when the database does."""

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from openkap.core.deps import DbSession

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


@router.get("/healthz", response_model=Health)
def health(session: DbSession) -> Health:
    """Report that the server and its database answer."""
    session.execute(text("SELECT 1"))
    return Health(status="ok")
