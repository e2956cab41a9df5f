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

    embedding_model: str = Field(
        "sentence-transformers/all-MiniLM-L6-v2@onnx-int8-512",
        description="Embedding model: the shipped offline model's id (default), a folder with "
        "an ONNX model + tokenizer.json, or a sentence-transformers name/path (extra 'hub'). "
        "Changing it re-embeds every paper.",
    )
    embedding_max_seq_length: int | None = Field(
        None,
        ge=16,
        le=512,
        description="Tokens of 'title. abstract' the embedder reads. Unset: the model's own "
        "(512 for the shipped one). Another length is another model id (a re-embed).",
    )
    embedding_batch_size: int = Field(
        32, ge=1, description="Texts per embedding batch (and per store commit in `embed`)."
    )
    embedding_threads: int = Field(
        0, ge=0, description="ONNX Runtime threads for embedding (0: one per core)."
    )
    vector_exact_max: int = Field(
        200_000,
        ge=0,
        description="Largest corpus searched by exact matrix product; above it, HNSW.",
    )
    hnsw_m: int = Field(16, ge=4, description="HNSW graph degree (M).")
    hnsw_ef_construction: int = Field(200, ge=16, description="HNSW build-time ef.")
    hnsw_ef_search: int = Field(256, ge=10, description="HNSW query-time ef (recall vs speed).")
    # Search (search/, index/lexical.py, index/sync.py).
    search_title_boost: float = Field(
        0.25,
        ge=0,
        description="Extra weight of a title match in keyword search, on top of its match in "
        "title + abstract (so title words count more than abstract words).",
    )
    search_lexical_weight: float = Field(
        1.5,
        ge=0,
        description="Weight of the keyword ranking in hybrid reciprocal rank fusion (tuned on "
        "SciFact train claims, docs/search.md).",
    )
    search_dense_weight: float = Field(
        1.0, ge=0, description="Weight of the semantic ranking in hybrid reciprocal rank fusion."
    )
    search_candidates: int = Field(
        100, ge=10, le=1000, description="Papers each retriever proposes before fusion."
    )
    search_embed_threads: int = Field(
        1,
        ge=0,
        description="ONNX Runtime threads for embedding one search query (0: one per core); "
        "one thread answers a short query fastest on a busy machine.",
    )
    index_batch_size: int = Field(
        5000, ge=1, description="Papers per search-index commit while catching up with the store."
    )
    # Accounts and community (web/accounts.py, web/community.py).
    secret_key: str | None = Field(
        None,
        description="Key that signs session cookies and CSRF tokens. Unset: generated once into "
        "<data_dir>/secret_key. Set it explicitly when several servers share one store.",
    )
    session_max_age_days: int = Field(
        30, ge=1, description="Days a login stays valid without logging in again."
    )
    submit_max_age_days: int = Field(
        14, ge=0, description="Oldest paper (days since its arXiv publication) users may submit."
    )
    submit_daily_cap: int = Field(
        5, ge=0, description="Papers one user may submit to the daily list per (UTC) day."
    )
    rate_limit_login: str = Field(
        "10/minute",
        pattern=r"^\d+/(second|minute|hour|day)$",
        description="Log-in attempts allowed per client address and per email (N/unit).",
    )
    rate_limit_signup: str = Field(
        "5/hour",
        pattern=r"^\d+/(second|minute|hour|day)$",
        description="Accounts one client address may create (N/unit).",
    )
    rate_limit_submit: str = Field(
        "10/hour",
        pattern=r"^\d+/(second|minute|hour|day)$",
        description="Paper submissions one user may attempt (N/unit).",
    )
    rate_limit_vote: str = Field(
        "60/minute",
        pattern=r"^\d+/(second|minute|hour|day)$",
        description="Upvote toggles one user may make (N/unit).",
    )
    rate_limit_comment: str = Field(
        "10/minute",
        pattern=r"^\d+/(second|minute|hour|day)$",
        description="Comments (new or edited) one user may post (N/unit).",
    )

    # The site (web/): its name and address, GitHub stars, trending.
    site_name: str = Field("paperscope", description="Site name shown in the page header.")
    base_url: str = Field(
        "http://127.0.0.1:8000",
        description="Public address of the site, used for absolute links in RSS and emails. "
        "Unset: `paperscope serve` uses the address it listens on (--host, --port).",
    )
    github_api_url: str = Field(
        "https://api.github.com", description="GitHub REST API base URL (star counts)."
    )
    github_token: str | None = Field(
        None, description="Optional GitHub token: raises the star-refresh rate limit."
    )
    stars_refresh_batch: int = Field(
        200, ge=1, description="Repositories asked per `paperscope stars refresh` run."
    )
    trending_now: str | None = Field(
        None,
        description="Reference time for trending (ISO date or datetime). Unset: the end of "
        "the newest listing day in the store.",
    )
    trending_window_days: int = Field(
        7, ge=1, le=90, description="Papers listed within this many days can trend."
    )
    feed_cache_seconds: float = Field(
        2.0, ge=0, description="How long a rendered feed's data is reused (0: never)."
    )

    # Email subscriptions and digests (digests/, mail.py, worker.py).
    smtp_host: str = Field("localhost", description="SMTP relay that delivers every mail.")
    smtp_port: int = Field(25, ge=1, le=65535, description="Port of the SMTP relay.")
    smtp_user: str | None = Field(None, description="SMTP login name (unset: no login).")
    smtp_password: str | None = Field(None, description="SMTP password (with smtp_user).")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_timeout_seconds: float = Field(30.0, gt=0, description="Timeout of one SMTP exchange.")
    mail_from: str = Field(
        "paperscope <digests@localhost>", description="From: address of digests and confirmations."
    )
    digest_max_papers: int = Field(10, ge=1, le=100, description="Papers in one digest at most.")
    digest_skip_empty: bool = Field(
        True, description="Send no digest when a period has no new papers for a subscription."
    )
    mail_lease_seconds: float = Field(
        300.0,
        gt=0,
        description="A message claimed for sending by a worker that then died is sent again "
        "only after this many seconds (longer than one SMTP exchange).",
    )
    mail_max_attempts: int = Field(
        8, ge=1, description="Temporary SMTP failures (4xx, no connection) before a mail fails."
    )
    mail_retry_base_seconds: float = Field(
        60.0, ge=0, description="First retry delay after a temporary failure; doubles each time."
    )
    mail_suppress_after: int = Field(
        3, ge=1, description="Permanent (5xx) failures after which an address gets no more mail."
    )
    subscribe_limit_per_address: int = Field(
        3, ge=1, description="Subscribe requests per address per hour that send a confirmation."
    )
    subscribe_confirmations_per_address_per_day: int = Field(
        5,
        ge=1,
        description="Confirmation mails one address gets in 24 hours at most, however many "
        "clients ask (no mail bombing from many IPs); further requests get the same answer.",
    )
    subscribe_limit_per_client: int = Field(
        20, ge=1, description="Subscribe requests one client address may make per hour."
    )
    mail_connections: int = Field(
        4, ge=1, le=32, description="SMTP connections a worker sends through side by side."
    )
    worker_interval_seconds: float = Field(
        60.0, gt=0, description="Pause between two rounds of `paperscope worker`'s jobs."
    )
    worker_jobs: str = Field(
        "digests",
        description="Comma-separated jobs `paperscope worker` runs, in order: hf-daily "
        "(ingest the HF daily lists), arxiv (ingest today's arXiv announcements of "
        "worker_arxiv_categories), embed (give new papers vectors), stars (refresh GitHub "
        "stars), digests. Put embed after the ingest jobs and before digests.",
    )
    worker_arxiv_categories: str = Field(
        "cs.AI,cs.CL,cs.CV,cs.LG",
        description="arXiv categories (comma- or plus-separated) whose daily announcements "
        "the worker's arxiv job ingests through the arXiv RSS feed (arxiv_rss_url).",
    )
    worker_slow_jobs_interval_seconds: float = Field(
        3600.0,
        gt=0,
        description="Least time between two runs of the jobs other than digests (hf-daily, "
        "arxiv, embed, stars).",
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
