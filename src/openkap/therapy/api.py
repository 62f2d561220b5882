"""JSON API of the therapy domain."""

from fastapi import APIRouter

router = APIRouter(prefix="/api/v1", tags=["therapy"])
