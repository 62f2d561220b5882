"""JSON API of dosing sessions: administration."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["dosing"])
