"""JSON API of dosing sessions: observations."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["dosing"])
