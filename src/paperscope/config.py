"""Settings: one typed, documented object, built by the CLI or ``create_app()``, never at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting paperscope reads; each is also the variable ``PAPERSCOPE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="PAPERSCOPE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        Path("data"),
        description="Folder for the SQLite store, the search index, rejects files and caches.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the store. Unset: SQLite at <data_dir>/paperscope.db. "
        "For PostgreSQL: postgresql+psycopg://user@host/db.",
    )
    ingest_batch_size: int = Field(
        2000, ge=1, description="Records upserted per store transaction during ingest."
    )
    hf_api_url: str = Field(
        "https://huggingface.co", description="Base URL of the Hugging Face daily papers API."
    )
    arxiv_api_url: str = Field(
        "https://export.arxiv.org/api/query", description="arXiv API (Atom) query endpoint."
    )
    arxiv_rss_url: str = Field(
        "https://rss.arxiv.org/atom", description="arXiv RSS/Atom daily announcements base URL."
    )
    arxiv_oai_url: str = Field(
        "https://oaipmh.arxiv.org/oai", description="arXiv OAI-PMH endpoint (arXivRaw records)."
    )
    arxiv_delay_seconds: float = Field(
        3.0, ge=0, description="Politeness delay between arXiv API calls (arXiv asks for 3 s)."
    )
    oai_delay_seconds: float = Field(
        10.0, ge=0, description="Politeness delay between OAI-PMH pages (arXiv asks for 10 s)."
    )
    http_retries: int = Field(
        4, ge=0, description="Retries of a failed or throttled (429/503) source request."
    )
    http_timeout_seconds: float = Field(30.0, gt=0, description="Timeout of one source request.")
    http_max_retry_after_seconds: float = Field(
        600.0,
        ge=0,
        description="Longest Retry-After a source may ask for before the request fails instead.",
    )
    hf_delay_seconds: float = Field(
        1.0, ge=0, description="Politeness delay between Hugging Face daily papers API calls."
    )
    hf_page_size: int = Field(
        100, ge=1, le=100, description="Items asked per daily papers API page (limit=)."
    )
    arxiv_page_size: int = Field(
        100, ge=1, le=2000, description="Entries asked per arXiv API page (max_results=)."
    )
    user_agent: str = Field(
        "paperscope/0.1 (+https://github.com/paperscope/paperscope)",
        description="User-Agent sent to arXiv, Hugging Face and GitHub.",
    )

    @property
    def store_url(self) -> str:
        """The store's SQLAlchemy URL: the configured one, else the SQLite file in data_dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'paperscope.db').resolve()}"

    @property
    def rejects_dir(self) -> Path:
        return self.data_dir / "rejects"
