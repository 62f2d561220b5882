"""JSON API of the outcomes domain."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["outcomes"])
