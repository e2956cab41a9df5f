"""The store: the only package that speaks SQL.

SQLite (WAL, one writer) is the embedded default; PostgreSQL is the scale-out store. Callers
open ``store.read()`` or ``store.write()`` and hand the connection to the named queries in
``paperscope.store.papers`` and its siblings.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from paperscope.models import PaperscopeError

MIGRATIONS = Path(__file__).parent / "migrations"
MIGRATION_LOCK = 7_301_955  # any constant shared by every paperscope process
SUPPORTED = "SQLite (sqlite:///PATH) and PostgreSQL (postgresql+psycopg://USER@HOST/DB)"


class Store:
    """An engine plus the one-writer rule: every write goes through ``write()``."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = supported_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite and self.url.database:
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {
            "json_serializer": _json_text,
            "json_deserializer": orjson.loads,
        }
        if self.is_sqlite:
            options["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            options["pool_size"] = pool_size
            options["pool_pre_ping"] = True
        self.engine = sa.create_engine(self.url, **options)
        if self.is_sqlite:
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
            sa.event.listen(self.engine, "begin", _sqlite_begin)
        # Writers ask SQLite for the write lock up front (BEGIN IMMEDIATE), so that a second
        # process waits its turn (busy timeout) instead of failing when it upgrades a read lock.
        self._write_engine = self.engine.execution_options(paperscope_immediate=True)
        self._writer = threading.Lock()

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One transaction, committed on success, rolled back on any error."""
        with self._writer, self._write_engine.begin() as conn:
            yield conn

    def upgrade(self) -> None:
        """Bring the schema to the newest migration of every stage (``alembic upgrade heads``)."""
        with self._writer, self._write_engine.begin() as conn:
            if not self.is_sqlite:
                # Servers and workers starting together: one migrates, the others wait and
                # then find nothing to do. (On SQLite, BEGIN IMMEDIATE already serializes.)
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, "heads")

    def needs_upgrade(self) -> bool:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        heads = set(ScriptDirectory.from_config(config).get_heads())
        with self.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
        return current != heads

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event, not the driver, open transactions (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def _sqlite_begin(conn: sa.Connection) -> None:
    immediate = conn.get_execution_options().get("paperscope_immediate")
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def supported_url(url: str) -> sa.URL:
    """``url`` parsed, if it names a backend paperscope runs on (else a ``PaperscopeError``).

    ``postgresql://`` means psycopg (3), the PostgreSQL driver paperscope installs.
    """
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError as error:
        raise PaperscopeError(f"not a database URL: {url!r}; supported: {SUPPORTED}") from error
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if backend == "postgresql" and "+" not in parsed.drivername:
        return parsed.set(drivername="postgresql+psycopg")
    if (backend, driver) not in {("sqlite", "pysqlite"), ("postgresql", "psycopg")}:
        raise PaperscopeError(
            f"unsupported database {parsed.drivername!r} in {_safe(parsed)}; supported: {SUPPORTED}"
        )
    return parsed


def open_store(url: str, *, upgrade: bool = True) -> Store:
    """Open the store at ``url`` and, by default, apply any pending migrations."""
    try:
        store = Store(url)
        if upgrade and store.needs_upgrade():
            store.upgrade()
    except sa.exc.DBAPIError as error:
        # Drivers explain over several lines (psycopg adds "Is the server running ...?").
        reason = " ".join(str(error.orig).split())
        raise PaperscopeError(f"cannot open the store at {_safe(url)}: {reason}") from error
    return store


def _safe(url: str | sa.URL) -> str:
    return sa.make_url(url).render_as_string(hide_password=True)
