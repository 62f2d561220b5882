"""JSON API of dosing sessions: rems."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["dosing"])
