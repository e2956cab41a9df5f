"""The shipped offline embedder: verified files, normalized vectors, batching that does not
change results, meaning over words, model selection, and the shipped demo vectors."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import sys
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from paperscope.config import Settings
from paperscope.index.embedder import (
    SHIPPED_MODEL_ID,
    OnnxEmbedder,
    document_text,
    load_embedder,
    shipped_model_folder,
)
from paperscope.index.embeddings import DEMO_VECTORS, DEMO_VECTORS_INDEX, text_hash
from paperscope.models import PaperscopeError

DEMO = Path(str(files("paperscope") / "demo"))


@pytest.fixture(scope="module")
def embedder() -> OnnxEmbedder:
    return OnnxEmbedder(shipped_model_folder())


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_document_text_joins_title_and_abstract() -> None:
    assert document_text("Attention Is All You Need", "We propose.") == (
        "Attention Is All You Need. We propose."
    )
    assert document_text("Why Scale?", " Because. ") == "Why Scale? Because."
    assert document_text("Only a title", "") == "Only a title"


def test_shipped_model_files_match_their_manifest() -> None:
    folder = shipped_model_folder()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["model_id"] == SHIPPED_MODEL_ID
    assert (manifest["dim"], manifest["pooling"], manifest["normalize"]) == (384, "mean", True)
    assert sha256(folder / "model.onnx") == manifest["sha256"]["model.onnx"]
    # The upstream tokenizer, byte for byte; the weights' upstream hash is recorded too.
    assert sha256(folder / "tokenizer.json").startswith("be50c362")
    assert manifest["sha256"]["source/model.safetensors"].startswith("53aa5117")


@pytest.mark.embed
def test_vectors_are_unit_length_and_batching_does_not_change_them(
    embedder: OnnxEmbedder,
) -> None:
    texts = [
        "Graph neural networks for molecular property prediction.",
        "A short one.",
        "Scaling laws for neural language models. " * 40,  # longer than max_seq_length
    ]
    together = embedder.embed_documents(texts, batch_size=3)
    assert together.shape == (3, 384) and together.dtype == np.float32
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    alone = np.vstack([embedder.embed_query(text) for text in texts])
    assert np.all((alone * together).sum(axis=1) > 0.9999)
    assert embedder.embed_documents([]).shape == (0, 384)


@pytest.mark.embed
def test_meaning_beats_shared_words(embedder: OnnxEmbedder) -> None:
    query = embedder.embed_query("protein folding prediction with deep learning")
    related = embedder.embed_query("AlphaFold: highly accurate structure prediction of proteins")
    shares_words = embedder.embed_query("Deep learning predicts the folding of paper airplanes")
    assert float(query @ related) > float(query @ shares_words)


@pytest.mark.embed
def test_load_embedder_picks_shipped_model_onnx_folder_or_hub(tmp_path: Path) -> None:
    assert load_embedder(Settings(data_dir=tmp_path)).model_id == SHIPPED_MODEL_ID
    folder = tmp_path / "my-model"
    shutil.copytree(shipped_model_folder(), folder)
    (folder / "manifest.json").unlink()
    by_path = load_embedder(Settings(data_dir=tmp_path, embedding_model=str(folder)))
    assert (by_path.model_id, by_path.dim) == ("onnx:my-model", 384)
    shorter = load_embedder(Settings(data_dir=tmp_path, embedding_max_seq_length=128))
    assert shorter.model_id == SHIPPED_MODEL_ID + "@128"  # other vectors, other id


def test_a_hub_model_without_sentence_transformers_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed
    settings = Settings(data_dir=tmp_path, embedding_model="BAAI/bge-small-en-v1.5")
    with pytest.raises(PaperscopeError, match=r"paperscope\[hub\]"):
        load_embedder(settings)


@pytest.mark.embed
def test_shipped_demo_vectors_match_a_fresh_computation(embedder: OnnxEmbedder) -> None:
    """A sample of 20 demo papers, embedded now, agrees with the shipped float16 vectors."""
    assert (DEMO / DEMO_VECTORS).is_file(), "the demo vectors ship in the package"
    with gzip.open(DEMO / DEMO_VECTORS_INDEX, "rt") as handle:
        index = json.load(handle)
    assert index["model_id"] == embedder.model_id
    vectors = np.load(DEMO / DEMO_VECTORS)
    assert vectors.shape == (len(index["ids"]), 384) and vectors.dtype == np.float16
    texts = _demo_texts()
    rng = np.random.default_rng(20)
    sample = [
        i
        for i in rng.permutation(len(index["ids"]))
        if index["ids"][i] in texts
        and text_hash(*texts[index["ids"][i]]) == index["text_hashes"][i]
    ][:20]
    assert len(sample) == 20
    fresh = embedder.embed_documents([document_text(*texts[index["ids"][i]]) for i in sample])
    shipped = vectors[sample].astype(np.float32)
    shipped /= np.linalg.norm(shipped, axis=1, keepdims=True)
    assert np.all((fresh * shipped).sum(axis=1) >= 0.999)


def _demo_texts() -> dict[str, tuple[str, str]]:
    """The demo papers' embedded text, read from the bundled corpus the way ingest does."""
    from paperscope.ingest.normalize import RecordError, normalize
    from paperscope.models import PaperRecord
    from paperscope.sources.hf_daily import HFDailyFile

    texts = {}
    for record in HFDailyFile(DEMO / "hf_daily_papers.jsonl.gz").records():
        if not isinstance(record, PaperRecord):
            continue
        try:
            paper = normalize(record)
        except RecordError:
            continue
        texts[paper.id] = (paper.row["title"], paper.row["abstract"])
    return texts
