"""JSON API of the episodes domain."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["episodes"])
