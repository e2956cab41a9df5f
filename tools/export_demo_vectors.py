"""Write the shipped demo-corpus vectors from a store that holds the embedded demo corpus.

    PAPERSCOPE_DATA_DIR=/tmp/demo paperscope demo
    PAPERSCOPE_DATA_DIR=/tmp/demo nice -n 10 paperscope embed --no-demo-vectors
    PAPERSCOPE_DATA_DIR=/tmp/demo python tools/export_demo_vectors.py

Writes src/paperscope/demo/demo_vectors.f16.npy (float16, one row per paper) and
demo_vectors.json.gz (model id, dim, paper ids, a hash of each paper's embedded text), which
``import_demo_vectors`` reads so that ``paperscope demo`` + ``embed`` need not re-embed.
"""

from __future__ import annotations

from pathlib import Path

from paperscope.config import Settings
from paperscope.index.embedder import load_embedder
from paperscope.index.embeddings import export_demo_vectors
from paperscope.store import open_store

DEMO = Path(__file__).resolve().parents[1] / "src" / "paperscope" / "demo"


def main() -> None:
    settings = Settings()
    model_id = load_embedder(settings).model_id
    count = export_demo_vectors(open_store(settings.store_url), model_id, DEMO)
    print(f"wrote {count:,} vectors of {model_id} to {DEMO}")


if __name__ == "__main__":
    main()
