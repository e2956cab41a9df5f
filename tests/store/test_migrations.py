"""Migrations that repair data stored by earlier versions."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from factories import ingest_list, record
from paperscope.catalog import find_paper
from paperscope.store import MIGRATIONS


def test_0007_keeps_one_code_repo_per_letter_case_spelling(store):
    ingest_list(store, [record(code_urls=["https://github.com/QizhiPei/MathFusion"])])
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.write() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0006")
        # What an earlier ingest stored: the abstract's spelling beside HF's.
        conn.execute(
            sa.text(
                "INSERT INTO code_repos (paper_id, url, host) "
                "VALUES ('2401.00001', 'https://github.com/QizhiPei/mathfusion', 'github')"
            )
        )
    store.upgrade()
    repos = [r["url"] for r in find_paper(store, "2401.00001")["code_repos"]]
    assert repos == ["https://github.com/QizhiPei/MathFusion"]
