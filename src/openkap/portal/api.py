"""JSON API of the portal domain."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["portal"])
