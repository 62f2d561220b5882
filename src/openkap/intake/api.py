"""JSON API of the intake domain."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["intake"])
