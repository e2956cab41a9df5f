"""``paperscope embed`` as a user runs it, on SQLite and PostgreSQL: every paper gets one
vector, edits and model changes re-embed, a killed run resumes, demo vectors are reused."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from tests.conftest import run_cli

from paperscope.index.embedder import SHIPPED_MODEL_ID, shipped_model_folder
from paperscope.index.embeddings import DEMO_VECTORS, count_pending, load_vectors
from paperscope.store import Store

pytestmark = pytest.mark.embed

TOPICS = [
    "graph neural networks",
    "diffusion models for images",
    "reinforcement learning from human feedback",
    "protein structure prediction",
    "speech recognition",
    "mixture of experts language models",
    "retrieval augmented generation",
    "robot manipulation policies",
    "weather forecasting with transformers",
    "quantization of neural networks",
    "video generation",
    "code generation benchmarks",
]


def write_papers(path: Path, count: int, edited: dict[int, str] | None = None) -> Path:
    with path.open("w") as handle:
        for i in range(count):
            topic = TOPICS[i % len(TOPICS)]
            abstract = (edited or {}).get(i, f"We study {topic} (variant {i}) and report results.")
            record = {
                "arxiv_id": f"2501.{10000 + i}",
                "title": f"On {topic} {i}",
                "abstract": abstract,
            }
            handle.write(json.dumps(record) + "\n")
    return path


def embed_json(env: dict[str, str], *args: str) -> dict:
    return json.loads(run_cli(env, "embed", "--json", *args).stdout)


def test_every_paper_gets_one_vector_and_a_rerun_does_nothing(
    cli_env: dict[str, str], store: Store, tmp_path: Path
) -> None:
    run_cli(cli_env, "ingest", "jsonl", str(write_papers(tmp_path / "p.jsonl", 12)))
    report = embed_json(cli_env)
    assert (report["model_id"], report["embedded"], report["pending_before"]) == (
        SHIPPED_MODEL_ID,
        12,
        12,
    )
    assert embed_json(cli_env)["embedded"] == 0
    ids, matrix = load_vectors(store, SHIPPED_MODEL_ID)
    assert sorted(ids) == sorted(f"2501.{10000 + i}" for i in range(12))
    assert matrix.shape == (12, 384)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)


def test_an_edited_abstract_is_embedded_again(
    cli_env: dict[str, str], store: Store, tmp_path: Path
) -> None:
    run_cli(cli_env, "ingest", "jsonl", str(write_papers(tmp_path / "p.jsonl", 6)))
    embed_json(cli_env)
    before = dict(zip(*load_vectors(store, SHIPPED_MODEL_ID), strict=True))
    edited = write_papers(tmp_path / "e.jsonl", 6, edited={2: "A different text on cooking."})
    run_cli(cli_env, "ingest", "jsonl", str(edited))
    assert count_pending(store, SHIPPED_MODEL_ID) == 1
    assert embed_json(cli_env)["embedded"] == 1
    after = dict(zip(*load_vectors(store, SHIPPED_MODEL_ID), strict=True))
    assert float(before["2501.10002"] @ after["2501.10002"]) < 0.9
    assert float(before["2501.10001"] @ after["2501.10001"]) > 0.9999


def test_a_model_change_re_embeds_everything_and_never_mixes(
    cli_env: dict[str, str], store: Store, tmp_path: Path
) -> None:
    run_cli(cli_env, "ingest", "jsonl", str(write_papers(tmp_path / "p.jsonl", 5)))
    embed_json(cli_env)
    other = tmp_path / "other-model"
    shutil.copytree(shipped_model_folder(), other)
    manifest = json.loads((other / "manifest.json").read_text())
    (other / "manifest.json").write_text(json.dumps(manifest | {"model_id": "test/other"}))
    report = embed_json(cli_env | {"PAPERSCOPE_EMBEDDING_MODEL": str(other)})
    assert (report["model_id"], report["embedded"], report["removed_other_models"]) == (
        "test/other",
        5,
        5,
    )
    assert load_vectors(store, SHIPPED_MODEL_ID)[0] == []
    assert len(load_vectors(store, "test/other")[0]) == 5


def test_a_killed_run_keeps_its_batches_and_the_next_run_finishes(
    cli_env: dict[str, str], store: Store, tmp_path: Path
) -> None:
    total = 40
    run_cli(cli_env, "ingest", "jsonl", str(write_papers(tmp_path / "p.jsonl", total)))
    process = subprocess.Popen(
        [sys.executable, "-m", "paperscope", "embed", "--batch-size", "2"],
        env=cli_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while total - count_pending(store, SHIPPED_MODEL_ID) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done = total - count_pending(store, SHIPPED_MODEL_ID)
    assert 4 <= done < total, "the run was not interrupted midway"
    report = embed_json(cli_env)
    assert report["embedded"] == total - done
    assert count_pending(store, SHIPPED_MODEL_ID) == 0
    assert len(load_vectors(store, SHIPPED_MODEL_ID)[0]) == total


def test_shipped_demo_vectors_are_taken_where_the_text_still_matches(
    cli_env: dict[str, str], store: Store, tmp_path: Path
) -> None:
    demo = Path(str(files("paperscope") / "demo"))
    assert (demo / DEMO_VECTORS).is_file(), "the demo vectors ship in the package"
    with gzip.open(demo / "hf_daily_papers.jsonl.gz", "rt") as handle:
        lines = [next(handle) for _ in range(30)]
    edited = json.loads(lines[0])
    edited["summary"] = "An abstract edited after the demo vectors were computed."
    sample = tmp_path / "sample.jsonl"
    sample.write_text(json.dumps(edited) + "\n" + "".join(lines[1:]))
    run_cli(cli_env, "ingest", "hf-daily-file", str(sample))
    stored = count_pending(store, SHIPPED_MODEL_ID)
    report = embed_json(cli_env)
    assert report["imported_demo_vectors"] == stored - 1
    assert report["embedded"] == 1
    assert count_pending(store, SHIPPED_MODEL_ID) == 0
