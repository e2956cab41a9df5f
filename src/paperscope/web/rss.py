"""Atom feeds for the daily list, trending and any search."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/rss", tags=["rss"])
