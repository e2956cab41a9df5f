"""Text -> vectors: the ``Embedder`` protocol, the shipped offline ONNX model, and a hub path.

The default model (all-MiniLM-L6-v2, exported to ONNX by ``make model``) ships inside the
package and runs on ONNX Runtime + tokenizers alone: no torch, no network. Any
sentence-transformers model name or path works too where the hub is reachable (extra ``hub``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np

from paperscope.models import PaperscopeError

if TYPE_CHECKING:
    from paperscope.config import Settings

# The shipped model: its folder under src/paperscope/models/ and the id its vectors carry.
SHIPPED_MODEL_DIR = "all-MiniLM-L6-v2"
SHIPPED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2@onnx-int8-512"
MANIFEST = "manifest.json"


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalized float32 vectors of one fixed size."""

    model_id: str
    dim: int

    def embed_documents(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """An ``len(texts) x dim`` float32 matrix, one L2-normalized row per text."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One L2-normalized float32 vector of length ``dim``."""
        ...


def document_text(title: str, abstract: str) -> str:
    """The text a paper is embedded from: ``"title. abstract"``."""
    title, abstract = title.strip(), abstract.strip()
    if not abstract:
        return title
    if title and title[-1] not in ".?!":
        title += "."
    return f"{title} {abstract}".strip()


def l2_normalize(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


@dataclass(frozen=True, slots=True)
class ModelManifest:
    """What ``manifest.json`` beside an exported ONNX model says about it."""

    model_id: str
    dim: int
    onnx_file: str = "model.onnx"
    tokenizer_file: str = "tokenizer.json"
    pooling: str = "mean"
    normalize: bool = True
    max_seq_length: int = 256
    # Sequences per ONNX run. Dynamic int8 quantization picks activation scales per run, so a
    # batched sequence's vector would depend on its batch-mates: such models run one at a time.
    run_batch_size: int = 0

    @classmethod
    def read(cls, folder: Path) -> ModelManifest:
        data: dict[str, Any] = json.loads((folder / MANIFEST).read_text("utf-8"))
        return cls(
            model_id=str(data["model_id"]),
            dim=int(data["dim"]),
            onnx_file=str(data.get("onnx_file", "model.onnx")),
            tokenizer_file=str(data.get("tokenizer_file", "tokenizer.json")),
            pooling=str(data.get("pooling", "mean")),
            normalize=bool(data.get("normalize", True)),
            max_seq_length=int(data.get("max_seq_length", 256)),
            run_batch_size=int(data.get("run_batch_size", 0)),
        )


class OnnxEmbedder:
    """A BERT-style encoder in ONNX: tokenize, run, mean-pool over real tokens, L2-normalize.

    ``folder`` holds the ``.onnx`` file and ``tokenizer.json``, and ideally a ``manifest.json``
    (model id, dim, max_seq_length); without one the folder name is the model id.
    """

    def __init__(
        self, folder: Path, *, max_seq_length: int | None = None, threads: int = 0
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        folder = Path(folder)
        if (folder / MANIFEST).is_file():
            manifest = ModelManifest.read(folder)
        else:
            onnx_files = sorted(folder.glob("*.onnx"))
            if not onnx_files:
                raise PaperscopeError(f"no .onnx model in {folder}")
            manifest = ModelManifest(
                model_id=f"onnx:{folder.name}", dim=0, onnx_file=onnx_files[0].name
            )
        if manifest.pooling != "mean":
            raise PaperscopeError(f"{folder}: pooling {manifest.pooling!r} is not supported")
        self.max_seq_length = max_seq_length or manifest.max_seq_length
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(folder / manifest.onnx_file), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(folder / manifest.tokenizer_file))
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=self.max_seq_length)
        self._normalize = manifest.normalize
        self._run_batch_size = manifest.run_batch_size
        # A max_seq_length other than the manifest's changes long documents' vectors.
        suffix = "" if self.max_seq_length == manifest.max_seq_length else f"@{self.max_seq_length}"
        self.model_id = manifest.model_id + suffix
        self.dim = manifest.dim or int(self._session.get_outputs()[0].shape[-1])

    def embed_documents(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        # Batches of similar length waste little on padding; the order is restored at the end.
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        batch_size = self._run_batch_size or batch_size
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            positions = order[start : start + batch_size]
            out[positions] = self._run([encodings[p] for p in positions])
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]

    def _run(self, encodings: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n] = encoding.ids
            mask[row, :n] = encoding.attention_mask
            types[row, :n] = encoding.type_ids
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return l2_normalize(pooled) if self._normalize else pooled.astype(np.float32)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by hub name or local path (needs the ``hub`` extra)."""

    def __init__(self, name_or_path: str, *, max_seq_length: int | None = None) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise PaperscopeError(
                f"embedding model {name_or_path!r} needs sentence-transformers: "
                "pip install 'paperscope[hub]' (or set embedding_model to the shipped "
                f"{SHIPPED_MODEL_ID!r} or a folder with an ONNX model)"
            ) from error
        try:
            self._model = SentenceTransformer(name_or_path, device="cpu")
        except Exception as error:
            raise PaperscopeError(
                f"cannot load embedding model {name_or_path!r}: {error}"
            ) from error
        if max_seq_length:
            self._model.max_seq_length = max_seq_length
        self.model_id = f"st:{name_or_path}"
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)

    def embed_documents(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_documents([text])[0]


def shipped_model_folder() -> Path:
    """The folder of the model that ships in the package (``make model`` writes it)."""
    resource = files("paperscope") / "models" / SHIPPED_MODEL_DIR
    with as_file(resource) as path:
        folder = Path(path)
    if not (folder / MANIFEST).is_file():
        raise PaperscopeError(
            f"the shipped embedding model is missing from {folder}; run `make model` "
            "(needs the 'model' extra) or set embedding_model to another model"
        )
    return folder


def names_shipped_model(name: str) -> bool:
    """Whether an ``embedding_model`` setting names the model that ships in the package."""
    return name.strip() in (SHIPPED_MODEL_ID, SHIPPED_MODEL_DIR, "default")


def load_embedder(settings: Settings) -> Embedder:
    """The embedder ``settings.embedding_model`` names: the shipped id, an ONNX folder, or a
    sentence-transformers model name/path."""
    name = settings.embedding_model.strip()
    length = settings.embedding_max_seq_length
    threads = settings.embedding_threads
    if names_shipped_model(name):
        return OnnxEmbedder(shipped_model_folder(), max_seq_length=length, threads=threads)
    path = Path(name).expanduser()
    if path.is_dir() and any(path.glob("*.onnx")):
        return OnnxEmbedder(path, max_seq_length=length, threads=threads)
    return SentenceTransformerEmbedder(name, max_seq_length=length)
