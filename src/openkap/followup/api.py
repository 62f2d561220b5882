"""JSON API of the followup domain."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["followup"])
