"""The search commands as a user runs them, with the shipped embedding model."""

from __future__ import annotations

import json

import pytest
from tests.conftest import run_cli

pytestmark = pytest.mark.embed


@pytest.fixture
def embedded_env(corpus_store, cli_env):
    run_cli(cli_env, "embed")
    return cli_env


def test_search_answers_in_three_modes(embedded_env):
    for mode in ("hybrid", "keyword", "semantic"):
        done = run_cli(embedded_env, "search", "graph neural networks", "--mode", mode, "--json")
        rows = json.loads(done.stdout)
        assert rows and set(rows[0]) == {"id", "title", "score"}
        assert rows[0]["id"] in {"2401.00001", "2201.00005"}, mode


def test_pasted_arxiv_url_comes_first(embedded_env):
    done = run_cli(
        embedded_env, "search", "https://arxiv.org/abs/2405.00003v1", "-k", "3", "--json"
    )
    assert json.loads(done.stdout)[0]["id"] == "2405.00003"


def test_similar_and_explain(embedded_env):
    rows = json.loads(run_cli(embedded_env, "similar", "2401.00001", "--json").stdout)
    assert rows and "2401.00001" not in [r["id"] for r in rows]
    text = run_cli(embedded_env, "search", "protein folding", "--explain").stdout
    assert "Protein Folding with Language Models" in text and "lexical" in text


def test_bad_mode_is_one_line_error(embedded_env):
    done = run_cli(embedded_env, "search", "x", "--mode", "fuzzy", check=False)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("error: unknown search mode")
