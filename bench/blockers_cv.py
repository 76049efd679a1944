"""Repeated k-fold cross-validation of the blocker miner on the training corpus (experiments for issue 17).

Usage: python bench/blockers_cv.py TRAIN.jsonl [--written okr_core/blockers/data/written_examples.jsonl]
       [--repeats 3] [--sentences max|mean] [--extra-weight 0.5] [--train-share 0.5]
Each repeat shuffles the corpus with its own seed into 5 folds; the written examples (the team's own
sentences) join every training fold and are never scored. Hyper-parameters are the shipped model's unless
given; the threshold is reported over a grid, so a choice can be read off the out-of-fold figures.
--sentences max|mean scores each sentence of a held-out text with the fold's text model and takes the maximum
(or its mean with the whole text's score): tried for issue 17, no gain (see okr_core/blockers/data/README.md).
--train-share S fits each fold on a share S of its corpus rows, so the figures at 0.25, 0.5, 0.75 and 1 draw
the miner's learning curve (the figures in okr_core/blockers/data/README.md).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_blockers import (  # noqa: E402
    KINDS, Texts, cue_is_sure, detection_scores, fit_logistic, load, matrix, rule_kinds, texts_of, vocabulary,
)

SEEDS = (11, 23, 37, 41, 53)
SENTENCES = None        # per row, the Texts of its sentences (--sentences)
SENTENCE_MAX: dict = {}
FOLDS = 5


def fold_sets(count: int, seed: int) -> list[np.ndarray]:
    order = np.random.RandomState(seed).permutation(count)
    return [order[fold::FOLDS] for fold in range(FOLDS)]


def concat(a: Texts, b: Texts | None) -> Texts:
    if b is None or not len(b):
        return a
    return Texts(list(a) + list(b), np.vstack([a.dense, b.dense]))


def out_of_fold(rows, texts, extra_rows, extra_texts, seed, l2, vector_weight, rule_boost, kind_l2,
                kind_vector_weight, kind_rule_boost, extra_weight=1.0, train_share=1.0):
    """(blocker probability per row, kind probabilities per row) out of fold for one seed.

    train_share < 1 fits each fold on that share of its corpus rows only (drawn with the seed), the written
    examples all kept: a learning curve of the corpus's own size."""
    labels = np.array([bool(r["is_blocker"]) for r in rows], dtype=int)
    extra_labels = np.array([bool(r["is_blocker"]) for r in extra_rows], dtype=int)
    probability = np.zeros(len(rows))
    kinds = np.zeros((len(rows), len(KINDS)))
    for fold, test in enumerate(fold_sets(len(rows), seed)):
        keep = sorted(set(range(len(rows))) - set(test.tolist()))
        if train_share < 1.0:
            drawn = np.random.RandomState(seed * 100 + fold).permutation(len(keep))[:round(train_share * len(keep))]
            keep = sorted(keep[i] for i in drawn)
        kept = concat(texts.take(keep), extra_texts)
        y = np.concatenate([labels[keep], extra_labels])
        weight = np.concatenate([np.ones(len(keep)), np.full(len(extra_labels), extra_weight)])
        names = vocabulary(texts.take(keep)) if extra_weight == 0 else vocabulary(kept)
        x = matrix(kept, names, vector_weight)
        from okr_core.blockers.logistic import train  # noqa: PLC0415
        from train_blockers import boost  # noqa: PLC0415
        model = train(x, y, 2, l2=l2, boost=boost(x, names, vector_weight, rule_boost), sample_weight=weight)
        probability[test] = model.probabilities(matrix(texts.take(test), names, vector_weight))[:, 1]
        if SENTENCES is not None:
            for i in test:
                sents = SENTENCES[i]
                SENTENCE_MAX[seed][i] = model.probabilities(matrix(sents, names, vector_weight))[:, 1].max() \
                    if len(sents) else probability[i]
        positive = [i for i in range(len(y)) if y[i]]
        all_rows = [rows[i] for i in keep] + list(extra_rows)
        kind_texts = kept.take(positive)
        kx = matrix(kind_texts, names, kind_vector_weight)
        kind_model = train(kx, np.array([KINDS.index(all_rows[i]["kind"]) for i in positive]), len(KINDS),
                           l2=kind_l2, boost=boost(kx, names, kind_vector_weight, kind_rule_boost),
                           sample_weight=weight[positive])
        kinds[test] = kind_model.probabilities(matrix(texts.take(test), names, kind_vector_weight))
    return probability, kinds


def report(rows, texts, probabilities, kind_probabilities, thresholds, override, kind_rule_weight):
    labels = [bool(r["is_blocker"]) for r in rows]
    positive = [i for i, r in enumerate(rows) if r["is_blocker"]]
    truth = np.array([KINDS.index(rows[i]["kind"]) for i in positive])
    votes = rule_kinds(texts.take(positive))
    out = {}
    for threshold in thresholds:
        per_seed = []
        for probability, kinds in zip(probabilities, kind_probabilities):
            flags = [p >= threshold or cue_is_sure(f, override) for p, f in zip(probability, texts)]
            s = detection_scores(labels, flags)
            kind = float(np.mean((kinds[positive] + kind_rule_weight * votes).argmax(axis=1) == truth))
            per_seed.append((s["precision"], s["recall"], s["f1"], kind))
        out[threshold] = np.array(per_seed)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--written")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--l2", type=float, default=3.0)
    parser.add_argument("--vector-weight", type=float, default=0.0)
    parser.add_argument("--rule-boost", type=float, default=1.0)
    parser.add_argument("--kind-l2", type=float, default=0.1)
    parser.add_argument("--kind-vector-weight", type=float, default=0.3)
    parser.add_argument("--kind-rule-boost", type=float, default=2.0)
    parser.add_argument("--kind-rule-weight", type=float, default=0.1)
    parser.add_argument("--override", type=float, default=0.9)
    parser.add_argument("--extra-weight", type=float, default=1.0)
    parser.add_argument("--sentences", choices=("max", "mean", "geo"))
    parser.add_argument("--train-share", type=float, default=1.0,
                        help="fit each fold on this share of its corpus rows (a learning curve)")
    args = parser.parse_args()
    rows = load(args.corpus)
    texts = texts_of(rows)
    extra_rows = load(args.written) if args.written else []
    extra_texts = texts_of(extra_rows) if extra_rows else None
    if args.sentences:
        global SENTENCES
        from okr_core.blockers.text import sentence_spans  # noqa: PLC0415
        SENTENCES = []
        for r in rows:
            t = r["text"]
            parts = [t[a:b].strip() for a, b in sentence_spans(t)]
            parts = [x for x in parts if len(x) > 2]
            SENTENCES.append(texts_of([{"text": x} for x in parts]) if len(parts) > 1 else Texts([], np.zeros((0, 64))))
        for seed in SEEDS[:args.repeats]:
            SENTENCE_MAX[seed] = np.zeros(len(rows))
    results = [out_of_fold(rows, texts, extra_rows, extra_texts, seed, args.l2, args.vector_weight, args.rule_boost,
                           args.kind_l2, args.kind_vector_weight, args.kind_rule_boost, args.extra_weight,
                           args.train_share)
               for seed in SEEDS[:args.repeats]]
    if args.sentences:
        combined = []
        for seed, (probability, kinds) in zip(SEEDS, results):
            m = SENTENCE_MAX[seed]
            c = {"max": np.maximum(probability, m), "mean": (probability + m) / 2,
                 "geo": np.sqrt(probability * m)}[args.sentences]
            combined.append((c, kinds))
        results = combined
    thresholds = tuple(round(0.2 + 0.05 * s, 2) for s in range(9))
    table = report(rows, texts, [r[0] for r in results], [r[1] for r in results], thresholds, args.override,
                   args.kind_rule_weight)
    for threshold, figures in table.items():
        mean, spread = figures.mean(axis=0), figures.std(axis=0)
        print(f"threshold {threshold:.2f}: P {mean[0]:.3f} R {mean[1]:.3f} F1 {mean[2]:.3f} (sd {spread[2]:.3f})"
              f" kind {mean[3]:.3f} (sd {spread[3]:.3f})")


if __name__ == "__main__":
    main()
