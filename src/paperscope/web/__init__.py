"""The web layer: FastAPI app, server-rendered pages, the HF-compatible JSON API and RSS."""
