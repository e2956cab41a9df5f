"""The index follows the store's change sequence: catch-up after writes, healing after a
kill -9 mid-rebuild, and two servers on one PostgreSQL database answering alike."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests.conftest import run_cli
from tests.factories import ingest_list, record
from tests.search.conftest import embed_all, search_settings

from paperscope.demo import load_demo
from paperscope.index.sync import LexicalSync
from paperscope.search import SearchService
from paperscope.store import Store


def test_catch_up_after_store_writes_and_reopen(corpus_store, data_dir, store_url):
    service = SearchService(search_settings(data_dir, store_url), corpus_store)
    assert service.lexical.count() == 5
    # A store commit the index has not applied yet (as if the process died right after it).
    ingest_list(corpus_store, [record(arxiv_id="2407.00009", title="Quantum Error Correction")])
    assert service.search("quantum", mode="keyword").hits == []
    reopened = SearchService(search_settings(data_dir, store_url), corpus_store)
    assert [h.paper_id for h in reopened.search("quantum", mode="keyword").hits] == ["2407.00009"]
    # An update replaces the paper's document: still one copy, new words searchable.
    ingest_list(
        corpus_store,
        [record(arxiv_id="2407.00009", version=2, title="Quantum Codes on Surfaces")],
    )
    report = reopened.sync()
    assert report.indexed == 1
    assert [h.paper_id for h in reopened.search("surfaces", mode="keyword").hits] == ["2407.00009"]
    assert sorted(reopened.lexical.all_ids()).count("2407.00009") == 1
    status = reopened.lexical_sync.status()
    assert status.in_sync and status.documents == 6


def test_replayed_batch_never_duplicates(corpus_store, data_dir):
    sync = LexicalSync(corpus_store, data_dir / "index", batch_size=2)
    sync.catch_up()
    # Simulate a crash after the index commit but before the watermark write: replay it all.
    sync._write_watermark(0)
    again = LexicalSync(corpus_store, data_dir / "index", batch_size=2)
    assert again.catch_up().indexed == 5
    assert sorted(again.index.all_ids()) == sorted(set(again.index.all_ids()))
    assert again.index.count() == 5


def test_a_replaced_store_triggers_a_rebuild(corpus_store, data_dir, store_url, tmp_path):
    LexicalSync(corpus_store, data_dir / "index").catch_up()
    other = Store(f"sqlite:///{tmp_path / 'other.db'}")
    other.upgrade()
    ingest_list(other, [record(arxiv_id="2408.00001", title="Only paper here")])
    sync = LexicalSync(other, data_dir / "index")
    assert sync.needs_rebuild
    sync.catch_up()
    assert sync.index.all_ids() == ["2408.00001"]


def _watermark(path: Path) -> int:
    try:
        return int(json.loads(path.read_text())["seq"])
    except (OSError, ValueError, KeyError):
        return 0


def test_kill_minus_9_mid_rebuild_heals_on_restart(store, data_dir, cli_env, tmp_path):
    load_demo(store, rejects_dir=tmp_path / "rejects", batch_size=5000)
    with store.read() as conn:
        papers = conn.exec_driver_sql("SELECT count(*) FROM papers").scalar_one()
    assert papers > 5000
    env = {**cli_env, "PAPERSCOPE_INDEX_BATCH_SIZE": "150"}
    watermark_file = data_dir / "index" / "lexical.watermark.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "paperscope", "index", "rebuild"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while _watermark(watermark_file) < 1000 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed_at = _watermark(watermark_file)
    assert 0 < killed_at < papers, "the kill should land mid-way through the rebuild"

    status = json.loads(run_cli(env, "index", "status", "--json").stdout)
    assert status["pending"] > 0 and not status["in_sync"]

    # Restart: opening the search catches up from the watermark.
    run_cli(env, "search", "diffusion", "--mode", "keyword", "-k", "1")
    status = json.loads(run_cli(env, "index", "status", "--json").stdout)
    assert status["in_sync"] and status["documents"] == papers
    sync = LexicalSync(store, data_dir / "index")
    indexed = sync.index.all_ids()
    assert len(indexed) == len(set(indexed)) == papers


def test_two_servers_on_one_store_answer_alike(corpus_store, store_url, tmp_path, embedder):
    embed_all(corpus_store, embedder)
    servers = [
        SearchService(search_settings(tmp_path / name, store_url), corpus_store, embedder=embedder)
        for name in ("server-a", "server-b")
    ]
    # One server's process writes to the shared store; both follow the change sequence.
    ingest_list(
        corpus_store,
        [
            record(
                arxiv_id="2409.00010",
                title="Sparse Graph Transformers",
                abstract="Sparse attention for graph transformers on large graphs.",
            )
        ],
    )
    embed_all(corpus_store, embedder)
    answers = []
    for server in servers:
        server.sync()
        answers.append(
            [
                (hit.paper_id, round(hit.score, 9))
                for mode in ("keyword", "semantic", "hybrid")
                for hit in server.search("sparse graph transformers", mode=mode).hits
            ]
        )
    assert answers[0] == answers[1]
    assert answers[0][0][0] == "2409.00010"


@pytest.mark.parametrize("command", [("index", "rebuild", "--json"), ("index", "sync", "--json")])
def test_index_commands(corpus_store, cli_env, command):
    report = json.loads(run_cli(cli_env, *command).stdout)
    assert report["watermark"] == 5
    status = json.loads(run_cli(cli_env, "index", "status", "--json").stdout)
    assert status["documents"] == 5 and status["in_sync"]


def test_a_saved_hnsw_index_is_loaded_and_caught_up(corpus_store, store_url, data_dir, embedder):
    """`serve` saves the HNSW index before its workers start; each worker loads it and takes
    only the vectors stored since (a 1M-vector graph takes minutes to build)."""
    embed_all(corpus_store, embedder)
    settings = search_settings(data_dir, store_url, vector_exact_max=0)  # HNSW at any size
    writer = SearchService(settings, corpus_store, embedder=embedder, save_vectors=True)
    saved = data_dir / "index" / "vectors" / "meta.json"
    meta = json.loads(saved.read_text())
    assert (meta["kind"], meta["count"]) == ("hnsw", 5)
    before = [(h.paper_id, h.score) for h in writer.search("graph networks", mode="semantic").hits]

    ingest_list(corpus_store, [record(arxiv_id="2409.00011", title="Graph Networks at Scale")])
    embed_all(corpus_store, embedder)
    reader = SearchService(settings, corpus_store, embedder=embedder)  # a web worker
    # Loaded from disk (a graph built afresh carries no saved watermark), then caught up.
    assert reader._vectors is not None and reader._vectors.meta == meta["meta"]
    assert reader.vector_count() == 6
    hits = reader.search("graph networks at scale", mode="semantic").hits
    assert hits[0].paper_id == "2409.00011"
    old = [h for h in reader.search("graph networks", mode="semantic").hits]
    assert [(h.paper_id, h.score) for h in old if h.paper_id != "2409.00011"] == before
    assert json.loads(saved.read_text()) == meta  # only the catching-up process saves

    # A damaged saved index is not trusted: the vectors come from the store again.
    (data_dir / "index" / "vectors" / "hnsw.bin").write_bytes(b"not an index")
    again = SearchService(settings, corpus_store, embedder=embedder)
    assert again._vectors is not None and again._vectors.meta == {}  # built from the store
    assert again.vector_count() == 6
    assert again.search("graph networks at scale", mode="semantic").hits[0].paper_id == (
        "2409.00011"
    )
