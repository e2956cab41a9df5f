"""The JSON API, compatible with Hugging Face's daily papers API (OpenAPI at /docs)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api", tags=["api"])
