"""All tables of every stage, on one ``metadata`` (what Alembic compares against).

A stage that adds tables defines them in its own ``tables_*`` module and imports it here.
"""

from paperscope.store import (
    tables_accounts,  # noqa: F401  (registers its tables)
    tables_community,  # noqa: F401  (registers its tables)
    tables_subscriptions,  # noqa: F401  (registers its tables)
    tables_vectors,  # noqa: F401  (registers its tables)
)
from paperscope.store.tables import metadata

__all__ = ["metadata"]
