"""All tables of every stage, on one ``metadata`` (what Alembic compares against)."""

from paperscope.store.tables import metadata

__all__ = ["metadata"]
